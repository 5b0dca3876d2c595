import { Counter, Gauge, type Registry } from 'prom-client';
import type { Samplers } from './samplers.ts';

/**
 * The host figures of every server being sampled, read from the samplers at each scrape (a
 * scrape never starts a sampler: list servers in alwaysSample to have them always). The byte
 * totals are the kernel's own counters, so rate() in Prometheus works as for node_exporter.
 */
export function registerHostMetrics(registry: Registry, samplers: Samplers): void {
  const each = (fn: (e: ReturnType<Samplers['sampled']>[number]) => void) => samplers.sampled().forEach(fn);
  new Gauge({
    name: 'aura_host_cpu_usage_ratio',
    help: 'Share of all CPU time spent busy over the last tick (0-1).',
    labelNames: ['server'],
    registers: [registry],
    collect() {
      this.reset();
      each(({ serverId, latest }) => this.set({ server: serverId }, latest.cpu.percent / 100));
    },
  });
  new Gauge({
    name: 'aura_host_memory_used_bytes',
    help: 'Memory in use: total minus available.',
    labelNames: ['server'],
    registers: [registry],
    collect() {
      this.reset();
      each(({ serverId, latest }) => this.set({ server: serverId }, latest.memory.used));
    },
  });
  new Gauge({
    name: 'aura_host_memory_total_bytes',
    help: 'Memory the kernel manages.',
    labelNames: ['server'],
    registers: [registry],
    collect() {
      this.reset();
      each(({ serverId, latest }) => this.set({ server: serverId }, latest.memory.total));
    },
  });
  for (const [name, help, key] of [
    ['aura_host_filesystem_size_bytes', 'Size of each mounted file system.', 'size'],
    ['aura_host_filesystem_used_bytes', 'Bytes used on each mounted file system.', 'used'],
  ] as const)
    new Gauge({
      name,
      help,
      labelNames: ['server', 'mount'],
      registers: [registry],
      collect() {
        this.reset();
        each(({ serverId, latest }) => latest.disks.forEach((d) => this.set({ server: serverId, mount: d.mount }, d[key])));
      },
    });
  for (const [name, help, key] of [
    ['aura_host_network_receive_bytes_total', 'Bytes received on each interface since boot.', 'rx'],
    ['aura_host_network_transmit_bytes_total', 'Bytes sent on each interface since boot.', 'tx'],
  ] as const)
    new Counter({
      name,
      help,
      labelNames: ['server', 'iface'],
      registers: [registry],
      collect() {
        // A counter can only grow here; the kernel's total is the value, so start from zero each scrape.
        this.reset();
        each(({ serverId, sampler }) => sampler.totals.forEach((t, iface) => this.inc({ server: serverId, iface }, t[key])));
      },
    });
}
