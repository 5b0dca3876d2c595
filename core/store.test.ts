import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, privateDataDir } from './store.ts';

describe('store', () => {
  it('gives each owner its own slice, persisted across restarts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-store-'));
    const store = await openStore(dir);
    const a = store.slice<{ n: number }>('plugin.a');
    const b = store.slice<{ n: number }>('plugin.b');
    await Promise.all([1, 2, 3].map(() => a.update((v) => ({ n: (v?.n ?? 0) + 1 }))));
    await b.update(() => ({ n: 100 }));
    const read = a.read()!;
    read.n = -1; // a copy: changing it changes nothing stored
    const reopened = await openStore(dir);
    expect(reopened.slice('plugin.a').read()).toEqual({ n: 3 });
    expect(reopened.slice('plugin.b').read()).toEqual({ n: 100 });
    await reopened.slice('plugin.b').update(() => undefined);
    expect((await openStore(dir)).slice('plugin.b').read()).toBeUndefined();
  });
});

describe('the data dir and store on disk', () => {
  it('writes store.json 0600, even over a looser file left before', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-store-'));
    writeFileSync(path.join(dir, 'store.json'), '{"slices":{}}', { mode: 0o644 });
    chmodSync(path.join(dir, 'store.json'), 0o644);
    const store = await openStore(dir);
    await store.slice('core.sessions').update(() => ({ a: 1 }));
    expect(statSync(path.join(dir, 'store.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['store.json']);
  });

  it('tightens a data dir others could read, and says so', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-store-'));
    chmodSync(dir, 0o755);
    expect(privateDataDir(dir)).toEqual({ tightenedFrom: 0o755 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(privateDataDir(dir)).toEqual({});
    const fresh = path.join(dir, 'new', 'data');
    privateDataDir(fresh);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
  });
});
