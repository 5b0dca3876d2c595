import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreErrors, defineErrors, toErrorBody, type ErrorCatalogue } from './errors.ts';
import { discoverPlugins, loadPlugins } from './loader.ts';
import { CORE_VERSION, ROOT_DIR } from './version.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' || d.name === 'testdata' ? [] : sourceFiles(p);
    return /\.(ts|js)$/.test(d.name) && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('the error catalogue', () => {
  it('is the only way to make a client-facing error: no AuraError is built by hand', () => {
    const handMade = [...sourceFiles(path.join(ROOT_DIR, 'core')), ...sourceFiles(path.join(ROOT_DIR, 'plugins'))]
      .filter((f) => f !== path.join(ROOT_DIR, 'core', 'errors.ts'))
      .filter((f) => /new AuraError\(/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT_DIR, f));
    expect(handMade).toEqual([]);
  });

  it('gives every code one status across the core and every plugin', async () => {
    const found = discoverPlugins([path.join(ROOT_DIR, 'plugins')]).found;
    const { records } = await loadPlugins(found, {}, CORE_VERSION);
    const catalogues: [string, ErrorCatalogue][] = [
      ['core', coreErrors],
      ...records.map((r) => [r.id, r.definition?.errors ?? {}] as [string, ErrorCatalogue]),
    ];
    const seen = new Map<string, string>();
    for (const [owner, catalogue] of catalogues)
      for (const e of Object.values(catalogue)) {
        expect(e.meaning.length, `${owner} ${e.code}`).toBeGreaterThan(10);
        const earlier = seen.get(e.code);
        expect(earlier === undefined || earlier.endsWith(`:${e.status}`), `${owner} ${e.code} ${earlier}`).toBe(true);
        seen.set(e.code, `${owner}:${e.status}`);
      }
    expect(records.every((r) => r.definition?.errors)).toBe(true);
  });

  it('makes errors with the declared status, code and detail', () => {
    const errors = defineErrors({ NO_SUCH_APP: { status: 404, meaning: 'No app with that id.' } });
    const err = errors.NO_SUCH_APP('No app "x".', { app: 'x' });
    expect(toErrorBody(err)).toEqual({
      status: 404,
      body: { detail: 'No app "x".', code: 'NO_SUCH_APP', app: 'x' },
      internal: false,
    });
    const { code, status, meaning } = errors.NO_SUCH_APP;
    expect({ code, status, meaning }).toEqual({ code: 'NO_SUCH_APP', status: 404, meaning: 'No app with that id.' });
  });

  it('refuses codes that are not UPPER_SNAKE_CASE or statuses that are not errors', () => {
    expect(() => defineErrors({ lower: { status: 400, meaning: 'x' } })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() => defineErrors({ OK_ISH: { status: 200, meaning: 'x' } })).toThrow(/4xx or 5xx/);
  });

  it("hides a library's own status and message behind 500 INTERNAL", () => {
    const dockerode = Object.assign(new Error('(HTTP code 401) unauthorized - secret detail'), { statusCode: 401, status: 401 });
    expect(toErrorBody(dockerode)).toEqual({
      status: 500,
      body: { detail: 'Internal error; see the server log.', code: 'INTERNAL' },
      internal: true,
    });
  });
});
