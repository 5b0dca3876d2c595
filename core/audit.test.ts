import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from './audit.ts';

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
    expect(e2.id).toBe(e1.id + 1);
    expect(e2).toMatchObject({ user: null, server: null, target: null, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });
});
