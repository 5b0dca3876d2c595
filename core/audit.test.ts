import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_FAILURES, FAILURES_PER_KIND, openAuditLog } from './audit.ts';

describe('audit log', () => {
  it('appends JSON lines, rotates by size and pages across the rotated files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));
    const log = await openAuditLog(dir, { maxBytes: 1024, keepFiles: 2 });
    for (let i = 1; i <= 30; i++) await log.record({ user: 'admin', action: 'test.act', target: `t${i}`, result: 'success' });
    expect(existsSync(path.join(dir, 'audit.jsonl.1'))).toBe(true);
    expect(readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').length).toBeLessThanOrEqual(1024);
    const first = await log.page({ limit: 5 });
    expect(first.map((e) => e.target)).toEqual(['t30', 't29', 't28', 't27', 't26']);
    const older = await log.page({ limit: 100, before: first[4]!.id });
    expect(older[0]!.target).toBe('t25');
    // Only keepFiles old files are kept: the oldest entries are gone, the rest is contiguous.
    const ids = older.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids.length).toBeLessThan(25);
  });

  it('continues the id sequence after a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));
    const a = await openAuditLog(dir, { maxBytes: 100_000, keepFiles: 1 });
    const e1 = await a.record({ user: null, action: 'x', result: 'failure' });
    const b = await openAuditLog(dir, { maxBytes: 100_000, keepFiles: 1 });
    const e2 = await b.record({ user: null, action: 'y', result: 'success' });
    expect(e2!.id).toBe(e1!.id + 1);
    expect(e2).toMatchObject({ user: null, server: null, target: null, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });
});

