import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrorCatalogue } from './errors.ts';
import { CORE_VERSION, ROOT_DIR } from './version.ts';

/**
 * errors.ts (and the loader, which imports it) is imported inside each test, not at the top
 * of this file: a catalogue entry that makes the module throw as it loads (a bad code or
 * status) then fails every test here, where a file that cannot load would run no test at all.
 */
const load = () => import('./errors.ts');

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
    const { coreErrors } = await load();
    const { discoverPlugins, loadPlugins } = await import('./loader.ts');
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

  it('makes errors with the declared status, code and detail', async () => {
    const { defineErrors, toErrorBody } = await load();
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

  it('refuses codes that are not UPPER_SNAKE_CASE or statuses that are not errors', async () => {
    const { defineErrors } = await load();
    expect(() => defineErrors({ lower: { status: 400, meaning: 'x' } })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() => defineErrors({ OK_ISH: { status: 200, meaning: 'x' } })).toThrow(/4xx or 5xx/);
  });

  it("hides a library's own status and message behind 500 INTERNAL", async () => {
    const { toErrorBody } = await load();
    const dockerode = Object.assign(new Error('(HTTP code 401) unauthorized - secret detail'), { statusCode: 401, status: 401 });
    expect(toErrorBody(dockerode)).toEqual({
      status: 500,
      body: { detail: 'Internal error; see the server log.', code: 'INTERNAL' },
      internal: true,
    });
  });
});

describe('defineErrors', () => {
  const define = async (code: string, status: number) => {
    const { defineErrors } = await load();
    return () => defineErrors({ [code]: { status, meaning: 'x' } });
  };

  it('takes UPPER_SNAKE_CASE codes of two characters or more, and only those', async () => {
    for (const ok of ['AB', 'A_B2', 'NO_SUCH_APP']) expect(await define(ok, 400), ok).not.toThrow();
    for (const bad of ['A', 'xAB', 'AB-x', 'ABc', '_AB', '1AB', 'A B'])
      expect(await define(bad, 400), bad).toThrow(`error ${bad}: codes are UPPER_SNAKE_CASE with a 4xx or 5xx status`);
  });

  it('takes whole statuses from 400 to 599, and only those', async () => {
    for (const ok of [400, 599]) expect(await define('OK_CODE', ok), String(ok)).not.toThrow();
    for (const bad of [399, 600, 404.5]) expect(await define('BAD_CODE', bad), String(bad)).toThrow(/4xx or 5xx/);
  });

  it('makes AuraErrors that keep their status, code, detail and extra', async () => {
    const { AuraError, defineErrors } = await load();
    const err = defineErrors({ GONE: { status: 410, meaning: 'Gone for good.' } }).GONE('It went.', { since: 1 });
    expect(err).toBeInstanceOf(AuraError);
    expect(err).toBeInstanceOf(Error);
    expect({ ...err, name: err.name, message: err.message }).toEqual({
      name: 'AuraError',
      message: 'It went.',
      status: 410,
      code: 'GONE',
      expose: true,
      extra: { since: 1 },
    });
  });
});

describe("the core's shorthands", () => {
  it('answer with their codes and default details', async () => {
    const { badRequest, forbidden, notFound, toErrorBody, unauthenticated } = await load();
    const bodies = [badRequest('Bad.', { field: 'x' }), unauthenticated(), forbidden(), notFound()].map(toErrorBody);
    expect(bodies).toEqual([
      { status: 400, body: { field: 'x', detail: 'Bad.', code: 'VALIDATION_ERROR' }, internal: false },
      { status: 401, body: { detail: 'Sign in to continue.', code: 'UNAUTHENTICATED' }, internal: false },
      { status: 403, body: { detail: 'Your role does not allow this action.', code: 'FORBIDDEN' }, internal: false },
      { status: 404, body: { detail: 'Not found.', code: 'NOT_FOUND' }, internal: false },
    ]);
    expect(toErrorBody(unauthenticated('Token expired.')).body.detail).toBe('Token expired.');
    expect(toErrorBody(forbidden('Admins only.')).body.detail).toBe('Admins only.');
    expect(toErrorBody(notFound('No such app.')).body.detail).toBe('No such app.');
  });
});

