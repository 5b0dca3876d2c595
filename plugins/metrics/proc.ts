import type { ProcessSample } from './types.ts';

/**
 * Pure parsers for what Linux says in /proc and what df and ps print. The local reader and
 * the SSH reader hand these the same text, so both give the same numbers.
 */

/** Jiffies spent by one CPU line of /proc/stat: all of them, and idle (idle + iowait). */
export interface CpuTimes {
  total: number;
  idle: number;
}

export function parseCpuTimes(stat: string): { all: CpuTimes; cores: CpuTimes[] } {
  let all: CpuTimes | undefined;
  const cores: CpuTimes[] = [];
  for (const line of stat.split('\n')) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    // user nice system idle iowait irq softirq steal; guest time is already inside user.
    const f = m[2]!.trim().split(/\s+/).slice(0, 8).map(Number);
    const times = { total: f.reduce((a, b) => a + b, 0), idle: (f[3] ?? 0) + (f[4] ?? 0) };
    if (m[1] === '') all = times;
    else cores[Number(m[1])] = times;
  }
  if (!all) throw new Error('/proc/stat has no cpu line');
  return { all, cores: cores.filter(Boolean) };
}

/** Busy share of the time between two readings, 0–100; 0 when no time passed. */
export function busyPercent(before: CpuTimes | undefined, after: CpuTimes): number {
  if (!before) return 0;
  const total = after.total - before.total;
  const idle = after.idle - before.idle;
  if (total <= 0) return 0;
  return clampPercent(((total - idle) / total) * 100);
}

const clampPercent = (n: number) => Math.round(Math.min(100, Math.max(0, n)) * 10) / 10;

/** /proc/meminfo in bytes; used is total − available, as free(1) counts it. */
export function parseMeminfo(text: string) {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo has no MemTotal');
  // Kernels before 3.14 have no MemAvailable: free + buffers + cache is what it estimates.
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  const swapTotal = kb('SwapTotal') ?? 0;
  return {
    total,
    used: Math.max(0, total - available),
    available,
    swapTotal,
    swapUsed: Math.max(0, swapTotal - (kb('SwapFree') ?? 0)),
  };
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((n) => Number.isFinite(n))) throw new Error('/proc/loadavg is not three numbers');
  return [a!, b!, c!];
}

export function parseUptime(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s/.exec(text);
  if (!m) throw new Error('/proc/uptime is not a number');
  return Math.floor(Number(m[1]));
}

/** Bytes received and sent so far, per interface. */
export function parseNetDev(text: string): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    if (f.length >= 9 && Number.isFinite(f[0]) && Number.isFinite(f[8])) out.set(m[1]!, { rx: f[0]!, tx: f[8]! });
  }
  return out;
}

/**
 * `df -P -B1` rows: one per file system, the first mount of each device only (containers
 * and bind mounts show the same disk many times).
 */
export function parseDf(text: string): { mount: string; fs: string; size: number; used: number }[] {
  const seen = new Set<string>();
  const out: { mount: string; fs: string; size: number; used: number }[] = [];
  for (const line of text.split('\n').slice(1)) {
    // The mount point is last and may hold spaces; the four numbers and the % sit before it.
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(\/.*)$/.exec(line.trim());
    if (!m || seen.has(m[1]!)) continue;
    seen.add(m[1]!);
    const size = Number(m[2]);
    if (size === 0) continue;
    out.push({ fs: m[1]!, size, used: Number(m[3]), mount: m[5]! });
  }
  return out;
}

/** CPU ticks (user + system) and resident pages per pid, from `cat /proc/[0-9]*\/stat`. */
export function parsePidStats(text: string): Map<number, { name: string; ticks: number; rssPages: number }> {
  const out = new Map<number, { name: string; ticks: number; rssPages: number }>();
  for (const line of text.split('\n')) {
    // The name sits in parentheses and may hold spaces and parentheses: split at the last ')'.
    const open = line.indexOf(' (');
    const close = line.lastIndexOf(')');
    if (open < 0 || close < open) continue;
    const pid = Number(line.slice(0, open));
    const rest = line.slice(close + 2).split(' ');
    // rest[0] is field 3 (state): utime and stime are fields 14 and 15, rss is field 24.
    const ticks = Number(rest[11]) + Number(rest[12]);
    const rssPages = Number(rest[21]);
    if (Number.isInteger(pid) && Number.isFinite(ticks) && Number.isFinite(rssPages))
      out.set(pid, { name: line.slice(open + 2, close), ticks, rssPages });
  }
  return out;
}

/**
 * Who runs each process: `stat -c '%u %n' /proc/[0-9]*` gives the owner uid of each pid's
 * folder, /etc/passwd the names. A uid without a name is shown as the number.
 */
export function parseOwners(statOutput: string, passwd: string): Map<number, string> {
  const names = new Map<string, string>();
  for (const line of passwd.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && !names.has(uid)) names.set(uid, name);
  }
  const out = new Map<number, string>();
  for (const line of statOutput.split('\n')) {
    const m = /^(\d+) \/proc\/(\d+)$/.exec(line.trim());
    if (m) out.set(Number(m[2]), names.get(m[1]!) ?? m[1]!);
  }
  return out;
}

export interface ProcessReading {
  time: number;
  clockTicks: number;
  pageSize: number;
  stats: Map<number, { name: string; ticks: number; rssPages: number }>;
  owners: Map<number, string>;
}

/** The ten busiest and the ten largest processes between two readings (CPU % of one core, like top). */
export function topProcesses(before: ProcessReading | undefined, after: ProcessReading, count = 10) {
  const seconds = before ? (after.time - before.time) / 1000 : 0;
  const all: ProcessSample[] = [];
  for (const [pid, { name, ticks, rssPages }] of after.stats) {
    const user = after.owners.get(pid);
    if (user === undefined) continue; // gone between the two commands
    const earlier = before?.stats.get(pid);
    const used = earlier && earlier.name === name ? Math.max(0, ticks - earlier.ticks) : 0;
    const cpuPercent = seconds > 0 ? Math.round((used / after.clockTicks / seconds) * 1000) / 10 : 0;
    all.push({ pid, name, user, cpuPercent, rssBytes: rssPages * after.pageSize });
  }
  const by = (key: 'cpuPercent' | 'rssBytes') => [...all].sort((a, b) => b[key] - a[key] || a.pid - b.pid).slice(0, count);
  return { byCpu: by('cpuPercent'), byMemory: by('rssBytes') };
}