describe('audit log under attack', () => {
  const open = (dir: string, now: () => number, onDamaged?: (file: string, lines: number) => void) =>
    openAuditLog(dir, { maxBytes: 64 * 1024, keepFiles: 2, now, onDamaged });

  it('cuts attacker-controlled text to a short length', async () => {
    const log = await open(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), Date.now);
    const e = await log.record({
      user: 'u'.repeat(15_000),
      action: 'a'.repeat(15_000),
      target: 't'.repeat(15_000),
      detail: 'd'.repeat(15_000),
      result: 'failure',
    });
    expect([e!.user!.length, e!.action.length, e!.target!.length, e!.detail!.length]).toEqual([200, 120, 300, 500]);
    expect(e!.target!.endsWith('…')).toBe(true);
  });

  it('keeps the history when strangers flood it with failures, and counts what it did not write', async () => {
    let t = Date.parse('2026-11-22T00:00:00Z');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));
    const log = await open(dir, () => t);
    const kept = await log.record({ user: 'admin', action: 'services.restart', target: 'web.service', result: 'success' });
    // One address, then many: 2,100 requests with 15 KB of text each rotated everything away before.
    for (let i = 0; i < 2100; i++)
      await log.record({
        user: null,
        action: 'auth.login',
        result: 'failure',
        detail: 'x'.repeat(15_000),
        source: i < 1000 ? '203.0.113.9' : `198.51.100.${i % 250}`,
      });
    const lines = readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(1 + ANONYMOUS_FAILURES);
    expect(existsSync(path.join(dir, 'audit.jsonl.1'))).toBe(false);
    expect((await log.page({ limit: 200 })).at(-1)).toEqual(kept);

    t += 60_000;
    await log.flush();
    const [summary, ...rest] = await log.page({ limit: 200 });
    expect(summary).toMatchObject({
      user: null,
      action: 'auth.login',
      result: 'failure',
      target: 'from 251 addresses',
      detail: expect.stringMatching(/^2000 more failures .*\(e\.g\. from 203\.0\.113\.9\)$/),
    });
    expect(rest).toHaveLength(ANONYMOUS_FAILURES + 1);
    // A new minute, a new budget.
    expect(await log.record({ user: null, action: 'auth.login', result: 'failure', source: '203.0.113.9' })).toBeDefined();
  });

  it('budgets a signed-in user by kind of failure, never their successes', async () => {
    const t = Date.parse('2026-11-22T00:00:00Z');
    const log = await open(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), () => t);
    const denied = await Promise.all(
      Array.from({ length: 40 }, () => log.record({ user: 'victor', action: 'auth.denied', result: 'failure' })),
    );
    expect(denied.filter(Boolean)).toHaveLength(FAILURES_PER_KIND);
    expect(await log.record({ user: 'victor', action: 'auth.token.create', result: 'failure' })).toBeDefined();
    const ok = await Promise.all(
      Array.from({ length: 40 }, () => log.record({ user: 'admin', action: 'x.y', result: 'success' })),
    );
    expect(ok.every(Boolean)).toBe(true);
  });

  it('starts despite a line cut by a crash, skips it, reports it, and numbers on from the newest entry', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));
    const a = await open(dir, Date.now);
    for (let i = 0; i < 3; i++) await a.record({ user: 'admin', action: 'x', target: `t${i}`, result: 'success' });
    appendFileSync(path.join(dir, 'audit.jsonl'), '{"id":4,"time":"2026-11-22T00:00:00.000Z","user":"adm');
    const damaged: number[] = [];
    const b = await open(dir, Date.now, (_f, n) => damaged.push(n));
    expect(damaged).toEqual([1]);
    const next = await b.record({ user: 'admin', action: 'x', target: 't3', result: 'success' });
    expect(next!.id).toBe(4);
    expect((await b.page({ limit: 10 })).map((e) => e.target)).toEqual(['t3', 't2', 't1', 't0']);
  });

  it('numbers on from the newest entry of a rotated file when the current one is empty', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));
    const a = await open(dir, Date.now);
    for (let i = 0; i < 3; i++) await a.record({ user: 'admin', action: 'x', result: 'success' });
    renameSync(path.join(dir, 'audit.jsonl'), path.join(dir, 'audit.jsonl.1'));
    writeFileSync(path.join(dir, 'audit.jsonl'), '');
    const b = await open(dir, Date.now);
    expect(readFileSync(path.join(dir, 'audit.jsonl'), 'utf8')).toBe('');
    expect((await b.record({ user: 'admin', action: 'x', result: 'success' }))!.id).toBe(4);
  });

  it('pages by id into older files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));
    const log = await openAuditLog(dir, { maxBytes: 2048, keepFiles: 5 });
    for (let i = 1; i <= 40; i++) await log.record({ user: 'admin', action: 'x', target: `t${i}`, result: 'success' });
    expect(existsSync(path.join(dir, 'audit.jsonl.2'))).toBe(true);
    const page = await log.page({ limit: 3, before: 5 });
    expect(page.map((e) => e.target)).toEqual(['t4', 't3', 't2']);
    expect((await log.page({ limit: 2, before: 39 })).map((e) => e.target)).toEqual(['t38', 't37']);
  });
});

