import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { busyboxImage, DOCKER_SOCKET, recordingLocalHost, startDockerd } from '../../test/harness/dockerd.ts';
import { connectSocket } from '../../test/harness/sockets.ts';
import { startSshd, type TestSshd } from '../../test/harness/sshd.ts';
import { startPluginTest, type PluginTest } from '../../test/kit/index.ts';
import type { ContainerDetails, ContainerSummary, ImageSummary } from './containers.ts';
import dockerPlugin from './index.ts';
import type { LogLine } from './logs.ts';

/** Every container made here has this prefix, and is removed in afterAll whatever happened. */
const PREFIX = `aura-docker-test-${process.pid}-`;
const TALKER = `${PREFIX}talker`;
const IDLE = `${PREFIX}idle`;
const SECRET = 'hunter2-never-in-a-response';
/** A shell as PID 1 ignores SIGTERM unless it traps it: without this every stop would wait 10 s. */
const TALK = 'trap "exit 0" TERM; i=0; while true; do echo out $i; echo err $i >&2; i=$((i+1)); sleep 1; done';
const HOSTILE = ['../x', '-rf', 'a;b', 'a'.repeat(200), '%2e%2e'];

type LogEvent = LogLine & { id: string };

describe('docker plugin against a real engine', () => {
  let sshd: TestSshd;
  let dockerd: { stop(): Promise<void> };
  let engine: Docker;
  let image: string;
  let mountDir: string;
  let kit: PluginTest;
  const began = Date.now();
  /** Records every stream the plugin opens: hostile input must open none. */
  const local = recordingLocalHost();

  const run = async (name: string, cmd: string, extra: Partial<Docker.ContainerCreateOptions> = {}) => {
    const c = await engine.createContainer({
      name,
      Image: image,
      Cmd: ['sh', '-c', cmd],
      ...extra,
      HostConfig: { NetworkMode: 'none', ...extra.HostConfig },
    });
    await c.start();
    return c;
  };
  const api = (p: string, init: Parameters<PluginTest['request']>[1] = {}) => kit.request(`/api/servers/local/docker${p}`, init);
  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const body = (await r.json()) as T;
    expect(r.status, JSON.stringify(body)).toBe(status);
    return body;
  };

  beforeAll(async () => {
    sshd = await startSshd(); // first: startDockerd lets its user into the docker group
    dockerd = await startDockerd();
    image = busyboxImage();
    engine = new Docker({ socketPath: DOCKER_SOCKET });
    mountDir = mkdtempSync(path.join(os.tmpdir(), 'aura-docker-mount-'));
    await run(TALKER, TALK, {
      Labels: { 'com.docker.compose.project': 'aura-test' },
      Env: [`SECRET_TOKEN=${SECRET}`, 'PLAIN=1'],
      HostConfig: { Binds: [`${mountDir}:/data:ro`], RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } },
    });
    await (await run(IDLE, 'echo bye')).wait();
    kit = await startPluginTest({ plugins: [dockerPlugin], hosts: { local } });
  });

  afterAll(async () => {
    await kit?.close();
    try {
      const ours = (await engine?.listContainers({ all: true, filters: { name: [PREFIX] } })) ?? [];
      await Promise.all(ours.map((c) => engine.getContainer(c.Id).remove({ force: true })));
    } finally {
      if (mountDir) rmSync(mountDir, { recursive: true, force: true });
      await dockerd?.stop();
      await sshd?.stop();
    }
  });

  it('lists every container, running or not, with its compose project', async () => {
    const list = await json<ContainerSummary[]>(api('/containers', { as: 'viewer' }));
    const talker = list.find((c) => c.name === TALKER);
    expect(talker).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      image,
      state: 'running',
      status: expect.stringMatching(/^Up /),
      ports: [],
      composeProject: 'aura-test',
    });
    expect(talker!.created).toBeGreaterThanOrEqual(Math.floor(began / 1000) * 1000);
    expect(talker!.created).toBeLessThanOrEqual(Date.now());
    expect(list.find((c) => c.name === IDLE)).toMatchObject({
      state: 'exited',
      status: expect.stringMatching(/^Exited \(0\)/),
      composeProject: null,
    });
  });

  it('inspects a container by name, naming its variables but never their values', async () => {
    const res = await api(`/containers/${TALKER}`, { as: 'viewer' });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain(SECRET);
    const details = JSON.parse(text) as ContainerDetails;
    expect(details).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      name: TALKER,
      image,
      command: `sh -c ${TALK}`,
      state: 'running',
      status: expect.stringMatching(/^Up /),
      restartPolicy: 'on-failure:3',
      mounts: [{ source: mountDir, destination: '/data', mode: 'ro', rw: false }],
      ports: [],
      networks: ['none'],
      health: null,
    });
    expect(details.env).toEqual(expect.arrayContaining(['SECRET_TOKEN', 'PLAIN']));
    expect(details.env.filter((n) => n.includes('='))).toEqual([]);
    expect(Math.abs(details.created - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('reads both streams in order, and only the tail asked for', async () => {
    const logs = (q = '') => json<{ lines: LogLine[] }>(api(`/containers/${TALKER}/logs${q}`, { as: 'viewer' }));
    await expect.poll(async () => (await logs()).lines.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(6);
    const all = (await logs()).lines;
    expect(all.find((l) => l.stream === 'stdout')?.text).toBe('out 0');
    expect(all.find((l) => l.stream === 'stderr')?.text).toBe('err 0');
    const { lines } = await logs('?tail=4');
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((l) => l.stream))).toEqual(new Set(['stdout', 'stderr']));
    for (const l of lines) {
      expect(l.text).toMatch(l.stream === 'stdout' ? /^out \d+$/ : /^err \d+$/);
      expect(l.time).toBeGreaterThanOrEqual(began - 1000);
      expect(l.time).toBeLessThanOrEqual(Date.now());
    }
    for (const bad of ['0', '5001', 'many'])
      expect(await json(api(`/containers/${TALKER}/logs?tail=${bad}`), 400)).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it("answers a running container's figures, and 409 for a stopped one", async () => {
    const stats = await json<Record<string, number>>(api(`/containers/${TALKER}/stats`, { as: 'viewer' }));
    expect(Object.keys(stats).sort()).toEqual(['cpuPercent', 'memoryBytes', 'memoryLimitBytes', 'rxBytes', 'txBytes']);
    expect(stats.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.memoryLimitBytes).toBeGreaterThan(stats.memoryBytes!);
    expect(stats).toMatchObject({ rxBytes: 0, txBytes: 0 }); // no network at all
    expect(await json(api(`/containers/${IDLE}/stats`), 409)).toMatchObject({ code: 'CONTAINER_NOT_RUNNING' });
  });

  it('closes the stream to the engine when the client hangs up', async () => {
    await json(api('/containers')); // the availability check's own ping, out of the way
    const before = local.streams.length;
    const hangUp = new AbortController();
    // Stats take the engine about a second: time enough to hang up while it samples.
    const pending = api(`/containers/${TALKER}/stats`, { signal: hangUp.signal }).catch(() => 'hung up');
    await expect.poll(() => local.streams.length).toBe(before + 2); // the inspect's, then the stats'
    hangUp.abort();
    expect(await pending).toBe('hung up');
    const stats = local.streams[before + 1]!;
    await expect.poll(() => stats.destroyed).toBe(true);
    expect(stats.readableEnded).toBe(false); // closed by us, not ended by the engine's answer
  });

  it('lists images with their tags and how many containers use them', async () => {
    const images = await json<ImageSummary[]>(api('/images', { as: 'viewer' }));
    const busybox = images.find((i) => i.tags.includes(image));
    expect(busybox).toMatchObject({ id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), size: expect.any(Number) });
    expect(busybox!.size).toBeGreaterThan(1_000_000);
    expect(busybox!.containers).toBeGreaterThanOrEqual(2);
    expect(busybox!.created).toBeLessThanOrEqual(Date.now());
  });

  it('stops, starts and restarts, answering with the new state, and audits each by name', async () => {
    const act = (action: string) => json<ContainerSummary>(api(`/containers/${TALKER}/${action}`, { method: 'POST' }));
    expect(await act('stop')).toMatchObject({ name: TALKER, state: 'exited' });
    expect(await act('stop')).toMatchObject({ state: 'exited' }); // already stopped (304): done, not failed
    expect(await act('start')).toMatchObject({ state: 'running', status: expect.stringMatching(/^Up /) });
    expect(await act('start')).toMatchObject({ state: 'running' });
    expect(await act('restart')).toMatchObject({ name: TALKER, state: 'running', composeProject: 'aura-test' });
    const audit = (await kit.audit()).filter((e) => e.action.startsWith('docker.container.'));
    expect(audit.map((e) => `${e.action} ${e.target} ${e.result} ${e.server}`).slice(0, 5)).toEqual([
      `docker.container.restart ${TALKER} success local`,
      `docker.container.start ${TALKER} success local`,
      `docker.container.start ${TALKER} success local`,
      `docker.container.stop ${TALKER} success local`,
      `docker.container.stop ${TALKER} success local`,
    ]);
  });

  it('lets viewers read and follow, but not act', async () => {
    const refused = await api(`/containers/${TALKER}/restart`, { method: 'POST', as: 'viewer' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await api('/images', { as: 'viewer' })).status).toBe(200);
    expect((await api('/containers', { as: 'stranger' })).status).toBe(401);
  });

  it('refuses hostile ids with 400 before anything reaches the engine', async () => {
    await json(api('/containers')); // the availability check's own ping, out of the way
    const before = local.dials.length;
    const socket = await kit.socket('docker');
    try {
      for (const id of HOSTILE) {
        const enc = encodeURIComponent(id);
        for (const [method, suffix] of [
          ['GET', ''],
          ['GET', '/logs'],
          ['GET', '/stats'],
          ['POST', '/restart'],
        ] as const) {
          const body = await json(api(`/containers/${enc}${suffix}`, { method }), 400);
          expect(body, `${method} ${id}${suffix}`).toMatchObject({ code: 'INVALID_CONTAINER_ID' });
        }
        expect(await socket.emitWithAck('follow', { id })).toMatchObject({ code: 'INVALID_CONTAINER_ID' });
        await expect(kit.tool('docker.restart', { id })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      }
      expect(await socket.emitWithAck('follow', { id: 42 })).toMatchObject({ code: 'INVALID_CONTAINER_ID' });
    } finally {
      socket.close();
    }
    expect(local.dials.slice(before)).toEqual([]);
  });

  it('answers 404 CONTAINER_NOT_FOUND for a container the engine does not know', async () => {
    const ghost = `${PREFIX}ghost`;
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/logs'],
      ['GET', '/stats'],
      ['POST', '/start'],
    ] as const)
      expect(await json(api(`/containers/${ghost}${suffix}`, { method }), 404)).toEqual({
        code: 'CONTAINER_NOT_FOUND',
        detail: `No container "${ghost}" on local.`,
      });
  });

  it('streams new lines to every watcher until each unfollows', async () => {
    const watch = async () => {
      const socket = await kit.socket('docker', { as: 'viewer' });
      const seen: LogEvent[] = [];
      socket.on('log', (e: LogEvent) => seen.push(e));
      expect(await socket.emitWithAck('follow', { id: TALKER })).toEqual({ following: TALKER });
      return { socket, seen };
    };
    const a = await watch();
    const b = await watch();
    try {
      const both = (seen: LogEvent[]) => ['stdout', 'stderr'].every((s) => seen.some((e) => e.stream === s));
      await expect.poll(() => both(a.seen) && both(b.seen), { timeout: 10_000 }).toBe(true);
      expect(a.seen[0]).toEqual({
        id: TALKER,
        stream: expect.stringMatching(/^std(out|err)$/),
        time: expect.any(Number),
        text: expect.stringMatching(/^(out|err) \d+$/),
      });
      expect(await a.socket.emitWithAck('unfollow', { id: TALKER })).toEqual({ following: null });
      // Lines go out in order on a socket: none for `a` may follow the acknowledgement.
      const [quiet, heard] = [a.seen.length, b.seen.length];
      await expect.poll(() => b.seen.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(heard + 4);
      expect(a.seen.length).toBe(quiet);
      expect(await b.socket.emitWithAck('follow', { id: `${PREFIX}ghost` })).toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    } finally {
      a.socket.close();
      b.socket.close();
    }
  });

  it('says end when the followed container stops', async () => {
    const ender = `${PREFIX}ender`;
    const container = await run(ender, TALK);
    const socket = await kit.socket('docker');
    try {
      expect(await socket.emitWithAck('follow', { id: ender })).toEqual({ following: ender });
      const ended = new Promise((resolve) => socket.once('end', resolve));
      await container.stop({ t: 10 });
      expect(await ended).toEqual({ id: ender });
    } finally {
      socket.close();
    }
  });

  it('offers list and logs to viewers and restart to admins, as agent tools', async () => {
    const tools = kit.aura.tools.list().filter((x) => x.plugin === 'docker');
    expect(tools.map((x) => `${x.name} ${x.readOnly} ${x.destructive}`)).toEqual([
      'docker.list true false',
      'docker.logs true false',
      'docker.restart false true',
    ]);
    const listed = (await kit.tool('docker.list', {}, { as: 'viewer' })) as ContainerSummary[];
    expect(listed.find((c) => c.name === TALKER)).toMatchObject({ state: 'running' });
    const logs = (await kit.tool('docker.logs', { id: TALKER, tail: 2 }, { as: 'viewer' })) as { lines: LogLine[] };
    expect(logs.lines).toHaveLength(2);
    await expect(kit.tool('docker.restart', { id: TALKER }, { as: 'viewer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await kit.tool('docker.restart', { id: IDLE })).toMatchObject({ name: IDLE, state: expect.any(String) });
    expect((await kit.audit())[0]).toMatchObject({ action: 'tool.docker.restart', result: 'success', server: 'local' });
  });

  it('is unavailable, with the reason, where nothing answers at socketPath', async () => {
    const nowhere = await startPluginTest({
      plugins: [dockerPlugin],
      hosts: { local: recordingLocalHost() },
      settings: { docker: { socketPath: '/run/nothing-here.sock' } },
    });
    try {
      const reason = 'No Docker engine answers at /run/nothing-here.sock on local: No such socket: /run/nothing-here.sock';
      const res = await nowhere.request('/api/servers/local/docker/containers', { as: 'viewer' });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ code: 'DOCKER_UNAVAILABLE', detail: reason });
      const plugins = (await (await nowhere.request('/api/servers/local/plugins')).json()) as unknown[];
      expect(plugins).toContainEqual({ id: 'docker', available: false, reason });
      await expect(nowhere.socket('docker')).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', detail: reason });
      await expect(nowhere.tool('docker.list')).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: reason });
    } finally {
      await nowhere.close();
    }
  });

  describe('on an SSH server, through its pooled connection', () => {
    let t: TestAura;
    let token: string;
    const box = (p: string, init: Parameters<TestAura['request']>[1] = {}) =>
      t.request(`/api/servers/box/docker${p}`, { token, ...init });

    beforeAll(async () => {
      t = await startTestAura({
        servers: [sshd.server('box')],
        plugins: {
          docker: { enabled: true },
          metrics: { enabled: false },
          ports: { enabled: false },
          services: { enabled: false },
        },
      });
      ({ token } = await t.login());
    });
    afterAll(() => t?.close());

    it('lists, reads logs, follows and restarts', async () => {
      const list = await json<ContainerSummary[]>(box('/containers'));
      expect(list.find((c) => c.name === TALKER)).toMatchObject({ state: 'running', composeProject: 'aura-test' });
      const { lines } = await json<{ lines: LogLine[] }>(box(`/containers/${TALKER}/logs?tail=3`));
      expect(lines).toHaveLength(3);

      const socket: Socket = await connectSocket(t.url, 'docker', { token, serverId: 'box' });
      try {
        const line = new Promise<LogEvent>((resolve) => socket.once('log', resolve));
        expect(await socket.emitWithAck('follow', { id: TALKER })).toEqual({ following: TALKER });
        expect(await line).toMatchObject({ id: TALKER, text: expect.stringMatching(/^(out|err) \d+$/) });
        const ended = new Promise((resolve) => socket.once('end', resolve));
        expect(await json(box(`/containers/${TALKER}/restart`, { method: 'POST' }))).toMatchObject({ state: 'running' });
        expect(await ended).toEqual({ id: TALKER }); // the restart's stop ended the follow
      } finally {
        socket.close();
      }
    });
  });
});
