import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sessions } from './sessions.ts';
import { openStore } from './store.ts';

const limits = { idleMs: 10_000, absoluteMs: 60_000, bearerMs: 5_000 };
const admin = { username: 'admin', role: 'admin' as const };

describe('sessions', () => {
  it('expire after the idle time, and at the absolute lifetime even when active', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-sessions-'));
    let now = 1_000_000;
    const sessions = new Sessions(await openStore(dir), limits, () => now);
    const idle = await sessions.create(admin, 'cookie');
    const busy = await sessions.create(admin, 'cookie');
    now += 9_000;
    expect(sessions.lookup(busy.id, 'cookie')).toEqual(admin);
    now += 2_000; // 11 s since idle was last seen
    expect(sessions.lookup(idle.id, 'cookie')).toBeUndefined();
    for (let t = 0; t < 6; t++) {
      expect(sessions.lookup(busy.id, 'cookie')).toEqual(admin); // never idle...
      now += 9_000;
    }
    expect(sessions.lookup(busy.id, 'cookie')).toBeUndefined(); // past 60 s since creation
  });

  it('keep bearer tokens and cookies apart, and bearer tokens short-lived', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-sessions-'));
    let now = 0;
    const sessions = new Sessions(await openStore(dir), limits, () => now);
    const token = await sessions.create(admin, 'bearer');
    expect(sessions.lookup(token.id, 'cookie')).toBeUndefined();
    expect(sessions.lookup(token.id, 'bearer')).toEqual(admin);
    now += 5_000;
    expect(sessions.lookup(token.id, 'bearer')).toBeUndefined();
  });

  it('survive a restart, with only hashes of their ids on disk', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-sessions-'));
    const first = new Sessions(await openStore(dir), limits);
    const { id } = await first.create(admin, 'cookie');
    expect(readFileSync(path.join(dir, 'store.json'), 'utf8')).not.toContain(id);
    const second = new Sessions(await openStore(dir), limits);
    expect(second.lookup(id, 'cookie')).toEqual(admin);
    await second.destroy(id);
    expect(new Sessions(await openStore(dir), limits).lookup(id, 'cookie')).toBeUndefined();
  });
});

describe('sessions bound to a credential', () => {
  const local = { username: 'admin', role: 'admin' as const, provider: 'local' as const };
  const google = { username: 'viewer@example.org', role: 'viewer' as const, provider: 'google' as const };

  it("end when the user's credential generation changes, and only theirs", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-sessions-'));
    let epoch = 'one';
    const epochOf = (u: { provider?: string }) => (u.provider === 'google' ? '' : epoch);
    const sessions = new Sessions(await openStore(dir), limits);
    const before = await sessions.create(local, 'cookie'); // made before any binding: no generation
    sessions.bindCredentials(epochOf);
    expect(sessions.lookup(before.id, 'cookie')).toBeUndefined();
    const cookie = await sessions.create(local, 'cookie');
    const bearer = await sessions.create(local, 'bearer');
    const other = await sessions.create(google, 'cookie');
    expect(sessions.lookup(cookie.id, 'cookie')).toEqual(local);
    // The same generation after a restart: still signed in.
    const restarted = new Sessions(await openStore(dir), limits);
    restarted.bindCredentials(epochOf);
    expect(restarted.lookup(bearer.id, 'bearer')).toEqual(local);
    epoch = 'two';
    expect(restarted.lookup(cookie.id, 'cookie')).toBeUndefined();
    expect(restarted.lookup(bearer.id, 'bearer')).toBeUndefined();
    expect(restarted.lookup(other.id, 'cookie')).toEqual(google);
  });

  it('end all at once for one user ("sign out everywhere"), and no one else\'s', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-sessions-'));
    let now = 0;
    const sessions = new Sessions(await openStore(dir), limits, () => now);
    const old = await sessions.create(local, 'bearer');
    now += 3_000;
    const a = await sessions.create(local, 'cookie');
    const b = await sessions.create(local, 'bearer', a.id);
    const other = await sessions.create(google, 'cookie');
    now += 3_000; // `old` (a bearer of 5 s) has expired: ended, but not counted
    expect(await sessions.destroyAllOf({ ...local, role: 'viewer' })).toBe(2);
    expect(sessions.lookup(a.id, 'cookie')).toBeUndefined();
    expect(sessions.lookup(b.id, 'bearer')).toBeUndefined();
    expect(sessions.lookup(old.id, 'bearer')).toBeUndefined();
    expect(sessions.lookup(other.id, 'cookie')).toEqual(google);
    expect(new Sessions(await openStore(dir), limits).lookup(a.id, 'cookie')).toBeUndefined();
  });
});
