import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNIT_NAME } from './config.ts';
import { parseEntry } from './journal.ts';
import { dropInContent, limitCommands, limitsBody } from './limits.ts';
import { parseProcUsage, parseShow, toStatus } from './systemctl.ts';
import { UsageTracker } from './usage.ts';

const captured = (name: string) => readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8');

describe('systemctl show, parsed', () => {
  it('reads one block per unit, with accounting off', () => {
    const [web, nope] = parseShow(captured('show-two-units.txt')).map(toStatus);
    expect(web).toEqual({
      unit: 'aura-web.service',
      description: 'Aura test web',
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      mainPid: 61,
      since: new Date(1795311058 * 1000).toISOString(),
      cpuUsageNs: null,
      memoryBytes: null,
      tasks: null,
      cpuQuota: null,
      memoryMax: null,
      dropIns: [],
    });
    expect(nope).toMatchObject({ unit: 'nope.service', loadState: 'not-found', mainPid: null, since: null });
  });

  it('reads limits, usage and drop-ins', () => {
    const [s] = parseShow(captured('show-limited.txt')).map(toStatus);
    expect(s).toMatchObject({ cpuQuota: '50%', memoryMax: 67108864, memoryBytes: 7340032, cpuUsageNs: 123456789, tasks: 1 });
    expect(s!.dropIns).toHaveLength(2);
    expect(toStatus({ CPUQuotaPerSecUSec: '2s' }).cpuQuota).toBe('200%');
    expect(toStatus({ CPUQuotaPerSecUSec: '10ms' }).cpuQuota).toBe('1%');
    expect(toStatus({ CPUQuotaPerSecUSec: '1min 40s' }).cpuQuota).toBe('10000%');
  });
});

describe('/proc fallback', () => {
  it('reads CPU time from stat even when status mentions parentheses', () => {
    const stat =
      '61 (python3 (web)) S 1 61 61 0 -1 4194560 2553 0 0 0 37 12 0 0 20 0 1 0 1234 30000000 4700 18446744073709551615';
    const status = 'Name:\tpython3\nState:\tS (sleeping)\nVmRSS:\t   18800 kB\n';
    expect(parseProcUsage(`${stat}\n${status}`)).toEqual({ cpuNs: 49 * 1e7, rss: 18800 * 1024 });
  });
});

describe('journal entries', () => {
  it('reads text and byte-array messages', () => {
    expect(parseEntry('{"__REALTIME_TIMESTAMP":"1795311058663180","MESSAGE":"hello","PRIORITY":"6","_PID":"61"}')).toEqual({
      time: new Date(1795311058663.18).toISOString(),
      message: 'hello',
      priority: 6,
      pid: 61,
    });
    expect(parseEntry('{"__REALTIME_TIMESTAMP":"1","MESSAGE":[104,105,255]}')?.message).toBe('hi\ufffd');
    expect(parseEntry('not json')).toBeUndefined();
  });
});

describe('unit names and limits', () => {
  it('accepts unit names only in their strict shape', () => {
    for (const ok of ['nginx.service', 'getty@tty1.service', 'a:b_c-d.socket', 'backup.timer'])
      expect(UNIT_NAME.test(ok), ok).toBe(true);
    for (const bad of [
      'nginx; rm -rf /',
      '$(touch /tmp/p).service',
      '`id`.service',
      'a${IFS}b.service',
      'a\nb.service',
      '--root=/tmp',
      '-x.service',
      'nginx',
      'nginx.mount',
      '../x.service',
      'a b.service',
    ])
      expect(UNIT_NAME.test(bad), bad).toBe(false);
  });

  it('accepts limits only in their strict shape', () => {
    expect(limitsBody.parse({ cpuQuota: '50%', memoryMax: '512M' })).toEqual({ cpuQuota: '50%', memoryMax: '512M' });
    expect(limitsBody.parse({ cpuQuota: null, memoryMax: 'infinity' })).toEqual({ cpuQuota: null, memoryMax: 'infinity' });
    for (const bad of [
      { cpuQuota: '50%\nExecStartPre=/bin/sh', memoryMax: null },
      { cpuQuota: null, memoryMax: '1G; id' },
      { cpuQuota: '0%', memoryMax: null },
      { cpuQuota: '10001%', memoryMax: null },
      { cpuQuota: 50, memoryMax: null },
      { cpuQuota: ['50%'], memoryMax: null },
      { cpuQuota: null, memoryMax: '1.5G' },
      { cpuQuota: null },
      { cpuQuota: null, memoryMax: null, extra: 1 },
    ])
      expect(limitsBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    const lots = limitsBody.safeParse({ cpuQuota: 'lots', memoryMax: null });
    expect(lots.error?.issues.map((i) => i.message)).toEqual(['must be a percentage from 1% to 10000%']);
    expect(limitsBody.safeParse({ cpuQuota: '10000%', memoryMax: null }).success).toBe(true);
  });

  it('writes a drop-in with only the limits that are set, through fixed commands', () => {
    expect(dropInContent({ cpuQuota: '50%', memoryMax: null })).toBe(
      '# Written by Aura. Delete this file and run `systemctl daemon-reload` to drop these limits.\n[Service]\nCPUQuota=50%\n',
    );
    expect(limitCommands('web.service', { cpuQuota: null, memoryMax: null })[0]).toEqual([
      'rm',
      '-f',
      '/etc/systemd/system/web.service.d/50-aura-limits.conf',
    ]);
  });
});

describe('CPU percent', () => {
  it('comes from the CPU time used between two looks', () => {
    let now = 1000;
    const usage = new UsageTracker();
    const s = { unit: 'a.service', cpuUsageNs: 0 } as Parameters<UsageTracker['cpuPercent']>[1];
    expect(usage.cpuPercent('local', s, now)).toBeNull();
    now += 2000;
    expect(usage.cpuPercent('local', { ...s, cpuUsageNs: 1e9 }, now)).toBe(50);
    expect(usage.cpuPercent('local', { ...s, cpuUsageNs: 1e9 }, now - 500)).toBeNull(); // an older look, late
  });
});
