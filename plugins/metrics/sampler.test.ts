import { afterEach, describe, expect, it } from 'vitest';

import { fakeHost, silentLog, startPluginTest, type FakeHost, type PluginTest } from '../../test/kit/index.ts';
import metrics from './index.ts';
import { FAST_FILES, slowScript } from './read.ts';
import { Samplers } from './samplers.ts';
import type { MetricsSample } from './types.ts';

/**
 * A scripted SSH server whose /proc moves on with every read: each CPU spends 100 jiffies,
 * a quarter of them busy, and eth0 receives 1000 bytes. `fail` makes reads exit 1.
 */
export function procBox(id = 'box'): FakeHost & { reads(): number; fail: boolean } {
  let n = 0;
  const state = { fail: false };
  const host = fakeHost({}, { id, kind: 'ssh' });
  host.answer(['head', '-c', '1048576', ...Object.values(FAST_FILES)].join(' '), () => {
    if (state.fail) return { exitCode: 1, stderr: 'head: cannot open /proc/stat: Input/output error' };
    n++;
    const files: Record<string, string> = {
      '/proc/stat': `cpu  ${50 * n} 0 0 ${150 * n} 0 0 0 0 0 0\ncpu0 ${25 * n} 0 0 ${75 * n} 0 0 0 0 0 0\ncpu1 ${25 * n} 0 0 ${75 * n} 0 0 0 0 0 0\n`,
      '/proc/meminfo': 'MemTotal: 2048 kB\nMemFree: 512 kB\nMemAvailable: 1024 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n',
      '/proc/loadavg': '0.50 0.25 0.10 1/80 1234\n',
      '/proc/net/dev': `Inter-|\n face |\n    lo: ${n} 0 0 0 0 0 0 0 ${n} 0 0 0 0 0 0 0\n  eth0: ${1000 * n} 0 0 0 0 0 0 0 ${10 * n} 0 0 0 0 0 0 0\n`,
      '/proc/uptime': `${3600 + n}.00 100.00\n`,
    };
    return {
      stdout: Object.entries(files)
        .map(([f, text]) => `==> ${f} <==\n${text}`)
        .join('\n'),
    };
  });
  const slow = (withConf: boolean) => () => ({
    stdout: [
      'Filesystem 1-blocks Used Available Capacity Mounted on',
      '/dev/sda1 1000000 250000 750000 25% /',
      '@@stat',
      `1 (init) S 0 1 1 0 -1 0 0 0 0 0 ${n} 0 0 0 20 0 1 0 5 0 1000 0`,
      `42 (busy worker) R 1 1 1 0 -1 0 0 0 0 0 ${100 * n} 0 0 0 20 0 1 0 5 0 2250 0`,
      '@@owners',
      '0 /proc/1',
      '1000 /proc/42',
      '@@passwd',
      'root:x:0:0:root:/root:/bin/sh',
      'app:x:1000:1000::/srv/app:/bin/sh',
      ...(withConf ? ['@@conf', '100', '4096'] : []),
    ].join('\n'),
  });
  host.answer(`sh -c ${slowScript(true)}`, slow(true));
  host.answer(`sh -c ${slowScript(false)}`, slow(false));
  return Object.defineProperties(host, {
    reads: { value: () => host.calls.filter((c) => c.argv[0] === 'head').length },
    fail: { get: () => state.fail, set: (v: boolean) => void (state.fail = v) },
  }) as FakeHost & { reads(): number; fail: boolean };
}

/** Resolves with the next `count` messages of `event` on a socket-like emitter. */
function next<T>(
  socket: { on(e: string, l: (m: T) => void): unknown; off(e: string, l: (m: T) => void): unknown },
  event: string,
  count = 1,
) {
  return new Promise<T[]>((resolve) => {
    const got: T[] = [];
    const listener = (m: T) => {
      got.push(m);
      if (got.length === count) {
        socket.off(event, listener);
        resolve(got);
      }
    };
    socket.on(event, listener);
  });
}

