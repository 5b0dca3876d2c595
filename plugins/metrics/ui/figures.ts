import type { MetricsHistory, MetricsSample } from '../types.ts';

export type Point = MetricsHistory['points'][number];

/** The mount closest to full, or null when the server reported none. */
export function fullestDisk(disks: MetricsSample['disks']): (MetricsSample['disks'][number] & { fraction: number }) | null {
  let best: (MetricsSample['disks'][number] & { fraction: number }) | null = null;
  for (const d of disks) {
    const fraction = d.size > 0 ? d.used / d.size : 0;
    if (!best || fraction > best.fraction) best = { ...d, fraction };
  }
  return best;
}

/** As the history counts network: every interface but loopback, summed. */
export function pointOf(s: MetricsSample): Point {
  const outside = s.network.filter((n) => n.iface !== 'lo');
  return {
    time: s.time,
    cpuPercent: s.cpu.percent,
    memoryUsed: s.memory.used,
    rxBytesPerSec: outside.reduce((sum, n) => sum + n.rxBytesPerSec, 0),
    txBytesPerSec: outside.reduce((sum, n) => sum + n.txBytesPerSec, 0),
  };
}

/**
 * The points with a live one added: it replaces the newest point of its own step (so the 24 h
 * chart, a point a minute, still moves each second), and what fell out of the span goes.
 */
export function extend(points: Point[], p: Point, stepMs: number, spanMs: number): Point[] {
  const last = points.at(-1);
  if (last && p.time <= last.time) return points;
  const sameStep = last !== undefined && Math.floor(last.time / stepMs) === Math.floor(p.time / stepMs);
  const next = sameStep ? [...points.slice(0, -1), p] : [...points, p];
  const from = next.findIndex((q) => q.time >= p.time - spanMs);
  return from > 0 ? next.slice(from) : next;
}

export type Columns = [number[], ...(number | null)[][]];

/**
 * uPlot's columns (seconds, then one array per field). Where more than a few steps passed
 * between points nobody was watching: a null there breaks the line instead of bridging it.
 */
export function columns(points: Point[], stepMs: number, fields: (keyof Omit<Point, 'time'>)[]): Columns {
  const times: number[] = [];
  const values: (number | null)[][] = fields.map(() => []);
  let prev: number | null = null;
  for (const p of points) {
    if (prev !== null && p.time - prev > 3 * stepMs) {
      times.push((prev + stepMs) / 1000);
      for (const v of values) v.push(null);
    }
    times.push(p.time / 1000);
    fields.forEach((f, i) => values[i]!.push(p[f]));
    prev = p.time;
  }
  return [times, ...values];
}
