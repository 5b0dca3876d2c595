import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostContract } from '../../test/harness/host-contract.ts';
import { createLocalHost } from './local.ts';

/** Running, not gone and not a zombie waiting for its parent. */
function alive(pid: string): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('local host', () => {
  const host = createLocalHost();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-local-'));
  chmodSync(dir, 0o777);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  hostContract(
    () => host,
    () => dir,
  );

  it("starts a terminal's shell with a clean environment: none of Aura's secrets", async () => {
    process.env.AURA_TEST_SECRET = 'hunter2-in-env';
    try {
      const pty = await host.pty({ cols: 80, rows: 24, argv: ['env'] });
      let out = '';
      pty.onData((d) => (out += d));
      await new Promise<number>((resolve) => pty.onExit(resolve));
      expect(out).not.toContain('hunter2-in-env');
      expect(out).toContain('TERM=xterm-256color');
      expect(out).toContain(`HOME=${os.homedir()}`);
    } finally {
      delete process.env.AURA_TEST_SECRET;
    }
  });

  it("hangs up a terminal's whole session: its background jobs end with the shell", async () => {
    const pty = await host.pty({ cols: 80, rows: 24, argv: ['sh', '-i'] });
    let out = '';
    pty.onData((d) => (out += d));
    const exited = new Promise<number>((resolve) => pty.onExit(resolve));
    pty.write('sleep 300 & echo "job=$!"\n');
    await expect.poll(() => /job=(\d+)/.exec(out)?.[1]).toBeDefined();
    const job = /job=(\d+)/.exec(out)![1]!;
    pty.kill();
    await exited;
    await expect.poll(() => alive(job)).toBe(false);
  });

  it('is the local kind', () => {
    expect(host).toMatchObject({ id: 'local', kind: 'local' });
  });
});
