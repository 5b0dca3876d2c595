import { describe, expect, it } from 'vitest';
import { columns, extend, fullestDisk, type Point } from './figures.ts';
import { rate, uptime } from './format.ts';

const point = (time: number, cpuPercent = 1): Point => ({ time, cpuPercent, memoryUsed: 2, rxBytesPerSec: 3, txBytesPerSec: 4 });

describe('the chart series', () => {
  it('adds a live point per step, replaces the newest within its step, and drops what left the span', () => {
    const hour = [point(0), point(1000)];
    expect(extend(hour, point(2000), 1000, 3_600_000).map((p) => p.time)).toEqual([0, 1000, 2000]);
    expect(extend(hour, point(1000), 1000, 3_600_000)).toBe(hour); // already there
    // 24 h: one point a minute, the newest one moving with each sample.
    const day = [point(0), point(60_000)];
    const moved = extend(day, point(90_000, 50), 60_000, 86_400_000);
    expect(moved.map((p) => [p.time, p.cpuPercent])).toEqual([
      [0, 1],
      [90_000, 50],
    ]);
    expect(extend(day, point(120_000), 60_000, 86_400_000).map((p) => p.time)).toEqual([0, 60_000, 120_000]);
    expect(extend([point(0), point(1000), point(2000)], point(3000), 1000, 1500).map((p) => p.time)).toEqual([2000, 3000]);
  });

  it('breaks the line where nobody watched, in seconds for uPlot', () => {
    const [times, cpu] = columns([point(0), point(1000), point(60_000), point(61_000)], 1000, ['cpuPercent']);
    expect(times).toEqual([0, 1, 2, 60, 61]);
    expect(cpu).toEqual([1, 1, null, 1, 1]);
  });

  it('names the fullest mount by share, not by bytes', () => {
    const disk = fullestDisk([
      { mount: '/', fs: 'a', size: 1000, used: 500 },
      { mount: '/boot', fs: 'b', size: 10, used: 9 },
      { mount: '/empty', fs: 'c', size: 0, used: 0 },
    ]);
    expect([disk?.mount, disk?.fraction]).toEqual(['/boot', 0.9]);
    expect(fullestDisk([])).toBeNull();
  });
});

describe('numbers a person reads', () => {
  it('rates in decimal units, uptime in its two largest units', () => {
    expect([rate(0), rate(1500), rate(12_345_678)]).toEqual(['0 B/s', '1.5 kB/s', '12.3 MB/s']);
    expect([uptime(42), uptime(600), uptime(3 * 3600 + 300), uptime(12 * 86400 + 7200)]).toEqual([
      '42 s',
      '10 min',
      '3 h 5 min',
      '12 d 2 h',
    ]);
  });
});
