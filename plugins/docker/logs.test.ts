import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { CONTAINER_ID } from './containers.ts';
import { LogParser, type LogLine } from './logs.ts';
import { statsFrom } from './stats.ts';

/** One frame as the engine writes it for a non-TTY container: type, 3 zeros, size, payload. */
function frame(type: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function parse(tty: boolean, chunks: Buffer[]): LogLine[] {
  const lines: LogLine[] = [];
  const parser = new LogParser(tty, (l) => lines.push(l));
  for (const c of chunks) parser.push(c);
  parser.end();
  return lines;
}

const T1 = '2026-11-22T08:30:04.123456789Z';
const T2 = '2026-11-22T08:30:05.5Z';

describe('LogParser', () => {
  const multiplexed = Buffer.concat([frame(1, `${T1} out 0\n`), frame(2, `${T2} err 0: café\n`), frame(1, `${T2} out 1\n`)]);
  const expected: LogLine[] = [
    { stream: 'stdout', time: Date.parse('2026-11-22T08:30:04.123Z'), text: 'out 0' },
    { stream: 'stderr', time: Date.parse(T2), text: 'err 0: café' },
    { stream: 'stdout', time: Date.parse(T2), text: 'out 1' },
  ];

  it('demultiplexes the two streams with their times', () => {
    expect(parse(false, [multiplexed])).toEqual(expected);
  });

  it('reads the same lines however the frames are cut, mid-header and mid-character too', () => {
    for (let cut = 1; cut < multiplexed.length; cut++)
      expect(parse(false, [multiplexed.subarray(0, cut), multiplexed.subarray(cut)]), `cut at ${cut}`).toEqual(expected);
    expect(
      parse(
        false,
        [...multiplexed].map((b) => Buffer.from([b])),
      ),
    ).toEqual(expected);
  });

  it("calls a TTY's one stream stdout and drops its carriage returns", () => {
    const tty = Buffer.from(`${T1} first\r\n${T2} second\r\n${T2} no newline yet`);
    expect(parse(true, [tty.subarray(0, 20), tty.subarray(20)])).toEqual([
      { stream: 'stdout', time: Date.parse(T1), text: 'first' },
      { stream: 'stdout', time: Date.parse(T2), text: 'second' },
      { stream: 'stdout', time: Date.parse(T2), text: 'no newline yet' },
    ]);
  });

  it('keeps lines whole across frames, and hands over an endless one at 16 KiB', () => {
    expect(parse(false, [frame(1, `${T1} hal`), frame(2, `${T1} other\n`), frame(1, 'f\n')]).map((l) => l.text)).toEqual([
      'other',
      'half',
    ]);
    const endless = parse(true, [Buffer.from(`${T1} ${'x'.repeat(20_000)}`)]);
    expect(endless).toHaveLength(1);
    expect(endless[0]!.text).toHaveLength(20_000);
  });
});

describe('statsFrom', () => {
  const sample = {
    cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 110_000_000_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 100_000_000_000 },
    memory_stats: { usage: 50_000_000, limit: 2_000_000_000, stats: { inactive_file: 10_000_000 } },
    networks: { eth0: { rx_bytes: 100, tx_bytes: 7 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
  } as unknown as Dockerode.ContainerStats;

  it('computes CPU as `docker stats` does, and memory without the droppable cache', () => {
    // 1 s of CPU time in 10 s of the machine's, on 2 CPUs: 20 %.
    expect(statsFrom(sample)).toEqual({
      cpuPercent: 20,
      memoryBytes: 40_000_000,
      memoryLimitBytes: 2_000_000_000,
      rxBytes: 101,
      txBytes: 9,
    });
  });

  it('reads cgroup v1 figures, and says 0 % where the engine took no earlier sample', () => {
    const v1 = {
      ...sample,
      cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 10 },
      precpu_stats: { cpu_usage: {} },
      memory_stats: { usage: 500, limit: 1000, stats: { total_inactive_file: 200 } },
      networks: undefined,
    } as unknown as Dockerode.ContainerStats;
    expect(statsFrom(v1)).toEqual({ cpuPercent: 200, memoryBytes: 300, memoryLimitBytes: 1000, rxBytes: 0, txBytes: 0 });
    const first = { ...v1, cpu_stats: { cpu_usage: { total_usage: 0 } } } as unknown as Dockerode.ContainerStats;
    expect(statsFrom(first).cpuPercent).toBe(0);
  });
});

describe('CONTAINER_ID', () => {
  it('takes ids, prefixes and names, and nothing a path, a flag or a shell could use', () => {
    for (const ok of ['a', '0f3c9a', 'web_1', 'my-app.worker-2', 'x'.repeat(128)]) expect(CONTAINER_ID.test(ok), ok).toBe(true);
    for (const bad of ['', '../x', '-rf', 'a;b', 'a/b', '.hidden', '_x', 'x'.repeat(129), '%2e%2e', 'a b', 'a\nb'])
      expect(CONTAINER_ID.test(bad), bad).toBe(false);
  });
});