describe('one sampler per server', () => {
  const log = silentLog();
  let samplers: Samplers | undefined;
  afterEach(() => samplers?.stopAll());

  const start = (box: FakeHost) =>
    (samplers = new Samplers({
      hosts: {
        get: () => box,
        resolve: () => ({ host: box, server: { id: 'box', name: 'box', host: 'box', kind: 'ssh' } }),
        list: () => [],
        closeAll: async () => undefined,
      },
      intervalMs: 20,
      now: Date.now,
      log,
    }));

  it('turns two readings into rates, ranks processes, and sends the same sample to every watcher', async () => {
    const box = procBox();
    const s = start(box);
    const got: MetricsSample[][] = [[], []];
    const first = new Promise<void>((resolve) => {
      for (const i of [0, 1])
        s.watch('box', {
          sample: (m) => (got[i]!.push(m), got[0]!.length && got[1]!.length && resolve()),
          error: () => undefined,
        });
    });
    await first;
    const sample = got[0]![0]!;
    expect(got[1]![0]).toBe(sample);
    expect(sample.cpu).toEqual({ percent: 25, perCore: [25, 25], load: [0.5, 0.25, 0.1] });
    expect(sample.memory).toEqual({ total: 2048 * 1024, used: 1024 * 1024, available: 1024 * 1024, swapTotal: 0, swapUsed: 0 });
    expect(sample.disks).toEqual([{ fs: '/dev/sda1', size: 1000000, used: 250000, mount: '/' }]);
    expect(sample.network.find((n) => n.iface === 'eth0')!.rxBytesPerSec).toBeGreaterThan(0);
    expect(sample.processes.byCpu[0]).toMatchObject({ pid: 42, name: 'busy worker', user: 'app', rssBytes: 2250 * 4096 });
    expect(sample.processes.byCpu[0]!.cpuPercent).toBeGreaterThan(0);
    expect(sample.uptimeSeconds).toBeGreaterThan(3600);
  });

  it('stops reading the server when its last watcher leaves, and starts afresh when one comes back', async () => {
    const box = procBox();
    const s = start(box);
    const seen: MetricsSample[] = [];
    let enough!: () => void;
    const three = new Promise<void>((resolve) => (enough = resolve));
    const leave = s.watch('box', { sample: (m) => seen.push(m) === 3 && enough(), error: () => undefined });
    await three;
    leave();
    await expect.poll(() => s.of('box').active).toBe(false);
    const reads = box.reads();
    // Nothing runs while nobody watches: a new watcher's first reading is a new baseline.
    expect(s.of('box').active).toBe(false);
    const again = await new Promise<MetricsSample>((resolve) => {
      const stop = s.watch('box', { sample: (m) => (stop(), resolve(m)), error: () => undefined });
    });
    expect(box.reads()).toBe(reads + 2);
    expect(again.time).toBeGreaterThan(seen[2]!.time);
  });

  it('tells watchers when a read fails, and a waiting GET gets the error', async () => {
    const box = procBox();
    box.fail = true;
    const s = start(box);
    const error = await new Promise<{ detail: string; code: string }>((resolve) => {
      const stop = s.watch('box', { sample: () => undefined, error: (e) => (stop(), resolve(e)) });
    });
    expect(error).toMatchObject({ code: 'METRICS_UNREADABLE', detail: expect.stringContaining('Input/output error') });
    await expect(s.current('box')).rejects.toMatchObject({ code: 'METRICS_UNREADABLE', status: 502 });
  });
});

