import type { ListeningPort } from '../ss.ts';

export type Column = keyof ListeningPort;

export const columns: { key: Column; label: string }[] = [
  { key: 'protocol', label: 'Protocol' },
  { key: 'localAddress', label: 'Address' },
  { key: 'port', label: 'Port' },
  { key: 'state', label: 'State' },
  { key: 'process', label: 'Process' },
  { key: 'pid', label: 'PID' },
];

/** Listening on every interface (`ss` writes `*`, `0.0.0.0` or `::`): reachable from the network. */
export const isPublic = (p: ListeningPort): boolean => ['0.0.0.0', '::', '*'].includes(p.localAddress);

/** The rows matching the filter (any column, or "public"), sorted by one column. */
export function shownPorts(ports: ListeningPort[], filter: string, sortBy: Column, ascending: boolean): ListeningPort[] {
  const needle = filter.trim().toLowerCase();
  const text = (p: ListeningPort) => [...columns.map((c) => String(p[c.key] ?? '')), isPublic(p) ? 'public' : ''].join('\n');
  const rows = needle ? ports.filter((p) => text(p).toLowerCase().includes(needle)) : [...ports];
  const dir = ascending ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a[sortBy] ?? '';
    const y = b[sortBy] ?? '';
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
  });
}
