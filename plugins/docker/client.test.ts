import { describe, expect, it } from 'vitest';
import { coreErrors } from '../../core/index.ts';
import { fakeHost } from '../../test/kit/index.ts';
import { DockerClient } from './client.ts';
import { dockerConfig } from './config.ts';

const SOCKET = '/var/run/docker.sock';
const failing = (err: Error) => Object.assign(fakeHost({}, { id: 'box', kind: 'ssh' }), { dial: () => Promise.reject(err) });
const engineError = (statusCode: number, message: string) =>
  Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message}`), { statusCode, json: { message } });

describe('DockerClient', () => {
  it('keeps one dockerode per server until the host reconnects', async () => {
    const host = fakeHost();
    const client = new DockerClient(host, SOCKET);
    const first = await client.docker();
    expect(await client.docker()).toBe(first);
    host.reconnect();
    expect(await client.docker()).not.toBe(first);
  });

  it("says why the engine is not there, with a hint when the socket is not the user's to open", async () => {
    const signal = AbortSignal.timeout(5000);
    const denied = new DockerClient(failing(coreErrors.FILE_PERMISSION_DENIED(`Permission denied: ${SOCKET}`)), SOCKET);
    expect(await denied.unavailableReason(signal)).toBe(
      `No Docker engine answers at ${SOCKET} on box: Permission denied: ${SOCKET} (add the user Aura logs in as to the docker group)`,
    );
    const refused = new DockerClient(
      failing(coreErrors.DIAL_FAILED(`Cannot connect to ${SOCKET}: nothing listens there`)),
      SOCKET,
    );
    expect(await refused.unavailableReason(signal)).toMatch(/^No Docker engine answers at .* nothing listens there$/);
  });

  it('lets an unreachable SSH server say so itself, not as "no Docker here"', async () => {
    const down = new DockerClient(failing(coreErrors.SSH_ERROR('box: connection refused')), SOCKET);
    await expect(down.unavailableReason(AbortSignal.timeout(5000))).rejects.toMatchObject({ code: 'SSH_ERROR' });
  });

  it("maps the engine's answers to the catalogue, quoting at most 300 characters of them", () => {
    const client = new DockerClient(fakeHost({}, { id: 'box' }), SOCKET);
    expect(client.explain(engineError(404, 'No such container: web'), 'web')).toMatchObject({
      code: 'CONTAINER_NOT_FOUND',
      message: 'No container "web" on box.',
    });
    expect(client.explain(engineError(409, 'Container web is paused'), 'web')).toMatchObject({
      code: 'DOCKER_CONFLICT',
      message: 'Docker on box: Container web is paused',
    });
    const flood = client.explain(engineError(500, `driver failed ${'x'.repeat(10_000)}`), 'web');
    expect(flood).toMatchObject({ code: 'DOCKER_ERROR', status: 502 });
    expect(flood.message.length).toBeLessThan(400);
    expect(client.explain(coreErrors.FILE_NOT_FOUND(`No such socket: ${SOCKET}`))).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
    const aborted = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(client.explain(aborted)).toBe(aborted);
  });
});

describe('plugins.docker settings', () => {
  it('default to the standard socket and take only an absolute path', () => {
    expect(dockerConfig.parse({})).toEqual({ socketPath: SOCKET });
    expect(dockerConfig.parse({ socketPath: '/run/user/1000/docker.sock' }).socketPath).toBe('/run/user/1000/docker.sock');
    for (const socketPath of ['docker.sock', '', 'unix:///var/run/docker.sock', '/a\0b', 7])
      expect(dockerConfig.safeParse({ socketPath }).success, String(socketPath)).toBe(false);
    expect(dockerConfig.safeParse({ socketpath: '/x' }).success).toBe(false);
  });
});