describe('audit entries as written', () => {
  const T0 = Date.parse('2026-11-22T00:00:00Z');
  const fresh = () => mkdtempSync(path.join(os.tmpdir(), 'aura-audit-'));

  it('keeps text of exactly the limit whole, leaves out an empty detail, and is readable by its owner only', async () => {
    const dir = fresh();
    const log = await openAuditLog(dir, { maxBytes: 100_000, keepFiles: 1, now: () => T0 });
    const e = await log.record({
      user: 'admin',
      server: 's'.repeat(64),
      action: 'x',
      target: 't'.repeat(300),
      detail: '',
      result: 'success',
    });
    expect(e).toEqual({
      id: 1,
      time: '2026-11-22T00:00:00.000Z',
      user: 'admin',
      server: 's'.repeat(64),
      action: 'x',
      target: 't'.repeat(300),
      result: 'success',
    });
    const long = await log.record({ user: 'admin', server: 's'.repeat(65), action: 'x', result: 'success', detail: 'd' });
    expect([long!.server, long!.detail]).toEqual([`${'s'.repeat(63)}…`, 'd']);
    expect(
      readFileSync(path.join(dir, 'audit.jsonl'), 'utf8')
        .split('\n')
        .map((l) => l && JSON.parse(l)),
    ).toEqual([e, long, '']);
    expect(statSync(path.join(dir, 'audit.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('rotates only when the next line would not fit, and never an empty file', async () => {
    const entry = { user: 'admin', action: 'x', result: 'success' } as const;
    const probe = fresh();
    await (await openAuditLog(probe, { maxBytes: 100_000, keepFiles: 1, now: () => T0 })).record(entry);
    const lineLength = statSync(path.join(probe, 'audit.jsonl')).size;

    const dir = fresh();
    const log = await openAuditLog(dir, { maxBytes: 2 * lineLength, keepFiles: 2, now: () => T0 });
    for (let i = 0; i < 3; i++) await log.record(entry);
    const lines = (f: string) =>
      readFileSync(path.join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id);
    expect([lines('audit.jsonl.1'), lines('audit.jsonl')]).toEqual([[1, 2], [3]]);

    const tiny = fresh();
    writeFileSync(path.join(tiny, 'audit.jsonl'), '');
    const small = await openAuditLog(tiny, { maxBytes: 10, keepFiles: 2, now: () => T0 });
    await small.record(entry);
    expect(existsSync(path.join(tiny, 'audit.jsonl.1'))).toBe(false);
    await small.record(entry);
    expect(readdirSync(tiny).sort()).toEqual(['audit.jsonl', 'audit.jsonl.1']);
  });

  it('numbers on from the current file after a restart, not from a rotated one', async () => {
    const dir = fresh();
    const a = await openAuditLog(dir, { maxBytes: 600, keepFiles: 3 });
    for (let i = 0; i < 10; i++) await a.record({ user: 'admin', action: 'x', result: 'success' });
    expect(existsSync(path.join(dir, 'audit.jsonl.1'))).toBe(true);
    const before = readFileSync(path.join(dir, 'audit.jsonl'), 'utf8');
    const b = await openAuditLog(dir, { maxBytes: 600, keepFiles: 3 });
    // Opening leaves a sound file as it is: no blank line is added.
    expect(readFileSync(path.join(dir, 'audit.jsonl'), 'utf8')).toBe(before);
    expect((await b.record({ user: 'admin', action: 'x', result: 'success' }))!.id).toBe(11);
  });

  it('reports damaged lines only when there are some, and skips lines without an id', async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'audit.jsonl'), '{"id":1,"action":"a"}\n{"action":"no id"}\n{"id":"2"}\n');
    const damaged: [string, number][] = [];
    const log = await openAuditLog(dir, { maxBytes: 100_000, keepFiles: 1, onDamaged: (f, n) => damaged.push([f, n]) });
    expect(damaged).toEqual([[path.join(dir, 'audit.jsonl'), 2]]);
    damaged.length = 0;
    await log.record({ user: 'admin', action: 'b', result: 'success' });
    writeFileSync(path.join(dir, 'audit.jsonl'), '{"id":1,"action":"a"}\n');
    expect((await log.page({ limit: 10 })).map((e) => e.action)).toEqual(['a']);
    expect(damaged).toEqual([]);
  });

  it('starts on a damaged file when nobody listens for damage', async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'audit.jsonl'), '{"id":1,"action":"a"}\nnot json\n');
    const log = await openAuditLog(dir, { maxBytes: 100_000, keepFiles: 1 });
    expect((await log.page({ limit: 10 })).map((e) => e.id)).toEqual([1]);
  });

  it('pages across files up to the limit, reading no file it does not need', async () => {
    const dir = fresh();
    const file = path.join(dir, 'audit.jsonl');
    const lines = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `{"id":${from + i},"action":"a${from + i}"}\n`).join('');
    // A damaged line in the current file and in the oldest: reading one reports it.
    writeFileSync(`${file}.2`, `${lines(1, 9)}damaged\n`);
    writeFileSync(`${file}.1`, lines(10, 12));
    writeFileSync(file, `${lines(13, 14)}damaged\n`);
    const read: string[] = [];
    const log = await openAuditLog(dir, { maxBytes: 100_000, keepFiles: 4, onDamaged: (f) => read.push(path.basename(f)) });
    const page = async (opts: { limit: number; before?: number }) => {
      read.length = 0;
      return { ids: (await log.page(opts)).map((e) => e.id), read: [...read] };
    };
    expect(await page({ limit: 5 })).toEqual({ ids: [14, 13, 12, 11, 10], read: ['audit.jsonl'] });
    expect(await page({ limit: 6 })).toEqual({ ids: [14, 13, 12, 11, 10, 9], read: ['audit.jsonl', 'audit.jsonl.2'] });
    // Older pages skip the current file: its first id is not before theirs.
    expect(await page({ limit: 4, before: 12 })).toEqual({ ids: [11, 10, 9, 8], read: ['audit.jsonl.2'] });
    expect(await page({ limit: 4, before: 10 })).toEqual({ ids: [9, 8, 7, 6], read: ['audit.jsonl.2'] });
    // Nothing is older than the first entry; the search for it ends at the missing .3.
    expect(await page({ limit: 4, before: 1 })).toEqual({ ids: [], read: [] });
  });

  it('goes on writing after a write failed', async () => {
    const dir = fresh();
    const log = await openAuditLog(dir, { maxBytes: 100_000, keepFiles: 1 });
    rmSync(dir, { recursive: true });
    await expect(log.record({ user: 'admin', action: 'lost', result: 'success' })).rejects.toThrow(/ENOENT/);
    mkdirSync(dir);
    expect(await log.record({ user: 'admin', action: 'kept', result: 'success' })).toMatchObject({ action: 'kept' });
    expect((await log.page({ limit: 10 })).map((e) => e.action)).toEqual(['kept']);
  });
});

