import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerd } from '../../test/harness/dockerd.ts';
import { startSshd, type TestSshd } from '../../test/harness/sshd.ts';
import { createLogger } from '../logger.ts';
import type { Host } from './host.ts';
import { createLocalHost } from './local.ts';
import { createSshHost } from './ssh.ts';

describe('docker() on a real engine', () => {
  let sshd: TestSshd;
  let dockerd: { stop(): Promise<void> };
  let remote: Host;

  beforeAll(async () => {
    sshd = await startSshd();
    dockerd = await startDockerd();
    remote = createSshHost({
      server: sshd.server('box'),
      rootDir: sshd.dir,
      log: createLogger('silent'),
    });
  });
  afterAll(async () => {
    await remote?.close();
    await dockerd?.stop();
    await sshd?.stop();
  });

  it('reaches the local engine over its unix socket', async () => {
    const docker = await createLocalHost().docker();
    expect(String(await docker.ping())).toBe('OK');
    expect((await docker.version()).ApiVersion).toMatch(/^\d+\.\d+$/);
  });

  it("reaches a server's engine over the pooled SSH connection", async () => {
    const docker = await remote.docker();
    expect(String(await docker.ping())).toBe('OK');
    const [version, info] = await Promise.all([docker.version(), docker.info()]);
    expect(version.ApiVersion).toMatch(/^\d+\.\d+$/);
    expect(info).toHaveProperty('Containers');
    expect(await docker.listContainers({ all: true })).toBeInstanceOf(Array);
  });
});
