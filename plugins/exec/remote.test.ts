import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { SSH_TEST_USER, startSshd, type TestSshd } from '../../test/harness/sshd.ts';

/** Whether a process is still there: a zombie is not. */
const alive = (pid: string) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** One shell line on a server reached over a real sshd on loopback. */
describe('exec over SSH', () => {
  let sshd: TestSshd;
  let t: TestAura;
  let token: string;

  beforeAll(async () => {
    sshd = await startSshd();
    t = await startTestAura({ servers: [sshd.server('box')] });
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  const run = async (body: unknown) => {
    const res = await t.request('/api/servers/box/exec', { method: 'POST', json: body, token });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('runs as the SSH user', async () => {
    expect(await run({ command: 'whoami; echo err >&2; exit 2' })).toEqual({
      status: 200,
      body: { stdout: `${SSH_TEST_USER}\n`, stderr: 'err\n', exitCode: 2, truncated: false, durationMs: expect.any(Number) },
    });
  });

  it('stops a remote command at its timeout, with what it started, and keeps what it printed', async () => {
    const { status, body } = await run({
      command: 'echo before; sleep 30 & echo $! > ~/exec-child.pid; wait; echo after',
      timeoutSeconds: 1,
    });
    expect(status).toBe(504);
    expect(body).toMatchObject({ code: 'COMMAND_TIMEOUT', stdout: 'before\n', exitCode: null });
    // sshd runs on this machine: the remote sleep is a process here, gone with its group.
    const pid = String((await run({ command: 'cat ~/exec-child.pid; rm -f ~/exec-child.pid' })).body.stdout).trim();
    expect(pid).toMatch(/^\d+$/);
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
  });
});
