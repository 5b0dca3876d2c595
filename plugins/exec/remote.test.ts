import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { SSH_TEST_USER, startSshd, type TestSshd } from '../../test/harness/sshd.ts';

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

  it('stops a remote command at its timeout and keeps what it printed', async () => {
    const { status, body } = await run({ command: 'echo before; sleep 30; echo after', timeoutSeconds: 1 });
    expect(status).toBe(504);
    expect(body).toMatchObject({ code: 'COMMAND_TIMEOUT', stdout: 'before\n' });
  });
});
