import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { startSshd, type TestSshd } from '../../test/harness/sshd.ts';
import type { MetricsSample } from './types.ts';

/** The same figures from this machine read in-process and through a real sshd on loopback. */
describe('metrics on a real machine, locally and over SSH', () => {
  let sshd: TestSshd;
  let t: TestAura;
  let token: string;

  beforeAll(async () => {
    sshd = await startSshd();
    t = await startTestAura({
      servers: [sshd.server('box')],
      plugins: { metrics: { enabled: true, intervalSeconds: 0.25, alwaysSample: ['local', 'box'] } },
    });
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  const sampleOf = async (serverId: string) => {
    const res = await t.request(`/api/servers/${serverId}/metrics`, { token });
    expect(res.status).toBe(200);
    return (await res.json()) as MetricsSample;
  };

  it('gives the same shape and sane figures through both paths', async () => {
    const [local, box] = await Promise.all([sampleOf('local'), sampleOf('box')]);
    for (const s of [local, box]) {
      expect(s.cpu.percent).toBeGreaterThanOrEqual(0);
      expect(s.cpu.percent).toBeLessThanOrEqual(100);
      for (const core of s.cpu.perCore) expect(core >= 0 && core <= 100).toBe(true);
      expect(s.cpu.load).toHaveLength(3);
      expect(s.memory.used).toBeLessThanOrEqual(s.memory.total);
      expect(s.memory.used + s.memory.available).toBe(s.memory.total);
      for (const d of s.disks) expect(d.used).toBeLessThanOrEqual(d.size);
      expect(s.network.map((n) => n.iface)).toContain('lo');
      expect(s.processes.byMemory.length).toBeGreaterThan(0);
      expect(s.processes.byMemory[0]!.rssBytes).toBeGreaterThanOrEqual(s.processes.byMemory.at(-1)!.rssBytes);
    }
    // One machine, two readers: what does not move between two reads must agree exactly.
    expect(box.memory.total).toBe(local.memory.total);
    expect(box.cpu.perCore).toHaveLength(local.cpu.perCore.length);
    expect(Math.abs(box.uptimeSeconds - local.uptimeSeconds)).toBeLessThanOrEqual(5);
    expect(box.disks.find((d) => d.mount === '/')).toEqual(
      expect.objectContaining({
        fs: local.disks.find((d) => d.mount === '/')!.fs,
        size: local.disks.find((d) => d.mount === '/')!.size,
      }),
    );
    expect(Object.keys(box).sort()).toEqual(Object.keys(local).sort());
    // Processes are read in-process locally and by a script over SSH: the same names and owners.
    const common = local.processes.byMemory.filter((p) => box.processes.byMemory.some((q) => q.pid === p.pid));
    expect(common.length).toBeGreaterThan(0);
    for (const p of common)
      expect(box.processes.byMemory.find((q) => q.pid === p.pid)).toMatchObject({ name: p.name, user: p.user });
  });

  it('keeps history while a server is sampled', async () => {
    await expect
      .poll(
        async () =>
          ((await (await t.request('/api/servers/box/metrics/history?range=1h', { token })).json()) as { points: unknown[] })
            .points.length,
      )
      .toBeGreaterThan(2);
  });

  it('serves Prometheus text that a Prometheus parser reads, to a bearer token and no one else', async () => {
    expect((await t.request('/metrics')).status).toBe(401);
    const res = await t.request('/metrics', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(await res.text());
    const family = (name: string) => families.find((f) => f.name === name);
    // The library's own process metrics...
    expect(Number(family('process_cpu_user_seconds_total')?.metrics[0]?.value)).toBeGreaterThan(0);
    expect(family('nodejs_eventloop_lag_seconds')).toBeDefined();
    // ...and each sampled server's.
    for (const server of ['local', 'box']) {
      const ratio = Number(family('aura_host_cpu_usage_ratio')!.metrics.find((m) => m.labels?.server === server)!.value);
      expect(ratio >= 0 && ratio <= 1).toBe(true);
      const used = family('aura_host_memory_used_bytes')!.metrics.find((m) => m.labels?.server === server)!;
      const total = family('aura_host_memory_total_bytes')!.metrics.find((m) => m.labels?.server === server)!;
      expect(Number(used.value)).toBeLessThanOrEqual(Number(total.value));
      expect(family('aura_host_filesystem_size_bytes')!.metrics).toContainEqual({
        labels: { server, mount: '/' },
        value: expect.any(String),
      });
      expect(family('aura_host_filesystem_used_bytes')!.metrics.some((m) => m.labels?.server === server)).toBe(true);
      const rx = family('aura_host_network_receive_bytes_total')!;
      expect(rx.type).toBe('COUNTER');
      expect(Number(rx.metrics.find((m) => m.labels?.server === server && m.labels.iface === 'lo')!.value)).toBeGreaterThan(0);
      expect(family('aura_host_network_transmit_bytes_total')!.metrics.some((m) => m.labels?.server === server)).toBe(true);
    }
  });
});
