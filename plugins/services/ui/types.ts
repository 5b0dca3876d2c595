/** What GET /api/servers/:id/services answers per unit (see ../systemctl.ts). */
export interface ServiceRow {
  unit: string;
  name?: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
  mainPid: number | null;
  since: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  cpuQuota: string | null;
  memoryMax: number | null;
}

export interface LogEntry {
  time: string;
  message: string;
  priority: number | null;
}

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
