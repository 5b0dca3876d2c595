import type { Host } from '../../core/index.ts';
import { parseDf, parsePidStats, parsePs, type ProcessReading } from './proc.ts';

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
 * Every five seconds: disks, and each process's CPU ticks, owner and memory. A fixed script
 * (nothing from a user reaches it); pseudo file systems are left out of df.
 */
export const SLOW_SCRIPT = [
  'df -P -B1 -x tmpfs -x devtmpfs -x squashfs -x efivarfs 2>/dev/null',
  'echo @@stat',
  'cat /proc/[0-9]*/stat 2>/dev/null',
  'echo @@ps',
  'ps -eo pid=,user:32=,rss=',
  'echo @@clk',
  'getconf CLK_TCK',
].join('; ');

export interface SlowReading {
  disks: ReturnType<typeof parseDf>;
  processes: ProcessReading;
}

export async function readSlow(host: Host, signal: AbortSignal, now: () => number): Promise<SlowReading> {
  const { stdout, stderr } = await host.run(['sh', '-c', SLOW_SCRIPT], { signal, timeoutMs: READ_TIMEOUT_MS });
  const time = now();
  const [df = '', stat = '', ps, clk] = stdout.split(/^@@(?:stat|ps|clk)$/m);
  if (ps === undefined || clk === undefined) throw new Error(`reading processes failed: ${stderr.trim().slice(0, 200)}`);
  return {
    disks: parseDf(df),
    processes: { time, clockTicks: Number(clk.trim()) || 100, stats: parsePidStats(stat), owners: parsePs(ps) },
  };
}
