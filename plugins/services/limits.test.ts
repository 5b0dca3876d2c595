import { describe, expect, it } from 'vitest';
import { fakeHost, type FakeHost } from '../../test/kit/index.ts';
import { limitsBody, limitsWriter, type Limits } from './limits.ts';

const UNIT = 'web.service';
const FILE = '/etc/systemd/system/web.service.d/50-aura-limits.conf';
const STAGED = `${FILE}.new`;
const SHOW =
  'systemctl show --timestamp=unix --property=Id,Description,LoadState,ActiveState,SubState,MainPID,ActiveEnterTimestamp,CPUUsageNSec,MemoryCurrent,TasksCurrent,CPUQuotaPerSecUSec,MemoryMax,DropInPaths';
const HEADER = '# Written by Aura. Delete this file and run `systemctl daemon-reload` to drop these limits.\n[Service]\n';
const SUDO = { sudo: true, timeoutMs: 200_000 };
const bytes = (v: string) => String(Number.parseInt(v, 10) * 1024 ** ' KMGT'.indexOf(v.at(-1)!));

/**
 * A server whose systemd knows web.service and other.service: install, mv and rm act on the
 * fake's files, daemon-reload reads Aura's drop-ins as systemd would, set-property sets the
 * limits directly, and show reports what systemd then holds.
 */
function systemd(files: Record<string, string> = {}): FakeHost {
  const host = fakeHost({}, { id: 'box', files });
  const limits = new Map<string, { cpu?: string; mem?: string; dropIns: string[] }>();
  const read = (unit: string) => {
    const file = `/etc/systemd/system/${unit}.d/50-aura-limits.conf`;
    const text = host.files.get(file)?.toString();
    limits.set(unit, {
      cpu: /^CPUQuota=(\d+)%$/m.exec(text ?? '')?.[1],
      mem: /^MemoryMax=(\S+)$/m.exec(text ?? '')?.[1],
      dropIns: text === undefined ? [] : [file],
    });
  };
  for (const unit of [UNIT, 'other.service']) {
    read(unit);
    host.answer(`${SHOW} ${unit}`, () => {
      const l = limits.get(unit)!;
      const lines = [`Id=${unit}`, 'LoadState=loaded', 'ActiveState=active', 'SubState=running'];
      if (l.cpu) lines.push(`CPUQuotaPerSecUSec=${Number(l.cpu) * 10}ms`);
      if (l.mem && l.mem !== 'infinity') lines.push(`MemoryMax=${bytes(l.mem)}`);
      lines.push(`DropInPaths=${l.dropIns.join(' ')}`);
      return { stdout: `${lines.join('\n')}\n` };
    });
    host.answer(`systemctl restart ${unit}`, {});
    const file = `/etc/systemd/system/${unit}.d/50-aura-limits.conf`;
    const staged = `${file}.new`;
    host.answer(
      `install -D -m 0644 /dev/stdin ${staged}`,
      (_argv, opts) => (host.files.set(staged, Buffer.from(opts.input!)), {}),
    );
    host.answer(`mv -f ${staged} ${file}`, () => (host.files.set(file, host.files.get(staged)!), host.files.delete(staged), {}));
    host.answer(`rm -f ${file}`, () => (host.files.delete(file), {}));
  }
  host.answer('systemctl daemon-reload', () => (limits.forEach((_, unit) => read(unit)), {}));
  host.answer(`systemctl set-property ${UNIT} CPUQuota=50% MemoryMax=64M`, () => {
    limits.set(UNIT, { cpu: '50', mem: '64M', dropIns: [] });
    return {};
  });
  host.answer(`systemctl set-property ${UNIT} CPUQuota= MemoryMax=infinity`, () => {
    limits.set(UNIT, { dropIns: [] });
    return {};
  });
  return host;
}

/** What ran, without the show before and after each change. */
const changes = (host: FakeHost) =>
  host.calls.filter((c) => c.argv[1] !== 'show').map((c) => ({ argv: c.argv.join(' '), opts: c.opts }));
const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('the change should have failed'),
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );
const HALF: Limits = { cpuQuota: '50%', memoryMax: '64M' };
const NONE: Limits = { cpuQuota: null, memoryMax: null };

