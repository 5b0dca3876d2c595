import { chmodSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_SOCKET, startDockerd } from '../../test/harness/dockerd.ts';
import { echoSocket } from '../../test/harness/host-contract.ts';
import { startSshd, type TestSshd } from '../../test/harness/sshd.ts';
import { createLogger } from '../logger.ts';
import type { DialTarget, Host } from './host.ts';
import { createLocalHost } from './local.ts';
import { createSshHost } from './ssh.ts';

/**
 * How the docker plugin reaches an engine on any host: dockerode (loaded on first use) over
 * an http.Agent whose connections are host.dial() streams, so that over SSH it rides the
 * pooled connection: no second login, the same host key check.
 */
async function dockerOver(host: Host, target?: DialTarget): Promise<Dockerode> {
  const to = target ?? (host.kind === 'local' ? { unixSocket: DOCKER_SOCKET } : { argv: ['docker', 'system', 'dial-stdio'] });
  const { default: Docker } = await import('dockerode');
  class HostAgent extends http.Agent {
    override createConnection(_opts: unknown, done: (err: Error | null, stream: Duplex) => void): undefined {
      host.dial(to).then(
        (stream) => done(null, stream),
        (err: Error) => done(err, undefined as unknown as Duplex),
      );
      return undefined;
    }
  }
  // docker-modem accepts an http.Agent; its typings do not list it.
  return new Docker({
    agent: new HostAgent({ keepAlive: false }),
    protocol: 'http',
    host: 'docker',
  } as Dockerode.DockerOptions);
}

describe('dial() against a real sshd and Docker engine', () => {
  let sshd: TestSshd;
  let dockerd: { stop(): Promise<void> };
  let remote: Host;
  let privateEcho: { close(): Promise<void> } | undefined;
  let privateSocket = '';
  const local = createLocalHost();

  beforeAll(async () => {
    sshd = await startSshd(); // first: it creates the user that startDockerd lets into the docker group
    dockerd = await startDockerd();
    remote = createSshHost({
      server: sshd.server('box'),
      rootDir: sshd.dir,
      log: createLogger('silent'),
    });
    privateSocket = path.join(sshd.dir, 'private.sock');
    privateEcho = await echoSocket(privateSocket);
    chmodSync(privateSocket, 0o600); // root's alone
  });
  afterAll(async () => {
    await privateEcho?.close();
    await remote?.close();
    await dockerd?.stop();
    await sshd?.stop();
  });

  const engines: [string, () => Host, DialTarget][] = [
    ['the local engine over its unix socket', () => local, { unixSocket: DOCKER_SOCKET }],
    ['the local engine through docker system dial-stdio', () => local, { argv: ['docker', 'system', 'dial-stdio'] }],
    ["a server's engine through docker system dial-stdio over SSH", () => remote, { argv: ['docker', 'system', 'dial-stdio'] }],
    ["a server's engine over its unix socket forwarded through SSH", () => remote, { unixSocket: DOCKER_SOCKET }],
  ];
  it.each(engines)('reaches %s', async (_name, host, target) => {
    const docker = await dockerOver(host(), target);
    expect(String(await docker.ping())).toBe('OK');
    const [version, info] = await Promise.all([docker.version(), docker.info()]);
    expect(version.ApiVersion).toMatch(/^\d+\.\d+$/);
    expect(info).toHaveProperty('Containers');
    expect(await docker.listContainers({ all: true })).toBeInstanceOf(Array);
  });

  it('picks the unix socket locally and dial-stdio over SSH by default', async () => {
    for (const host of [local, remote]) expect(String(await (await dockerOver(host)).ping())).toBe('OK');
  });

  it('rejects at once when the signal aborts while the stream is still opening', async () => {
    const ac = new AbortController();
    const opening = remote.dial({ argv: ['cat'] }, { signal: ac.signal });
    ac.abort();
    await expect(opening).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('says when the SSH user may not open a socket', async () => {
    await expect(remote.dial({ unixSocket: privateSocket })).rejects.toMatchObject({
      code: 'FILE_PERMISSION_DENIED',
      status: 403,
      message: `Permission denied: ${privateSocket}`,
    });
  });
});
