import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { startSshd, type TestSshd } from '../../test/harness/sshd.ts';
import type { ListeningPort } from './ss.ts';

describe('ports plugin', () => {
  let sshd: TestSshd;
  let t: TestAura;
  let token: string;

  beforeAll(async () => {
    sshd = await startSshd();
    t = await startTestAura({
      servers: [sshd.server('box')],
    });
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  it("lists Aura's own port on local, owned by this process under the name the kernel gives it", async () => {
    const res = await t.request('/api/servers/local/ports', { token });
    expect(res.status).toBe(200);
    const ports = (await res.json()) as ListeningPort[];
    const own = ports.find((p) => p.port === Number(new URL(t.url).port));
    expect(own).toEqual({
      protocol: 'tcp',
      localAddress: '127.0.0.1',
      port: Number(new URL(t.url).port),
      state: 'LISTEN',
      pid: process.pid,
      // "node" on Node 20, "MainThread" on Node 24, which names its main thread: ss and ps say the same.
      process: readFileSync('/proc/self/comm', 'utf8').trim(),
    });
  });

  it('lists the ports of an SSH server, its sshd among them', async () => {
    const res = await t.request('/api/servers/box/ports', { token });
    expect(res.status).toBe(200);
    const ports = (await res.json()) as ListeningPort[];
    // Not root there: ss shows the socket but cannot name another user's process.
    expect(ports).toContainEqual(
      expect.objectContaining({ protocol: 'tcp', localAddress: '127.0.0.1', port: sshd.port, state: 'LISTEN' }),
    );
  });

  it('offers ports.list as a read-only agent tool', async () => {
    const tool = t.aura.tools.list().find((x) => x.name === 'ports.list');
    expect(tool).toMatchObject({ plugin: 'ports', readOnly: true, destructive: false });
    const viewer = { user: { username: 'v', role: 'viewer' as const }, signal: AbortSignal.timeout(10_000) };
    const local = (await t.aura.tools.invoke('ports.list', {}, viewer)) as ListeningPort[];
    expect(local.some((p) => p.pid === process.pid)).toBe(true);
    const remote = (await t.aura.tools.invoke('ports.list', { serverId: 'box' }, viewer)) as ListeningPort[];
    expect(remote.some((p) => p.port === sshd.port)).toBe(true);
    await expect(t.aura.tools.invoke('ports.list', { serverId: 'nope' }, viewer)).rejects.toMatchObject({
      code: 'SERVER_NOT_FOUND',
    });
  });
});