describe('limits through sudo: Aura writes its own drop-in', () => {
  it('stages the drop-in, moves it in place, reloads and restarts, and answers with what systemd reports', async () => {
    const host = systemd();
    const result = await limitsWriter()(host, UNIT, HALF, 'sudo');
    const content = `${HEADER}CPUQuota=50%\nMemoryMax=64M\n`;
    expect(changes(host)).toEqual([
      { argv: `install -D -m 0644 /dev/stdin ${STAGED}`, opts: { ...SUDO, input: content } },
      { argv: `mv -f ${STAGED} ${FILE}`, opts: SUDO },
      { argv: 'systemctl daemon-reload', opts: SUDO },
      { argv: `systemctl restart ${UNIT}`, opts: SUDO },
    ]);
    expect(host.files.get(FILE)?.toString()).toBe(content);
    expect([...host.files.keys()]).toEqual([FILE]);
    expect(result).toMatchObject({ cpuQuota: '50%', memoryMax: 64 * 1024 ** 2, dropIns: [FILE] });
    expect(result.status).toMatchObject({ unit: UNIT, activeState: 'active', cpuQuota: '50%', dropIns: [FILE] });
  });

  it('writes only the limits that are set', async () => {
    const host = systemd();
    await limitsWriter()(host, UNIT, { cpuQuota: null, memoryMax: '512K' }, 'sudo');
    expect(host.files.get(FILE)?.toString()).toBe(`${HEADER}MemoryMax=512K\n`);
  });

  it('removes the drop-in when both limits are cleared', async () => {
    const host = systemd({ [FILE]: `${HEADER}CPUQuota=50%\n` });
    const result = await limitsWriter()(host, UNIT, NONE, 'sudo');
    expect(changes(host).map((c) => c.argv)).toEqual(['rm -f ' + FILE, 'systemctl daemon-reload', `systemctl restart ${UNIT}`]);
    expect(changes(host)[0]!.opts).toEqual(SUDO);
    expect(host.files.has(FILE)).toBe(false);
    expect(result).toMatchObject({ cpuQuota: null, memoryMax: null, dropIns: [] });
  });

  it('puts the previous drop-in back when a step fails, and says which step', async () => {
    const before = `${HEADER}MemoryMax=1G\n`;
    const host = systemd({ [FILE]: before });
    host.answer(`systemctl restart ${UNIT}`, { exitCode: 1, stderr: 'Job for web.service failed.\n' });
    expect(await failure(limitsWriter()(host, UNIT, HALF, 'sudo'))).toEqual({
      code: 'SYSTEMD_ERROR',
      message: `systemctl restart ${UNIT} failed: Job for web.service failed.`,
    });
    // The first pass stops at the failed restart; the second writes the old file back.
    expect(changes(host).map((c) => c.argv)).toEqual([
      `install -D -m 0644 /dev/stdin ${STAGED}`,
      `mv -f ${STAGED} ${FILE}`,
      'systemctl daemon-reload',
      `systemctl restart ${UNIT}`,
      `install -D -m 0644 /dev/stdin ${STAGED}`,
      `mv -f ${STAGED} ${FILE}`,
      'systemctl daemon-reload',
      `systemctl restart ${UNIT}`,
    ]);
    expect(changes(host)[4]!.opts.input).toBe(before);
    expect(host.files.get(FILE)?.toString()).toBe(before);
  });

  it('removes the new drop-in when a step fails and there was none before', async () => {
    const host = systemd();
    host.answer(`mv -f ${STAGED} ${FILE}`, { exitCode: 1, stderr: 'sudo: a password is required\n' });
    const { code, message } = await failure(limitsWriter()(host, UNIT, HALF, 'sudo'));
    expect(code).toBe('SUDO_REFUSED');
    expect(message).toMatch(new RegExp(`^mv -f ${STAGED} ${FILE} failed: sudo: a password is required\\. Install`));
    expect(changes(host).map((c) => c.argv)).toEqual([
      `install -D -m 0644 /dev/stdin ${STAGED}`,
      `mv -f ${STAGED} ${FILE}`,
      `rm -f ${FILE}`,
      'systemctl daemon-reload',
      `systemctl restart ${UNIT}`,
    ]);
    expect(host.files.has(FILE)).toBe(false);
  });
});

