import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../test/harness/aura.ts';
import { captureLines } from '../test/harness/requests.ts';
import { runCli } from './cli.ts';

const emptyConfig = () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-backup-config-')), 'aura.yaml');
  writeFileSync(file, '');
  return file;
};

/** `npm run aura -- <args>` against a data dir, with Aura's address in the config as given. */
async function cli(args: string[], dataDir: string, port = 1): Promise<{ code: number; said: string }> {
  const { stream, text } = captureLines();
  const env = { AURA_CONFIG: emptyConfig(), AURA_DATA_DIR: dataDir, AURA_HOST: '127.0.0.1', AURA_PORT: String(port) };
  const code = await runCli(args, { out: stream, err: stream }, env);
  return { code, said: text() };
}

const listing = (file: string) => execFileSync('tar', ['-tzf', file]).toString().split('\n').filter(Boolean);
const storeIn = (file: string) =>
  JSON.parse(execFileSync('tar', ['-xzOf', file, './store.json']).toString()) as { slices: Record<string, unknown> };

describe('npm run aura -- backup / restore', () => {
  let t: TestAura;
  let apiToken: string;
  let sessionToken: string;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-backups-'));
  const file = path.join(dir, 'aura.tar.gz');
  const port = () => Number(new URL(t.url).port);

  beforeAll(async () => {
    t = await startTestAura();
    const { cookie, token } = await t.login();
    sessionToken = token;
    const made = await t.request('/api/tokens', { method: 'POST', cookie, json: { name: 'prometheus', expiresInDays: 30 } });
    expect(made.status).toBe(201);
    apiToken = ((await made.json()) as { token: string }).token;
    mkdirSync(path.join(t.dataDir, 'plugins', 'notes'), { recursive: true });
    writeFileSync(path.join(t.dataDir, 'plugins', 'notes', 'note.txt'), 'kept\n');
  });
  afterAll(() => t?.close());

  it('writes the data dir while Aura runs: store, audit and plugins’ data, without sign-in sessions, 0600', async () => {
    const { code, said } = await cli(['backup', file], t.dataDir, port());
    expect(code, said).toBe(0);
    expect(said).toContain(`to ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const names = listing(file);
    expect(names).toEqual(expect.arrayContaining(['./store.json', './plugins/notes/note.txt']));
    expect(names.some((n) => /^\.\/audit.*\.jsonl$/.test(n))).toBe(true);
    const slices = storeIn(file).slices;
    expect(Object.keys(slices)).not.toContain('core.sessions');
    expect(JSON.stringify(slices)).toContain('prometheus'); // the API token's record stays
    expect(readdirSync(dir)).toEqual(['aura.tar.gz']); // no staging copy left behind
  });

  it('refuses to restore while Aura answers on the configured port, and touches nothing', async () => {
    const before = readdirSync(t.dataDir).sort();
    const { code, said } = await cli(['restore', file], t.dataDir, port());
    expect(code).toBe(1);
    expect(said).toMatch(/Aura is running on port \d+: stop it first/);
    expect(readdirSync(t.dataDir).sort()).toEqual(before);
  });

  it('restores into a stopped Aura: API tokens and the audit come back, sessions do not, the old dir is kept', async () => {
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-restored-')), 'data');
    mkdirSync(target, { mode: 0o700 });
    writeFileSync(path.join(target, 'store.json'), '{"slices":{}}');
    const { code, said } = await cli(['restore', file], target);
    expect(code, said).toBe(0);
    const kept = /kept at (\S+)\.$/m.exec(said)![1]!;
    expect(readFileSync(path.join(kept, 'store.json'), 'utf8')).toBe('{"slices":{}}');
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(target, 'store.json')).mode & 0o777).toBe(0o600);

    const restored = await startTestAura({}, { dataDir: target });
    try {
      expect((await restored.request('/api/servers', { token: apiToken })).status).toBe(200);
      expect((await restored.request('/api/servers', { token: sessionToken })).status).toBe(401);
      const audit = (await (await restored.request('/api/audit?limit=50', { token: apiToken })).json()) as {
        entries?: { action: string }[];
      };
      expect(JSON.stringify(audit)).toContain('auth.token.create');
      expect(readFileSync(path.join(target, 'plugins', 'notes', 'note.txt'), 'utf8')).toBe('kept\n');
    } finally {
      await restored.close();
    }
  });

  it('leaves the data dir as it was when the archive is not a backup', async () => {
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-restored-')), 'data');
    mkdirSync(target);
    writeFileSync(path.join(target, 'store.json'), '{"slices":{"x":1}}');
    const garbage = path.join(dir, 'garbage.tar.gz');
    writeFileSync(garbage, 'not a tar at all');
    const noStore = path.join(dir, 'nostore.tar.gz');
    execFileSync('tar', ['-czf', noStore, '-C', path.join(t.dataDir, 'plugins'), '.']);
    for (const bad of [garbage, noStore]) await expect(cli(['restore', bad], target), bad).rejects.toThrow();
    expect(readFileSync(path.join(target, 'store.json'), 'utf8')).toBe('{"slices":{"x":1}}');
    expect(readdirSync(path.dirname(target))).toEqual(['data']);
    expect(existsSync(path.join(target, 'plugins'))).toBe(false);
  });

  it('says how to call it without a file', async () => {
    for (const name of ['backup', 'restore']) {
      const { code, said } = await cli([name], t.dataDir);
      expect(code).toBe(2);
      expect(said).toBe(`Usage: npm run aura -- ${name} <file>\n`);
    }
  });
});