describe('the /metrics socket and routes', () => {
  let kit: PluginTest | undefined;
  afterEach(() => kit?.close());

  it('takes as many samples with 20 subscribers as with 1', async () => {
    const box = procBox();
    kit = await startPluginTest({
      plugins: [metrics],
      hosts: { local: fakeHost(), box },
      settings: { metrics: { intervalSeconds: 0.05, alwaysSample: [] } },
    });
    const one = await kit.socket('metrics', { serverId: 'box' });
    expect(await one.emitWithAck('subscribe')).toEqual({ subscribed: true });
    await next(one, 'sample'); // past the baseline
    let before = box.reads();
    await next(one, 'sample', 10);
    const withOne = box.reads() - before;

    const many = await Promise.all(Array.from({ length: 19 }, () => kit!.socket('metrics', { serverId: 'box', as: 'viewer' })));
    await Promise.all(many.map((s) => s.emitWithAck('subscribe')));
    await next(one, 'sample');
    before = box.reads();
    const counts = await Promise.all([one, ...many].map((s) => next<MetricsSample>(s, 'sample', 10)));
    const withTwenty = box.reads() - before;
    // The subscribers shared samples (each socket may start one tick apart), and the server
    // was read about as often as for one.
    expect(new Set(counts.flat().map((s) => s.time)).size).toBeLessThanOrEqual(11);
    expect(withOne).toBeGreaterThanOrEqual(10);
    expect(withTwenty).toBeLessThanOrEqual(withOne + 2);

    const scrape = async () => (await kit!.request('/metrics')).text();
    expect(await scrape()).toContain('aura_host_cpu_usage_ratio{server="box"}');
    for (const s of [one, ...many]) s.close();
    // The last viewer gone, the sampler stops: the server drops out of what Prometheus sees.
    await expect.poll(scrape).not.toContain('server="box"');
  });

  it('answers GET with a fresh sample, history by range, and refuses a bad range', async () => {
    kit = await startPluginTest({
      plugins: [metrics],
      hosts: { local: fakeHost(), box: procBox() },
      settings: { metrics: { intervalSeconds: 0.05, alwaysSample: ['box'] } },
    });
    const res = await kit.request('/api/servers/box/metrics', { as: 'viewer' });
    expect(res.status).toBe(200);
    const sample = (await res.json()) as MetricsSample;
    expect(Date.now() - sample.time).toBeLessThan(60_000);
    expect(sample.cpu.percent).toBe(25);
    const hour = await (await kit.request('/api/servers/box/metrics/history?range=1h')).json();
    expect(hour).toMatchObject({ range: '1h', stepSeconds: 0.05 });
    const day = await (await kit.request('/api/servers/box/metrics/history?range=24h')).json();
    expect(day).toMatchObject({ range: '24h', stepSeconds: 60, points: [expect.objectContaining({ cpuPercent: 25 })] });
    const bad = await kit.request('/api/servers/box/metrics/history?range=7d');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await kit.request('/api/servers/nope/metrics')).status).toBe(404);
    expect((await kit.request('/api/servers/box/metrics', { as: 'stranger' })).status).toBe(401);
    expect(await kit.tool('metrics.snapshot', { serverId: 'box' }, { as: 'viewer' })).toMatchObject({ cpu: { percent: 25 } });
  });

  it('sends sample-error to subscribers while the server cannot be read, and samples again once it can', async () => {
    const box = procBox();
    kit = await startPluginTest({
      plugins: [metrics],
      hosts: { local: fakeHost(), box },
      settings: { metrics: { intervalSeconds: 0.05, alwaysSample: [] } },
    });
    const socket = await kit.socket('metrics', { serverId: 'box', as: 'viewer' });
    await socket.emitWithAck('subscribe');
    await next(socket, 'sample');
    box.fail = true;
    const [error] = await next<{ detail: string; code: string; time: number }>(socket, 'sample-error');
    expect(error).toMatchObject({ code: 'METRICS_UNREADABLE', time: expect.any(Number) });
    box.fail = false;
    await next(socket, 'sample');
    expect(await socket.emitWithAck('unsubscribe')).toEqual({ subscribed: false });
    expect(await socket.emitWithAck('subscribe', 'junk')).toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