describe('limits through polkit: one set-property', () => {
  it('asks systemd itself, without sudo, and writes no file', async () => {
    const host = systemd();
    const result = await limitsWriter()(host, UNIT, HALF, 'polkit');
    expect(changes(host)).toEqual([
      { argv: `systemctl set-property ${UNIT} CPUQuota=50% MemoryMax=64M`, opts: { timeoutMs: 200_000 } },
    ]);
    expect(host.files.size).toBe(0);
    expect(result).toMatchObject({ cpuQuota: '50%', memoryMax: 64 * 1024 ** 2, dropIns: [] });
  });

  it('clears the limits with an empty CPUQuota and MemoryMax=infinity', async () => {
    const host = systemd();
    await limitsWriter()(host, UNIT, HALF, 'polkit');
    expect(await limitsWriter()(host, UNIT, NONE, 'polkit')).toMatchObject({ cpuQuota: null, memoryMax: null });
    expect(changes(host).at(-1)!.argv).toBe(`systemctl set-property ${UNIT} CPUQuota= MemoryMax=infinity`);
  });

  it("reports polkit's refusal with the unit", async () => {
    const host = systemd();
    host.answer(`systemctl set-property ${UNIT} CPUQuota=50% MemoryMax=64M`, {
      exitCode: 1,
      stderr: 'Failed to set unit properties on web.service: Access denied\n',
    });
    const { code, message } = await failure(limitsWriter()(host, UNIT, HALF, 'polkit'));
    expect(code).toBe('POLKIT_REFUSED');
    expect(message).toMatch(/^systemctl set-property web\.service failed: Failed to set unit properties/);
    expect(changes(host)).toHaveLength(1);
  });
});

describe('what the limits writer refuses or orders', () => {
  it('limits .service units only, and looks the unit up before changing it', async () => {
    const host = systemd();
    expect(await failure(limitsWriter()(host, 'web.socket', HALF, 'sudo'))).toEqual({
      code: 'LIMITS_NOT_SUPPORTED',
      message: 'CPU and memory limits apply to .service units only.',
    });
    expect(host.calls).toEqual([]);
    host.answer(`${SHOW} ${UNIT}`, { stdout: `Id=${UNIT}\nLoadState=not-found\n` });
    expect(await failure(limitsWriter()(host, UNIT, HALF, 'sudo'))).toMatchObject({ code: 'UNIT_NOT_FOUND' });
    expect(changes(host)).toEqual([]);
  });

  it('makes one change per unit at a time, even after one fails; other units do not wait', async () => {
    const host = systemd();
    let release!: (r: { exitCode: number; stderr: string }) => void;
    host.answer(`systemctl set-property ${UNIT} CPUQuota=50% MemoryMax=64M`, () => new Promise((r) => (release = r)));
    const write = limitsWriter();
    const first = failure(write(host, UNIT, HALF, 'polkit'));
    const second = write(host, UNIT, NONE, 'polkit');
    const other = write(host, 'other.service', NONE, 'sudo');
    // The fake answers at once, so everything that could run has run: other.service is done,
    // while the second change to web.service still waits for the first.
    await new Promise(setImmediate);
    expect(changes(host).map((c) => c.argv)).toContain('systemctl restart other.service');
    const webChanges = () => changes(host).filter((c) => c.argv.includes(UNIT));
    expect(webChanges().map((c) => c.argv)).toEqual([`systemctl set-property ${UNIT} CPUQuota=50% MemoryMax=64M`]);
    await other;
    release({ exitCode: 1, stderr: 'Failed to connect to bus\n' });
    expect(await first).toMatchObject({ code: 'SYSTEMD_UNAVAILABLE' });
    expect(await second).toMatchObject({ cpuQuota: null });
    expect(webChanges().at(-1)!.argv).toBe(`systemctl set-property ${UNIT} CPUQuota= MemoryMax=infinity`);
  });
});

describe('the limits a request may ask for', () => {
  const messages = (body: unknown) => limitsBody.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('takes plain byte counts, and only whole values', () => {
    expect(messages({ cpuQuota: '1%', memoryMax: '1048576' })).toBeUndefined();
    expect(messages({ cpuQuota: 'x50%', memoryMax: null })).toEqual(['cpuQuota: must be a percentage from 1% to 10000%']);
    expect(messages({ cpuQuota: '0050%', memoryMax: null })).toEqual(['cpuQuota: must be a percentage from 1% to 10000%']);
  });

  it('says what is wrong with each value', () => {
    expect(messages({ cpuQuota: '10001%', memoryMax: '64MB' })).toEqual([
      'cpuQuota: must be at most 10000%',
      'memoryMax: must be bytes with an optional K, M, G or T suffix, or infinity',
    ]);
  });
});
