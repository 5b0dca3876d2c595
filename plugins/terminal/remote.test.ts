import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { connectSocket } from '../../test/harness/sockets.ts';
import { SSH_TEST_USER, startSshd, type TestSshd } from '../../test/harness/sshd.ts';
import { terminalPage } from '../../test/harness/terminal.ts';

/** A terminal on a server reached over a real sshd on loopback, through a real Aura. */
describe('the terminal on an SSH server', () => {
  let sshd: TestSshd;
  let t: TestAura;
  let token: string;

  beforeAll(async () => {
    sshd = await startSshd();
    t = await startTestAura({ servers: [sshd.server('box')], plugins: { terminal: { enabled: true } } });
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  const connect = async () => terminalPage(await connectSocket(t.url, 'terminal', { token, serverId: 'box' }));

  it("runs the SSH user's login shell in their home, follows resizes, and survives a reload", async () => {
    const page = await connect();
    const id = await page.open({ cols: 80, rows: 24 });
    await page.type(id, 'echo "mark-$((6*7))"; pwd; whoami; echo "term=$TERM"\r');
    const out = await page.seen(id, 'term=xterm-256color');
    expect(out).toContain('mark-42');
    expect(out).toContain(`/home/${SSH_TEST_USER}`);
    await page.call('resize', { sessionId: id, cols: 120, rows: 33 });
    await page.type(id, 'stty size\r');
    await page.seen(id, '33 120');
    page.socket.close();

    const again = await connect();
    await expect
      .poll(() => again.call('list'))
      .toEqual([expect.objectContaining({ sessionId: id, serverId: 'box', attached: false })]);
    await again.call('attach', { sessionId: id });
    await again.seen(id, 'mark-42');
    await again.type(id, 'exit 3\r');
    expect(await again.exited(id)).toBe(3);
    again.socket.close();
  });
});
