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
const SLOW_SCRIPT = [
  'df -P -B1 -x tmpfs -x devtmpfs -x squashfs -x efivarfs 2>/dev/null',
  'echo @@stat',
  'cat /proc/[0-9]*/stat 2>/dev/null',
  'echo @@owners',
  "stat -c '%u %n' /proc/[0-9]* 2>/dev/null",
  'echo @@passwd',
  'cat /etc/passwd',
].join('; ');
/** Asked once per sampler: what the kernel counts CPU time and memory in. */
const CONF_SCRIPT = '; echo @@conf; getconf CLK_TCK; getconf PAGESIZE';

export const slowScript = (withConf: boolean) => SLOW_SCRIPT + (withConf ? CONF_SCRIPT : '');

export interface KernelUnits {
  clockTicks: number;
  pageSize: number;
}

export interface SlowReading {
  disks: ReturnType<typeof parseDf>;
  processes: ProcessReading;
}

export async function readSlow(host: Host, signal: AbortSignal, now: () => number, units?: KernelUnits): Promise<SlowReading> {
  const { stdout, stderr } = await host.run(['sh', '-c', slowScript(!units)], { signal, timeoutMs: READ_TIMEOUT_MS });
  const time = now();
  const [df = '', stat = '', owners, passwd, conf] = stdout.split(/^@@(?:stat|owners|passwd|conf)$/m);
  if (owners === undefined || passwd === undefined) throw new Error(`reading processes failed: ${stderr.trim().slice(0, 200)}`);
  const [clockTicks, pageSize] = (conf ?? '').trim().split(/\s+/).map(Number);
  return {
    disks: parseDf(df),
    processes: {
      time,
      clockTicks: units?.clockTicks ?? (clockTicks || 100),
      pageSize: units?.pageSize ?? (pageSize || 4096),
      stats: parsePidStats(stat),
      owners: parseOwners(owners, passwd),
    },
  };
}
