/**
 * Numbers a person reads (sizes: formatBytes from @aura/ui). Rates are decimal
 * (MB/s, as network speeds are quoted).
 */

export function rate(bytesPerSec: number): string {
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
  let i = 0;
  let n = bytesPerSec;
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i && Math.abs(n) < 100 ? 1 : 0)} ${units[i]}`;
}

export const percent = (n: number): string => `${n < 10 && n > 0 ? n.toFixed(1) : Math.round(n)} %`;

/** "12 d 3 h", "3 h 20 min", "4 min": the two largest units are enough to read. */
export function uptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  return m ? `${m} min` : `${s} s`;
}

export const load = (l: readonly number[]): string => l.map((v) => v.toFixed(2)).join(' · ');

/** How long ago, for stale figures: "8 s", "3 min". */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}
