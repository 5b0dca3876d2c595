import type { ConfirmRequest } from '@aura/ui';
import type { ContainerAction, ContainerRow, PortMapping } from './types.ts';

/** "0.0.0.0:8080→80/tcp" when published on the host, "80/tcp" when only exposed. */
export function formatPort(p: PortMapping): string {
  const inside = `${p.privatePort}/${p.type}`;
  if (p.publicPort === undefined) return inside;
  const ip = p.ip ? (p.ip.includes(':') ? `[${p.ip}]:` : `${p.ip}:`) : '';
  return `${ip}${p.publicPort}→${inside}`;
}

/** Docker lists a port once per address family (0.0.0.0 and ::): one is enough to read. */
export function uniquePorts(ports: PortMapping[]): string[] {
  const seen = new Set<string>();
  return ports
    .map((p) => (p.ip === '::' ? { ...p, ip: '0.0.0.0' } : p))
    .map(formatPort)
    .filter((s) => !seen.has(s) && seen.add(s));
}

/** The badge's colour class; the state is always written out too, colour only backs it up. */
export function stateClass(state: string): string {
  if (state === 'running') return 'ok';
  if (state === 'dead') return 'bad';
  if (state === 'restarting' || state === 'paused') return 'warn';
  return 'idle';
}

export interface Group {
  /** null: containers that belong to no compose project, listed last. */
  project: string | null;
  containers: ContainerRow[];
}

/** By compose project (A–Z), each sorted by name, then the ungrouped ones. */
export function groupByProject(rows: ContainerRow[]): Group[] {
  const byProject = new Map<string | null, ContainerRow[]>();
  for (const r of [...rows].sort((a, b) => a.name.localeCompare(b.name))) {
    const list = byProject.get(r.composeProject) ?? [];
    list.push(r);
    byProject.set(r.composeProject, list);
  }
  const projects = [...byProject.keys()].filter((p): p is string => p !== null).sort((a, b) => a.localeCompare(b));
  const groups: Group[] = projects.map((project) => ({ project, containers: byProject.get(project)! }));
  const loose = byProject.get(null);
  if (loose) groups.push({ project: null, containers: loose });
  return groups;
}

/** What to ask before an action, naming the container, the server and what happens; null for start. */
export function confirmationFor(action: ContainerAction, name: string, server: string): ConfirmRequest | null {
  if (action === 'restart')
    return {
      title: `Restart ${name} on ${server}?`,
      body: 'It is stopped and started again; its connections are dropped meanwhile.',
      confirm: 'Restart',
    };
  if (action === 'stop')
    return {
      title: `Stop ${name} on ${server}?`,
      body: 'It stops serving, and stays stopped until someone starts it again.',
      confirm: 'Stop',
      danger: true,
    };
  return null;
}

/** An error as the server said it: its detail and, in brackets, its code. */
export function errorWords(err: unknown): string {
  const e = (err ?? {}) as { detail?: string; code?: string; message?: string };
  return `${e.detail ?? e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
}

/** "3 days ago", for image and container creation dates. */
export function age(ms: number, now: number): string {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor(s / 3600), Math.floor(s / 60)];
  if (d >= 1) return `${d} day${d === 1 ? '' : 's'} ago`;
  if (h >= 1) return `${h} hour${h === 1 ? '' : 's'} ago`;
  if (m >= 1) return `${m} minute${m === 1 ? '' : 's'} ago`;
  return 'just now';
}
