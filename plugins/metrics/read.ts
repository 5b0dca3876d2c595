import type { Host } from '../../core/index.ts';
import { parseDf, parseOwners, parsePidStats, type ProcessReading } from './proc.ts';

/** What a one-second tick reads. */
export const FAST_FILES = {
  stat: '/proc/stat',
  meminfo: '/proc/meminfo',
  loadavg: '/proc/loadavg',
  netdev: '/proc/net/dev',
  uptime: '/proc/uptime',
} as const;

export type FastSources = Record<keyof typeof FAST_FILES, string>;

const READ_TIMEOUT_MS = 10_000;

/**
 * The five /proc files. Locally they are read in-process (no command per second); over SSH
 * one `head` prints them all, each after a `==> path <==` line, in one exec.
 */
export async function readFast(host: Host, signal: AbortSignal): Promise<FastSources> {
  const keys = Object.keys(FAST_FILES) as (keyof FastSources)[];
  if (host.kind === 'local') {
    const texts = await Promise.all(keys.map((k) => host.readFile(FAST_FILES[k])));
    return Object.fromEntries(keys.map((k, i) => [k, texts[i]!.toString()])) as FastSources;
  }
  const { stdout, stderr, exitCode } = await host.run(['head', '-c', '1048576', ...Object.values(FAST_FILES)], {
    signal,
    timeoutMs: READ_TIMEOUT_MS,
  });
  if (exitCode !== 0) throw new Error(`reading /proc failed (exit ${exitCode}): ${stderr.trim().slice(0, 200)}`);
  return splitHead(stdout, keys);
}

/** head's output for several files: each after a `==> path <==` line. */
export function splitHead(stdout: string, keys: (keyof FastSources)[]): FastSources {
  const out: Partial<FastSources> = {};
  const parts = stdout.split(/^==> (.+) <==$/m);
  for (let i = 1; i < parts.length; i += 2) {
    const key = keys.find((k) => FAST_FILES[k] === parts[i]);
    if (key) out[key] = parts[i + 1]!.replace(/^\n/, '');
  }
  const missing = keys.filter((k) => out[k] === undefined);
  if (missing.length) throw new Error(`the server did not print ${missing.map((k) => FAST_FILES[k]).join(', ')}`);
  return out as FastSources;
}

/**
 * Every five seconds: disks, and each process's CPU ticks, memory and owner. A fixed script
 * (nothing from a user reaches it); pseudo file systems are left out of df. No ps: it costs
 * more than all the rest together.
 */
const DF = ['df', '-P', '-B1', '-x', 'tmpfs', '-x', 'devtmpfs', '-x', 'squashfs', '-x', 'efivarfs'];
const SLOW_SCRIPT = [
  `${DF.join(' ')} 2>/dev/null`,
  'echo @@stat',
  'cat /proc/[0-9]*/stat 2>/dev/null',
  'echo @@owners',
  "stat -c '%u %n' /proc/[0-9]* 2>/dev/null",
  'echo @@passwd',
  'cat /etc/passwd',
].join('; ');
/** Asked once per sampler: what the kernel counts CPU time and memory in. */
const UNITS_SCRIPT = 'getconf CLK_TCK; getconf PAGESIZE';
const CONF_SCRIPT = `; echo @@conf; ${UNITS_SCRIPT}`;

export const slowScript = (withConf: boolean) => SLOW_SCRIPT + (withConf ? CONF_SCRIPT : '');

export interface KernelUnits {
  clockTicks: number;
  pageSize: number;
}

export interface SlowReading {
  disks: ReturnType<typeof parseDf>;
  processes: ProcessReading;
}

export function readSlow(host: Host, signal: AbortSignal, now: () => number, units?: KernelUnits): Promise<SlowReading> {
  return host.kind === 'local' ? readSlowLocally(host, signal, now, units) : readSlowScripted(host, signal, now, units);
}

/**
 * Over SSH: one exec of the fixed script. Locally, the kernel's files are read in-process (a
 * command costs more to start than all of them to read) and only df runs; the same parsers
 * take the same text.
 */
async function readSlowScripted(host: Host, signal: AbortSignal, now: () => number, units?: KernelUnits): Promise<SlowReading> {
  const { stdout, stderr } = await host.run(['sh', '-c', slowScript(!units)], { signal, timeoutMs: READ_TIMEOUT_MS });
  const time = now();
  const [df = '', stat = '', owners, passwd, conf] = stdout.split(/^@@(?:stat|owners|passwd|conf)$/m);
  if (owners === undefined || passwd === undefined) throw new Error(`reading processes failed: ${stderr.trim().slice(0, 200)}`);
  const { clockTicks, pageSize } = units ?? kernelUnits(conf ?? '');
  return {
    disks: parseDf(df),
    processes: {
      time,
      clockTicks,
      pageSize,
      stats: parsePidStats(stat),
      owners: parseOwners(owners, passwd),
    },
  };
}

async function readSlowLocally(host: Host, signal: AbortSignal, now: () => number, units?: KernelUnits): Promise<SlowReading> {
  const [df, processes] = await Promise.all([host.run(DF, { signal, timeoutMs: READ_TIMEOUT_MS }), readProcessesLocally(host)]);
  const time = now();
  const { clockTicks, pageSize } = units ?? kernelUnits((await host.run(['sh', '-c', UNITS_SCRIPT], { signal })).stdout);
  return {
    disks: parseDf(df.stdout),
    processes: {
      time,
      clockTicks,
      pageSize,
      stats: parsePidStats(processes.stats),
      owners: parseOwners(processes.owners, processes.passwd),
    },
  };
}

/** What the script prints for processes, made from the kernel's files in-process. */
async function readProcessesLocally(host: Host): Promise<{ stats: string; owners: string; passwd: string }> {
  const pids = (await host.readDir('/proc')).filter((name) => /^\d+$/.test(name));
  const stats: string[] = [];
  const owners: string[] = [];
  for (const pid of pids) {
    try {
      const [stat, status] = await Promise.all([host.readFile(`/proc/${pid}/stat`), host.readFile(`/proc/${pid}/status`)]);
      const uid = /^Uid:\s+(\d+)/m.exec(status.toString())?.[1];
      stats.push(stat.toString().trimEnd());
      if (uid !== undefined) owners.push(`${uid} /proc/${pid}`);
    } catch {
      // it exited while we looked
    }
  }
  return { stats: stats.join('\n'), owners: owners.join('\n'), passwd: (await host.readFile('/etc/passwd')).toString() };
}

/** getconf's CLK_TCK and PAGESIZE, one per line; Linux's usual ones where it says nothing. */
function kernelUnits(text: string): KernelUnits {
  const [clockTicks, pageSize] = text.trim().split(/\s+/).map(Number);
  return { clockTicks: clockTicks || 100, pageSize: pageSize || 4096 };
}
