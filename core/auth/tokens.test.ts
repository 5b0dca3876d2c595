import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuraUser } from '../sessions.ts';
import { openStore, type Store } from '../store.ts';
import { PersonalTokens } from './tokens.ts';

const alice: AuraUser = { username: 'alice@example.org', role: 'admin', provider: 'google' };
const bob: AuraUser = { username: 'bob@example.org', role: 'admin', provider: 'google' };
const MINUTE = 60_000;

describe('personal API tokens', () => {
  let dir: string;
  let store: Store;
  let now = Date.parse('2026-11-22T10:00:00Z');
  let tokens: PersonalTokens;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aura-tokens-'));
    store = await openStore(dir);
    tokens = new PersonalTokens(store, () => now);
  });
  afterEach(async () => {
    await store.settled();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists and revokes only the owner's own tokens", async () => {
    const a = await tokens.create(alice, 'ci', 30);
    const b = await tokens.create(bob, 'backup', 30);
    expect(tokens.list(alice.username).map((t) => t.id)).toEqual([a.id]);
    expect(await tokens.revoke(alice.username, b.id)).toBe(false);
    expect(tokens.lookup(b.token)).toEqual(bob);
    expect(await tokens.revoke(alice.username, a.id)).toBe(true);
    expect(tokens.lookup(a.token)).toBeUndefined();
    expect(await tokens.revoke(alice.username, a.id)).toBe(false);
  });

  it('revokes what was made with a token, and what was made with that, but nothing beside it', async () => {
    const root = await tokens.create(alice, 'root', 30);
    const child = await tokens.create(alice, 'child', 10, { parent: root.id });
    const grandchild = await tokens.create(alice, 'grandchild', 5, { parent: child.id });
    const sibling = await tokens.create(alice, 'sibling', 30);
    expect(await tokens.revoke(alice.username, root.id)).toBe(true);
    for (const gone of [root, child, grandchild]) expect(tokens.lookup(gone.token)).toBeUndefined();
    expect(tokens.lookup(sibling.token)).toEqual(alice);
  });

  it("revokes all of one owner's tokens and no one else's", async () => {
    await tokens.create(alice, 'one', 30);
    await tokens.create(alice, 'two', 30);
    const b = await tokens.create(bob, 'backup', 30);
    expect(await tokens.revokeAllOf(alice.username)).toBe(2);
    expect(tokens.list(alice.username)).toEqual([]);
    expect(tokens.lookup(b.token)).toEqual(bob);
  });

  it('ends at its expiry to the millisecond, and refuses malformed and forged tokens', async () => {
    const t = await tokens.create(alice, 'short', 1);
    const end = Date.parse(t.info.expiresAt);
    now = end - 1;
    expect(tokens.find(t.token)).toMatchObject({ id: t.id, expiresAt: end });
    now = end;
    expect(tokens.find(t.token)).toBeUndefined();
    expect(tokens.find('aura_nothing')).toBeUndefined();
    now = end - 1;
    // Only the whole token: nothing before it, nothing after it.
    expect(tokens.find(`x${t.token}`)).toBeUndefined();
    expect(tokens.find(`${t.token}x`)).toBeUndefined();
    expect(tokens.find(t.token.slice(0, -1) + (t.token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
  });

  it('records when a token was last used, at most once a minute', async () => {
    const t = await tokens.create(alice, 'script', 30);
    const lastUsed = () => tokens.list(alice.username)[0]!.lastUsedAt;
    expect(lastUsed()).toBeNull();
    tokens.find(t.token);
    await store.settled();
    const first = lastUsed();
    expect(first).toBe(new Date(now).toISOString());
    now += MINUTE;
    tokens.find(t.token);
    await store.settled();
    expect(lastUsed()).toBe(first);
    now += 1;
    tokens.find(t.token);
    await store.settled();
    expect(lastUsed()).toBe(new Date(now).toISOString());
  });

  it('keeps tokens in the store, for the next start', async () => {
    const t = await tokens.create(alice, 'kept', 30);
    await store.settled();
    const again = new PersonalTokens(await openStore(dir), () => now);
    expect(again.lookup(t.token)).toEqual(alice);
  });
});
