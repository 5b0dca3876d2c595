import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './store.ts';

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