describe('budgets for failures', () => {
  const T0 = Date.parse('2026-11-22T00:00:00Z');
  const summary = (n: number) => `${n} more failures like this within a minute were counted, not recorded`;

  it("writes a user's count of unwritten failures once their minute is over, and starts a new budget", async () => {
    let t = T0;
    const log = await openAuditLog(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), {
      maxBytes: 1e6,
      keepFiles: 1,
      now: () => t,
    });
    const fail = () => log.record({ user: 'victor', server: 'box', action: 'auth.denied', target: 'x', result: 'failure' });
    for (let i = 0; i < FAILURES_PER_KIND + 5; i++) await fail();
    // Budgets are looked at once a second at most: at 59 s (not over yet), then at 60 s.
    t += 59_000;
    await log.flush();
    expect(await log.page({ limit: 100 })).toHaveLength(FAILURES_PER_KIND);
    t += 1000;
    await log.flush();
    const [newest] = await log.page({ limit: 100 });
    expect(newest).toMatchObject({
      user: 'victor',
      server: 'box',
      action: 'auth.denied',
      target: null,
      result: 'failure',
      detail: summary(5),
    });
    // A full budget again, and the summary is written once.
    for (let i = 0; i < FAILURES_PER_KIND; i++) expect(await fail()).toBeDefined();
    await log.flush({ all: true });
    expect((await log.page({ limit: 100 })).filter((e) => e.detail)).toHaveLength(1);
  });

  it("looks at budgets at most once a second, and at strangers' only once their minute is over", async () => {
    let t = T0;
    const log = await openAuditLog(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), {
      maxBytes: 1e6,
      keepFiles: 1,
      now: () => t,
    });
    for (let i = 0; i < FAILURES_PER_KIND + 1; i++) await log.record({ user: 'victor', action: 'a', result: 'failure' });
    for (let i = 0; i < FAILURES_PER_KIND + 1; i++) await log.record({ user: null, action: 'b', result: 'failure', source: 'x' });
    const counted = async () => (await log.page({ limit: 100 })).filter((e) => e.detail).map((e) => e.action);
    for (const at of [1000, 59_999, 60_000]) {
      t = T0 + at;
      await log.flush();
      expect(await counted(), `at ${at} ms`).toEqual([]);
    }
    // The minute is over at 60 s, but the last look was a millisecond before.
    t = T0 + 60_999;
    await log.flush();
    expect(await counted()).toEqual(['b', 'a']);
  });

  it("records a signed-in user's failures when strangers have used up theirs", async () => {
    const log = await openAuditLog(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), {
      maxBytes: 1e6,
      keepFiles: 1,
      now: () => T0,
    });
    for (let i = 0; i < ANONYMOUS_FAILURES; i++)
      await log.record({ user: null, action: 'b', result: 'failure', source: `s${i}` });
    expect(await log.record({ user: 'victor', action: 'b', result: 'failure' })).toMatchObject({ user: 'victor' });
  });

  it('gives a user whose minute passed without drops a fresh budget', async () => {
    let t = T0;
    const log = await openAuditLog(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), {
      maxBytes: 1e6,
      keepFiles: 1,
      now: () => t,
    });
    const fail = () => log.record({ user: 'victor', action: 'auth.denied', result: 'failure' });
    for (let i = 0; i < FAILURES_PER_KIND; i++) await fail();
    t += 60_000;
    for (let i = 0; i < FAILURES_PER_KIND; i++) expect(await fail(), `failure ${i}`).toBeDefined();
    expect(await fail()).toBeUndefined();
  });

  it('writes the counts at shutdown, before their minute is over', async () => {
    const log = await openAuditLog(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), {
      maxBytes: 1e6,
      keepFiles: 1,
      now: () => T0,
    });
    for (let i = 0; i < FAILURES_PER_KIND + 2; i++) await log.record({ user: 'victor', action: 'a', result: 'failure' });
    for (let i = 0; i < FAILURES_PER_KIND + 1; i++) await log.record({ user: null, action: 'b', result: 'failure' });
    await log.flush();
    expect((await log.page({ limit: 100 })).filter((e) => e.detail)).toEqual([]);
    await log.flush({ all: true });
    expect((await log.page({ limit: 100 })).filter((e) => e.detail).map((e) => [e.user, e.action, e.target, e.detail])).toEqual([
      [null, 'b', 'from 1 addresses', `${summary(1)} (e.g. from unknown)`],
      ['victor', 'a', null, summary(2)],
    ]);
  });

  it('budgets each stranger address, and counts at most 1000 addresses', async () => {
    const log = await openAuditLog(mkdtempSync(path.join(os.tmpdir(), 'aura-audit-')), {
      maxBytes: 1e6,
      keepFiles: 1,
      now: () => T0,
    });
    const fail = (source: string) => log.record({ user: null, action: 'auth.login', result: 'failure', source });
    for (let i = 0; i < FAILURES_PER_KIND; i++) expect(await fail('203.0.113.1')).toBeDefined();
    expect(await fail('203.0.113.1')).toBeUndefined();
    expect(await fail('203.0.113.2')).toBeDefined();
    // 21 written so far: 79 more addresses fill the strangers' budget, the next 21 are counted.
    for (let i = 0; i < ANONYMOUS_FAILURES; i++) await fail(`198.51.100.${i}`);
    expect(await log.page({ limit: 200 })).toHaveLength(ANONYMOUS_FAILURES);
    for (let i = 0; i < 1000; i++) expect(await fail(`192.0.2.${i}`)).toBeUndefined();
    await log.flush({ all: true });
    const [newest] = await log.page({ limit: 1 });
    expect(newest).toMatchObject({ target: 'from 1000+ addresses', detail: `${summary(1 + 21 + 1000)} (e.g. from 203.0.113.1)` });
  });
});