describe('toErrorBody', () => {
  /** An http-errors error, as Koa's ctx.throw and body parsers make them. */
  const httpError = (status: number, message = 'Nope.', more: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), { status, statusCode: status, expose: status < 500, ...more });

  it("names an exposed library error's status with the code clients know", async () => {
    const { toErrorBody } = await load();
    const codes = Object.fromEntries(
      [400, 401, 403, 404, 405, 409, 413, 415, 429, 418].map((s) => [s, toErrorBody(httpError(s)).body.code]),
    );
    expect(codes).toEqual({
      400: 'VALIDATION_ERROR',
      401: 'UNAUTHENTICATED',
      403: 'FORBIDDEN',
      404: 'NOT_FOUND',
      405: 'METHOD_NOT_ALLOWED',
      409: 'CONFLICT',
      413: 'PAYLOAD_TOO_LARGE',
      415: 'UNSUPPORTED_MEDIA_TYPE',
      429: 'TOO_MANY_REQUESTS',
      418: 'ERROR',
    });
    expect(toErrorBody(httpError(413, 'request entity too large'))).toEqual({
      status: 413,
      body: { detail: 'request entity too large', code: 'PAYLOAD_TOO_LARGE' },
      internal: false,
    });
  });

  it("keeps an exposed error's own code only when it is UPPER_SNAKE_CASE", async () => {
    const { toErrorBody } = await load();
    expect(toErrorBody(httpError(400, 'x', { code: 'BODY_TOO_DEEP' })).body.code).toBe('BODY_TOO_DEEP');
    expect(toErrorBody(httpError(400, 'x', { code: 'entity.parse.failed' })).body.code).toBe('VALIDATION_ERROR');
    expect(toErrorBody(httpError(400, 'x', { code: 42 })).body.code).toBe('VALIDATION_ERROR');
    // Not a string, though it reads as one.
    expect(toErrorBody(httpError(400, 'x', { code: ['FORGED_CODE'] })).body.code).toBe('VALIDATION_ERROR');
  });

  it('takes the status from statusCode when status is missing', async () => {
    const { toErrorBody } = await load();
    const e = Object.assign(new Error('Conflict.'), { statusCode: 409, expose: true });
    expect(toErrorBody(e)).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });

  it('answers 500 INTERNAL for an exposed error without a status, a 5xx one, and anything not an error', async () => {
    const { toErrorBody } = await load();
    const internal = { status: 500, body: { detail: 'Internal error; see the server log.', code: 'INTERNAL' }, internal: true };
    expect(toErrorBody(Object.assign(new Error('no status'), { expose: true }))).toEqual(internal);
    expect(toErrorBody(httpError(500, 'secret', { expose: true }))).toEqual(internal);
    expect(toErrorBody(httpError(503, 'secret', { expose: true }))).toEqual(internal);
    for (const thrown of [null, undefined, 'boom', 42]) expect(toErrorBody(thrown), String(thrown)).toEqual(internal);
  });

  it("shows an AuraError's 5xx detail and marks it internal", async () => {
    const { coreErrors, toErrorBody } = await load();
    expect(toErrorBody(coreErrors.INTERNAL('Disk full.'))).toEqual({
      status: 500,
      body: { detail: 'Disk full.', code: 'INTERNAL' },
      internal: true,
    });
    expect(toErrorBody(coreErrors.SSH_ERROR('Refused.'))).toMatchObject({ status: 502, internal: true });
    expect(toErrorBody(httpError(499)).internal).toBe(false);
  });

  it('falls back to a generic detail for an empty or hidden message', async () => {
    const { badRequest, notFound, toErrorBody } = await load();
    expect(toErrorBody(notFound('')).body.detail).toBe('Request failed.');
    expect(toErrorBody(httpError(400, 'x', { message: 42 })).body.detail).toBe('Request failed.');
    const hidden = Object.defineProperty(badRequest('secret'), 'expose', { value: false });
    expect(toErrorBody(hidden).body).toEqual({ detail: 'Request failed.', code: 'VALIDATION_ERROR' });
  });

  it('spreads only an object extra, and never over the detail and code', async () => {
    const { badRequest, toErrorBody } = await load();
    expect(toErrorBody(badRequest('Bad.', { detail: 'forged', code: 'FORGED', retryAfter: 3 })).body).toEqual({
      detail: 'Bad.',
      code: 'VALIDATION_ERROR',
      retryAfter: 3,
    });
    expect(toErrorBody(httpError(400, 'Bad.', { extra: 'text' })).body).toEqual({ detail: 'Bad.', code: 'VALIDATION_ERROR' });
  });
});
