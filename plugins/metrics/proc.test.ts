import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  busyPercent,
  parseCpuTimes,
  parseDf,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parsePidStats,
  parseOwners,
  parseUptime,
  topProcesses,
} from './proc.ts';
import { FAST_FILES, splitHead, type FastSources } from './read.ts';

const testdata = (name: string) => readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8');

describe('the /proc parsers', () => {
  it('counts busy time between two /proc/stat readings, for all CPUs and per core', () => {
    const before = parseCpuTimes(
      'cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 300 100 0 0 0 0 0\n',
    );
    const after = parseCpuTimes(
      'cpu  200 0 200 800 200 0 0 0 0 0\ncpu0 150 0 50 400 0 0 0 0 0 0\ncpu1 50 0 150 400 100 0 0 0 0 0\n',
    );
    // 400 jiffies passed, 200 of them idle (idle 100 + iowait 100).
    expect(busyPercent(before.all, after.all)).toBe(50);
    expect(after.cores.map((c, i) => busyPercent(before.cores[i], c))).toEqual([100, 50]);
    expect(busyPercent(undefined, after.all)).toBe(0);
    expect(busyPercent(after.all, after.all)).toBe(0);
    // guest and guest_nice (fields 9 and 10) are already counted inside user time.
    expect(parseCpuTimes('cpu  1 2 3 4 5 6 7 8 900 900\n').all).toEqual({ total: 36, idle: 9 });
    expect(() => parseCpuTimes('intr 1 2 3')).toThrow(/no cpu line/);
  });

  it('counts memory as free(1) does: used is total minus available, in bytes', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 400 kB\nSwapTotal: 50 kB\nSwapFree: 20 kB\n');
    expect(m).toEqual({ total: 1024000, used: 614400, available: 409600, swapTotal: 51200, swapUsed: 30720 });
    // An old kernel without MemAvailable: free + buffers + page cache.
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n').available).toBe(400 * 1024);
    expect(() => parseMeminfo('MemFree: 1 kB')).toThrow(/MemTotal/);
  });

  it('reads load averages, uptime and per-interface byte counters', () => {
    expect(parseLoadavg('0.04 0.75 2.08 1/87 7548\n')).toEqual([0.04, 0.75, 2.08]);
    expect(() => parseLoadavg('oops')).toThrow();
    expect(parseUptime('10140.50 6693.59\n')).toBe(10140);
    expect(() => parseUptime('')).toThrow();
    const net = parseNetDev(testdata('head-fast.txt').split('==> /proc/net/dev <==')[1]!.split('==>')[0]!);
    expect([...net.keys()]).toContain('lo');
    expect(net.get('lo')!.rx).toBeGreaterThan(0);
    expect(parseNetDev('Inter-| x\n face |y\n  eth0:5 1 0 0 0 0 0 0 7 2 0 0 0 0 0 0\n').get('eth0')).toEqual({ rx: 5, tx: 7 });
  });

  it('lists each disk once, with mount points that hold spaces, and skips empty file systems', () => {
    const df = [
      'Filesystem         1-blocks        Used   Available Capacity Mounted on',
      '/dev/vda       270553174016 24935059456 84009234432      23% /',
      '/dev/vdb          100000       40000       60000      40% /mnt/my disk',
      '/dev/vda       270553174016 24935059456 84009234432      23% /etc/hosts',
      'none                      0           0           0       - /sys/fs/bpf',
      'overlay             5000        1000        4000      20% /var/lib/docker/overlay2/a/merged',
      'overlay             5000        1000        4000      20% /var/lib/docker/overlay2/b/merged',
    ].join('\n');
    expect(parseDf(df)).toEqual([
      { fs: '/dev/vda', size: 270553174016, used: 24935059456, mount: '/' },
      { fs: '/dev/vdb', size: 100000, used: 40000, mount: '/mnt/my disk' },
      { fs: 'overlay', size: 5000, used: 1000, mount: '/var/lib/docker/overlay2/a/merged' },
    ]);
  });

  it('ranks processes by CPU over the time between readings, and by resident memory', () => {
    const stat = (ticks: Record<number, number>) =>
      parsePidStats(
        Object.entries(ticks)
          .map(([pid, t]) => `${pid} (we(ir)d name) S 1 1 1 0 -1 4194560 0 0 0 0 ${t} 0 0 0 20 0 1 0 5 0 ${Number(pid) * 10} 0`)
          .join('\n'),
      );
    const owners = parseOwners(
      '0 /proc/1\n1000 /proc/2\n1001 /proc/3\n',
      'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n',
    );
    expect(owners).toEqual(
      new Map([
        [1, 'root'],
        [2, 'alice'],
        [3, '1001'],
      ]),
    );
    const before = { time: 0, clockTicks: 100, pageSize: 4096, stats: stat({ 1: 0, 2: 0, 3: 0 }), owners };
    const after = { time: 2000, clockTicks: 100, pageSize: 4096, stats: stat({ 1: 100, 2: 300, 3: 0, 4: 50 }), owners };
    const top = topProcesses(before, after, 2);
    // 300 ticks at 100 Hz over 2 s is 150 % of one core, as top says it.
    expect(top.byCpu).toEqual([
      { pid: 2, name: 'we(ir)d name', user: 'alice', cpuPercent: 150, rssBytes: 20 * 4096 },
      { pid: 1, name: 'we(ir)d name', user: 'root', cpuPercent: 50, rssBytes: 10 * 4096 },
    ]);
    expect(top.byMemory.map((p) => p.pid)).toEqual([3, 2]);
    // pid 4 has no owner line (it exited between the two commands): left out.
    expect(topProcesses(before, after, 10).byCpu.map((p) => p.pid)).not.toContain(4);
    // The first reading has nothing to compare with.
    expect(topProcesses(undefined, after).byCpu.every((p) => p.cpuPercent === 0)).toBe(true);
  });

  it("parses a real machine's output (as captured by the SSH reader) end to end", () => {
    const keys = Object.keys(FAST_FILES) as (keyof FastSources)[];
    const fast = splitHead(testdata('head-fast.txt'), keys);
    expect(parseCpuTimes(fast.stat).cores.length).toBeGreaterThan(0);
    expect(parseMeminfo(fast.meminfo).total).toBeGreaterThan(0);
    expect(() => splitHead('==> /proc/stat <==\ncpu 1 2 3 4\n', keys)).toThrow(/did not print \/proc\/meminfo/);
    const [df, stats, owners, passwd] = testdata('slow.txt').split(/^@@(?:stat|owners|passwd|conf)$/m);
    expect(parseDf(df!)[0]).toMatchObject({ mount: expect.stringMatching(/^\//) });
    expect(parsePidStats(stats!).size).toBeGreaterThan(10);
    expect(parseOwners(owners!, passwd!).get(1)).toBe('root');
  });
});
