import { AuraError, type Host, type RunResult } from '../../core/index.ts';
import type { Privilege } from './config.ts';
import { servicesErrors } from './errors.ts';

const SHOW_PROPERTIES = [
  'Id',
  'Description',
  'LoadState',
  'ActiveState',
  'SubState',
  'MainPID',
  'ActiveEnterTimestamp',
  'CPUUsageNSec',
  'MemoryCurrent',
  'TasksCurrent',
  'CPUQuotaPerSecUSec',
  'MemoryMax',
  'DropInPaths',
];

export interface UnitStatus {
  unit: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
  mainPid: number | null;
  /** When it last became active (ISO), or null. */
  since: string | null;
  /** Total CPU time used, from systemd's accounting (or the main process's when that is off). */
  cpuUsageNs: number | null;
  memoryBytes: number | null;
  tasks: number | null;
  /** The effective CPUQuota as systemd reports it, e.g. "50%", or null for none. */
  cpuQuota: string | null;
  /** The effective MemoryMax in bytes, or null for none. */
  memoryMax: number | null;
  dropIns: string[];
}

/** `systemctl show` prints one `Key=Value` block per unit, blocks separated by a blank line. */
export function parseShow(output: string): Record<string, string>[] {
  return output
    .split(/\n\s*\n/)
    .map((block) =>
      Object.fromEntries(
        block
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      ),
    )
    .filter((p) => Object.keys(p).length > 0);
}

const number = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : null);

/** CPUQuotaPerSecUSec=500ms means 50%; 2s means 200%. */
function quotaPercent(v: string | undefined): string | null {
  const m = /^(?:(\d+)min)?\s*(?:(\d+)s)?\s*(?:(\d+)ms)?\s*(?:(\d+)us)?$/.exec(v ?? '');
  if (!v || v === 'infinity' || !m) return null;
  const us = Number(m[1] ?? 0) * 6e7 + Number(m[2] ?? 0) * 1e6 + Number(m[3] ?? 0) * 1e3 + Number(m[4] ?? 0);
  return `${Math.round(us / 1e4)}%`;
}

export function toStatus(p: Record<string, string>): UnitStatus {
  const since = /^@(\d+)$/.exec(p.ActiveEnterTimestamp ?? '');
  const mainPid = number(p.MainPID);
  return {
    unit: p.Id ?? '',
    description: p.Description ?? '',
    loadState: p.LoadState ?? 'unknown',
    activeState: p.ActiveState ?? 'unknown',
    subState: p.SubState ?? 'unknown',
    mainPid: mainPid || null,
    since: since ? new Date(Number(since[1]) * 1000).toISOString() : null,
    cpuUsageNs: number(p.CPUUsageNSec),
    memoryBytes: number(p.MemoryCurrent),
    tasks: number(p.TasksCurrent),
    cpuQuota: quotaPercent(p.CPUQuotaPerSecUSec),
    memoryMax: number(p.MemoryMax),
    dropIns: (p.DropInPaths ?? '').split(/\s+/).filter(Boolean),
  };
}

/** systemd's own words, with a code that says what kind of failure it was. */
export function systemdError(r: RunResult, what: string): AuraError {
  const said = (r.stderr || r.stdout).trim();
  if (r.exitCode === 127 || /not been booted with systemd|Failed to connect to bus|systemctl: command not found/i.test(said))
    return servicesErrors.SYSTEMD_UNAVAILABLE(`This server does not run systemd, so units cannot be managed: ${said}`);
  if (/a password is required|is not allowed to execute|sudo: .*command not found/i.test(said))
    return servicesErrors.SUDO_REFUSED(`${what}: ${said}. Install the file \`npm run sudoers\` prints (see systemd/README.md).`);
  // What systemctl says when polkit does not authorize a non-root caller (no agent to ask).
  if (/Interactive authentication required|Access denied/i.test(said))
    return servicesErrors.POLKIT_REFUSED(
      `${what}: ${said}. Install the rules \`npm run aura -- services polkit\` prints (see systemd/README.md).`,
    );
  return servicesErrors.SYSTEMD_ERROR(`${what}: ${said || `exit ${r.exitCode}`}`);
}

/**
 * Where systemd's accounting is off (CPUUsageNSec and MemoryCurrent "[not set]", as in
 * containers with read-only cgroups), the main process's own counters stand in.
 */
async function mainProcessUsage(host: Host, pid: number): Promise<{ cpuNs: number; rss: number } | undefined> {
  const r = await host.run(['cat', `/proc/${pid}/stat`, `/proc/${pid}/status`], { timeoutMs: 5000 });
  return r.exitCode === 0 ? parseProcUsage(r.stdout) : undefined;
}

/** /proc/<pid>/stat (one line; the name in parentheses may hold anything) then /proc/<pid>/status. */
export function parseProcUsage(text: string): { cpuNs: number; rss: number } | undefined {
  const statLine = text.slice(0, text.indexOf('\n'));
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, at 100 Hz
  if (!Number.isFinite(ticks)) return undefined;
  const rss = /VmRSS:\s+(\d+) kB/.exec(text);
  return { cpuNs: ticks * 1e7, rss: rss ? Number(rss[1]) * 1024 : 0 };
}

export async function showUnits(host: Host, units: string[]): Promise<UnitStatus[]> {
  if (!units.length) return [];
  const r = await host.run(['systemctl', 'show', '--timestamp=unix', `--property=${SHOW_PROPERTIES.join(',')}`, ...units]);
  if (r.exitCode !== 0) throw systemdError(r, 'systemctl show failed');
  const statuses = parseShow(r.stdout).map(toStatus);
  await Promise.all(
    statuses.map(async (s) => {
      if (s.mainPid && (s.cpuUsageNs === null || s.memoryBytes === null)) {
        const usage = await mainProcessUsage(host, s.mainPid);
        s.cpuUsageNs ??= usage?.cpuNs ?? null;
        s.memoryBytes ??= usage?.rss ?? null;
      }
    }),
  );
  return statuses;
}

export async function showUnit(host: Host, unit: string): Promise<UnitStatus> {
  const [status] = await showUnits(host, [unit]);
  if (!status || status.loadState === 'not-found') throw servicesErrors.UNIT_NOT_FOUND(`${unit} does not exist on ${host.id}.`);
  return status;
}

export type UnitAction = 'start' | 'stop' | 'restart';

/**
 * systemd bounds its own jobs (TimeoutStopSec + TimeoutStartSec, 90 s each by default), and a
 * command run through sudo cannot be killed by a user who may only run it: wait longer than that.
 */
export const ACTION_TIMEOUT_MS = 200_000;

/**
 * Runs the action with the server's privilege (through sudo, or asking systemd, which polkit
 * authorizes) and answers with the state it left the unit in.
 */
export async function runAction(host: Host, unit: string, action: UnitAction, privilege: Privilege) {
  await showUnit(host, unit);
  const r = await host.run(['systemctl', action, unit], { sudo: privilege === 'sudo', timeoutMs: ACTION_TIMEOUT_MS });
  if (r.exitCode !== 0) throw systemdError(r, `systemctl ${action} ${unit} failed`);
  return { status: await showUnit(host, unit), output: (r.stdout + r.stderr).trim() };
}
