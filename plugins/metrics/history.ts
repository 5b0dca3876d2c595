import type { MetricsHistory, MetricsSample } from './types.ts';

export type HistoryPoint = MetricsHistory['points'][number];

/** A fixed-size buffer that forgets its oldest entry to take a new one. */
export class Ring<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;

/** Network totals leave loopback out: traffic a box has with itself says nothing of its load. */
export function pointOf(s: MetricsSample): HistoryPoint {
  const external = s.network.filter((n) => n.iface !== 'lo');
  return {
    time: s.time,
    cpuPercent: s.cpu.percent,
    memoryUsed: s.memory.used,
    rxBytesPerSec: external.reduce((sum, n) => sum + n.rxBytesPerSec, 0),
    txBytesPerSec: external.reduce((sum, n) => sum + n.txBytesPerSec, 0),
  };
}

const average = (points: HistoryPoint[], time: number): HistoryPoint => {
  const mean = (key: Exclude<keyof HistoryPoint, 'time'>) => points.reduce((sum, p) => sum + p[key], 0) / points.length;
  return {
    time,
    cpuPercent: Math.round(mean('cpuPercent') * 10) / 10,
    memoryUsed: Math.round(mean('memoryUsed')),
    rxBytesPerSec: Math.round(mean('rxBytesPerSec')),
    txBytesPerSec: Math.round(mean('txBytesPerSec')),
  };
};

/**
 * One server's history: the last hour at the sampling step, and the last day in minute
 * averages (each stamped with its minute's start). The minute under way counts as a point too.
 */
export class History {
  private readonly fine: Ring<HistoryPoint>;
  private readonly coarse = new Ring<HistoryPoint>(24 * 60);
  private minute: { start: number; points: HistoryPoint[] } | null = null;

  constructor(private readonly stepSeconds: number) {
    this.fine = new Ring(Math.min(36_000, Math.ceil(3600 / stepSeconds)));
  }

  add(sample: MetricsSample): void {
    const point = pointOf(sample);
    this.fine.push(point);
    const start = Math.floor(point.time / MINUTE_MS) * MINUTE_MS;
    if (this.minute && this.minute.start !== start) {
      this.coarse.push(average(this.minute.points, this.minute.start));
      this.minute = null;
    }
    this.minute ??= { start, points: [] };
    this.minute.points.push(point);
  }

  get(range: '1h' | '24h', now: number): MetricsHistory {
    if (range === '1h')
      return { range, stepSeconds: this.stepSeconds, points: this.fine.toArray().filter((p) => p.time > now - HOUR_MS) };
    const current = this.minute ? [average(this.minute.points, this.minute.start)] : [];
    return { range, stepSeconds: 60, points: [...this.coarse.toArray(), ...current].filter((p) => p.time > now - DAY_MS) };
  }
}
