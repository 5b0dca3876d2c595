import { connection } from '@aura/ui';
import type { ManagedUnit } from '../config.ts';
import type { UnitStatus } from '../systemctl.ts';

export type { LogEntry } from '../journal.ts';

/** What GET /api/servers/:id/services answers per unit. */
export type ServiceRow = ManagedUnit & UnitStatus & { cpuPercent: number | null };

export type UnitAction = 'start' | 'stop' | 'restart';

/** Whether Aura can be reached; a shell without `connection.online` counts as online. */
export const isOnline = (): boolean => (connection as { online?: boolean }).online !== false;

/** A unit listed in the config that systemd does not know (a typo, or not installed yet). */
export const notFound = (s: ServiceRow): boolean => s.loadState === 'not-found';

export function uptime(since: string | null, now: number): string {
  if (!since) return '—';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

/** One action of a unit, as a button in its row or an item in its ⋯ menu. */
export interface MenuItem {
  label: string;
  /** The accessible name, with the unit: "Restart web.service". */
  name: string;
  disabled?: boolean;
  /** For toggles (logs, limits): whether what it opens is open. */
  expanded?: boolean;
  /** `opener` is the button focus goes back to when what it opened closes. */
  run: (opener: HTMLElement) => void;
}
