import { describe, expect, it } from 'vitest';
import { History, Ring } from './history.ts';
import type { MetricsSample } from './types.ts';

const sample = (time: number, cpu: number, rx = 0): MetricsSample => ({
  time,
  uptimeSeconds: 1,
  cpu: { percent: cpu, perCore: [cpu], load: [0, 0, 0] },
  memory: { total: 100, used: cpu, available: 100 - cpu, swapTotal: 0, swapUsed: 0 },
  disks: [],
  network: [
    { iface: 'lo', rxBytesPerSec: 1_000_000, txBytesPerSec: 1_000_000 },
    { iface: 'eth0', rxBytesPerSec: rx, txBytesPerSec: rx / 2 },
  ],
  processes: { byCpu: [], byMemory: [] },
});

describe('history', () => {
  it('keeps the newest items of a ring, oldest first', () => {
    const ring = new Ring<number>(3);
    for (const n of [1, 2]) ring.push(n);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const n of [3, 4, 5]) ring.push(n);
    expect(ring.toArray()).toEqual([3, 4, 5]);
  });

  it('answers the last hour at the sampling step, loopback traffic left out', () => {
    const h = new History(1);
    const start = Date.parse('2026-11-22T10:00:00Z');
    for (let i = 0; i < 3700; i++) h.add(sample(start + i * 1000, i % 100, 10));
    const hour = h.get('1h', start + 3699 * 1000);
    expect(hour.stepSeconds).toBe(1);
    expect(hour.points).toHaveLength(3600);
    expect(hour.points[0]!.time).toBe(start + 100 * 1000);
    expect(hour.points.at(-1)).toEqual({
      time: start + 3699_000,
      cpuPercent: 99,
      memoryUsed: 99,
      rxBytesPerSec: 10,
      txBytesPerSec: 5,
    });
    // Nothing newer than an hour ago is left out, nothing older is kept.
    expect(h.get('1h', start + 3699 * 1000 + 3_600_000).points).toHaveLength(0);
  });

  it('answers the last day in minute averages, the minute under way included', () => {
    const h = new History(1);
    const start = Date.parse('2026-11-22T10:00:00Z');
    for (let s = 0; s < 60; s++) h.add(sample(start + s * 1000, s < 30 ? 10 : 30, 600));
    h.add(sample(start + 61_000, 50));
    const day = h.get('24h', start + 61_000);
    expect(day.stepSeconds).toBe(60);
    expect(day.points).toEqual([
      { time: start, cpuPercent: 20, memoryUsed: 20, rxBytesPerSec: 600, txBytesPerSec: 300 },
      { time: start + 60_000, cpuPercent: 50, memoryUsed: 50, rxBytesPerSec: 0, txBytesPerSec: 0 },
    ]);
    // A day later the first minute has aged out.
    expect(h.get('24h', start + 24 * 3_600_000 + 30_000).points.map((p) => p.time)).toEqual([start + 60_000]);
  });
});
