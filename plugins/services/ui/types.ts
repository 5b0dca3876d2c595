import type { ManagedUnit } from '../config.ts';
import type { UnitStatus } from '../systemctl.ts';

export type { LogEntry } from '../journal.ts';

/** What GET /api/servers/:id/services answers per unit. */
export type ServiceRow = ManagedUnit & UnitStatus & { cpuPercent: number | null };

export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function uptime(since: string | null, now: number): string {
  if (!since) return '—';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}
