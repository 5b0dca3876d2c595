import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { freePort } from '../../test/harness/net.ts';
import { connectSocket } from '../../test/harness/sockets.ts';
import { bootSystemd, installTestUnit, writeUnit, type SystemdBox } from '../../test/harness/systemd.ts';
import { polkitRules } from './polkit.ts';
import { sudoersFile } from './sudoers.ts';

const UNIT = 'aura-web.service';

/** Aura manages a booted systemd (in a container) over SSH, as it would a VPS. */
describe('services plugin against a real systemd', () => {
  let box: SystemdBox;
  let t: TestAura;
  let token: string;
  /** How many journalctl processes run in the container, as pgrep counts them ("0\n" for none). */
  const journalctls = () => box.exec(['sh', '-c', 'pgrep -c journalctl || true']);
  const followSocket = async (): Promise<Socket> => {
    const socket = await connectSocket(t.url, 'services', { token, serverId: 'box' });
    return socket;
  };
  const api = (p: string, init: Parameters<TestAura['request']>[1] = {}) =>
    t.request(`/api/servers/box/services${p}`, { token, ...init });

  beforeAll(async () => {
    box = await bootSystemd();
    const port = await freePort();
    await installTestUnit(box, UNIT, port);
    await box.exec([
      'sh',
      '-c',
      `ln -s /etc/systemd/system/${UNIT} /etc/systemd/system/web-alias.service && systemctl daemon-reload`,
    ]);
    await writeUnit(box, 'broken.service', '[Service]\nType=oneshot\nExecStart=/bin/false\n', { start: false });
    t = await startTestAura({
      servers: [box.server('box'), box.server('box-as-aura', 'aura'), box.server('box-polkit', 'aura-pk')],
      plugins: {
        services: {
          enabled: true,
          units: {
            box: [
              { unit: UNIT, name: 'Web' },
              { unit: 'ghost.service' },
              { unit: 'broken.service' },
              { unit: 'web-alias.service' },
            ],
            'box-as-aura': [{ unit: UNIT }],
            // broken.service is managed here, but the polkit rules installed below leave it out.
            'box-polkit': [{ unit: UNIT }, { unit: 'broken.service' }],
            local: [{ unit: 'cron.service' }],
          },
          privilege: { 'box-polkit': 'polkit' },
        },
      },
    });
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await box?.stop();
  });

  it('lists managed units with state, pid, uptime and usage', async () => {
    const first = (await (await api('/')).json()) as Record<string, unknown>[];
    const web = first.find((u) => u.unit === UNIT)!;
    expect(web).toMatchObject({
      name: 'Web',
      activeState: 'active',
      subState: 'running',
      mainPid: expect.any(Number),
      cpuQuota: null,
      memoryMax: null,
    });
    expect(Date.parse(web.since as string)).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(web.memoryBytes).toBeGreaterThan(1024 * 1024); // python's RSS, from /proc where accounting is off
    expect(web.cpuUsageNs).toBeGreaterThan(0); // its CPU time so far, likewise
    // An alias keeps the name it was configured under, so actions on it stay allowed.
    expect(first.find((u) => u.unit === 'web-alias.service')).toMatchObject({ activeState: 'active', mainPid: web.mainPid });
    expect(first.find((u) => u.unit === 'ghost.service')).toMatchObject({ loadState: 'not-found' });
    await new Promise((r) => setTimeout(r, 300));
    const usage = (await (await api('/usage')).json()) as { unit: string; cpuPercent: number | null }[];
    const cpu = usage.find((u) => u.unit === UNIT)!.cpuPercent;
    expect(cpu).not.toBeNull();
    expect(cpu!).toBeGreaterThanOrEqual(0);
    expect(cpu!).toBeLessThan(200);
    expect((await api('/web-alias.service/restart', { method: 'POST' })).status).toBe(200);
  });

  it('restarts (a new main pid), stops and starts, and audits each', async () => {
    const before = (await (await api(`/${UNIT}`)).json()) as { mainPid: number };
    const restarted = await api(`/${UNIT}/restart`, { method: 'POST' });
    expect(restarted.status, await restarted.clone().text()).toBe(200);
    const after = (await restarted.json()) as { status: { mainPid: number; activeState: string } };
    expect(after.status.activeState).toBe('active');
    expect(after.status.mainPid).not.toBe(before.mainPid);
    expect(
      ((await (await api(`/${UNIT}/stop`, { method: 'POST' })).json()) as { status: { activeState: string } }).status.activeState,
    ).toBe('inactive');
    expect(
      ((await (await api(`/${UNIT}/start`, { method: 'POST' })).json()) as { status: { activeState: string } }).status
        .activeState,
    ).toBe('active');
    const audit = (await (await t.request('/api/audit?limit=3', { token })).json()) as {
      action: string;
      target: string;
      server: string;
    }[];
    expect(audit.map((e) => e.action)).toEqual(['services.start', 'services.stop', 'services.restart']);
    expect(audit[0]).toMatchObject({ target: UNIT, server: 'box' });
  });

  it('reads the journal', async () => {
    const logs = (await (await api(`/${UNIT}/logs?lines=50`)).json()) as { message: string; time: string }[];
    expect(logs.some((l) => /Started .*Aura test web/.test(l.message))).toBe(true);
    const since = new Date(Date.now() + 60_000).toISOString();
    const future = await api(`/${UNIT}/logs?since=${encodeURIComponent(since)}`);
    expect(await future.json()).toEqual([]);
    expect((await api(`/${UNIT}/logs?lines=0`)).status).toBe(400);
  });

  it('follows the journal live and stops journalctl when the viewer leaves', async () => {
    const socket = await followSocket();
    expect(await socket.emitWithAck('follow', { unit: UNIT })).toEqual({ following: UNIT });
    expect(await socket.emitWithAck('follow', { unit: 'cron.service' })).toMatchObject({ code: 'UNIT_NOT_MANAGED' });
    for (const unit of [[UNIT], { unit: UNIT }, 'a\nb.service', 42])
      expect(await socket.emitWithAck('follow', { unit }), JSON.stringify(unit)).toMatchObject({ code: 'INVALID_UNIT' });
    const seen = new Promise<string>((resolve) =>
      socket.on('log', (e: { entry: { message: string } }) => /Started/.test(e.entry.message) && resolve(e.entry.message)),
    );
    await api(`/${UNIT}/restart`, { method: 'POST' });
    expect(await seen).toMatch(/Aura test web/);
    expect(await journalctls()).not.toBe('0\n');
    // Watchers share one journalctl per unit; unfollow ends it for the last one out.
    const second = await followSocket();
    expect(await second.emitWithAck('follow', { unit: UNIT })).toEqual({ following: UNIT });
    const started = (s: Socket) =>
      new Promise<void>((resolve) =>
        s.on('log', (e: { entry: { message: string } }) => /Started/.test(e.entry.message) && resolve()),
      );
    const both = Promise.all([started(socket), started(second)]);
    await api(`/${UNIT}/restart`, { method: 'POST' });
    await both; // whatever the second follow started has delivered by now
    expect(await journalctls()).toBe('1\n');
    // At most three journals per server: each holds one of sshd's few sessions.
    expect(await second.emitWithAck('follow', { unit: 'ghost.service' })).toEqual({ following: 'ghost.service' });
    expect(await second.emitWithAck('follow', { unit: 'broken.service' })).toEqual({ following: 'broken.service' });
    expect(await second.emitWithAck('follow', { unit: 'web-alias.service' })).toMatchObject({ code: 'TOO_MANY_FOLLOWS' });
    for (const unit of ['ghost.service', 'broken.service']) await second.emitWithAck('unfollow', { unit });
    await expect.poll(() => journalctls(), { timeout: 10_000 }).toBe('1\n');
    // The first watcher leaving must not end the journal the second still watches.
    socket.close();
    const stillFlowing = started(second);
    await api(`/${UNIT}/restart`, { method: 'POST' });
    await stillFlowing;
    await second.emitWithAck('unfollow', { unit: UNIT });
    second.close();
    await expect.poll(() => journalctls(), { timeout: 10_000 }).toBe('0\n');
  });

  it('sets CPU and memory limits through a drop-in, reports them, and removes them', async () => {
    const res = await api(`/${UNIT}/limits`, { method: 'PUT', json: { cpuQuota: '50%', memoryMax: '64M' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      cpuQuota: '50%',
      memoryMax: 67108864,
      dropIns: [`/etc/systemd/system/${UNIT}.d/50-aura-limits.conf`],
    });
    expect(await box.exec(['cat', `/etc/systemd/system/${UNIT}.d/50-aura-limits.conf`])).toContain(
      '[Service]\nCPUQuota=50%\nMemoryMax=64M\n',
    );
    expect(await box.exec(['systemctl', 'show', '-p', 'CPUQuotaPerSecUSec,MemoryMax', UNIT])).toBe(
      'CPUQuotaPerSecUSec=500ms\nMemoryMax=67108864\n',
    );
    const cleared = await api(`/${UNIT}/limits`, { method: 'PUT', json: { cpuQuota: null, memoryMax: null } });
    expect(await cleared.json()).toMatchObject({ cpuQuota: null, memoryMax: null, dropIns: [] });
    expect(
      await box.exec(['sh', '-c', `test -e /etc/systemd/system/${UNIT}.d/50-aura-limits.conf && echo there || echo gone`]),
    ).toBe('gone\n');
  });

  it('refuses hostile limits before anything is written', async () => {
    for (const json of [
      { cpuQuota: '50%\nExecStartPre=/bin/sh -c "touch /tmp/p"', memoryMax: null },
      { cpuQuota: null, memoryMax: '1G; touch /tmp/p' },
      { cpuQuota: ['50%'], memoryMax: null },
      { cpuQuota: { a: 1 }, memoryMax: null },
    ]) {
      const res = await api(`/${UNIT}/limits`, { method: 'PUT', json });
      expect(res.status).toBe(400);
    }
    expect(
      await box.exec(['sh', '-c', `test -e /etc/systemd/system/${UNIT}.d/50-aura-limits.conf && echo written || echo none`]),
    ).toBe('none\n');
  });

  it('puts the previous drop-in back when applying limits fails', async () => {
    const res = await api('/broken.service/limits', { method: 'PUT', json: { cpuQuota: '50%', memoryMax: null } });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'SYSTEMD_ERROR' });
    expect(
      await box.exec([
        'sh',
        '-c',
        'test -e /etc/systemd/system/broken.service.d/50-aura-limits.conf && echo left || echo restored',
      ]),
    ).toBe('restored\n');
  });

  it("passes systemd's own words on when an action fails", async () => {
    const res = await api('/broken.service/start', { method: 'POST' });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body.code).toBe('SYSTEMD_ERROR');
    expect(body.detail).toMatch(/Job for broken\.service failed/);
  });

  it('answers 404 for a managed unit that does not exist', async () => {
    const ghost = await api('/ghost.service');
    expect(ghost.status).toBe(404);
    expect(await ghost.json()).toMatchObject({ code: 'UNIT_NOT_FOUND' });
  });

  it('is available on the systemd box and not on this machine, which has no systemd', async () => {
    const availability = async (server: string) =>
      ((await (await t.request(`/api/servers/${server}/plugins`, { token })).json()) as { id: string }[]).find(
        (p) => p.id === 'services',
      );
    expect(await availability('box')).toEqual({ id: 'services', available: true, reason: null });
    expect(await availability('local')).toEqual({
      id: 'services',
      available: false,
      reason: expect.stringContaining('does not run systemd'),
    });
    const local = await t.request('/api/servers/local/services', { token });
    expect(local.status).toBe(503);
    expect(await local.json()).toMatchObject({ code: 'PLUGIN_UNAVAILABLE', detail: expect.stringContaining('systemd') });
  });

  it('works as a non-root user with only the sudoers file `npm run aura -- services sudoers` prints', async () => {
    const sudoers = Buffer.from(sudoersFile('aura', 'box-as-aura', [{ unit: UNIT }])).toString('base64');
    await box.exec([
      'sh',
      '-c',
      `id aura >/dev/null 2>&1 || useradd -m -G systemd-journal -s /bin/bash aura; usermod -p '*' aura; echo ${sudoers} | base64 -d > /etc/sudoers.d/aura && chmod 0440 /etc/sudoers.d/aura && visudo -cf /etc/sudoers.d/aura`,
    ]);
    const asAura = (p: string, init: Parameters<TestAura['request']>[1] = {}) =>
      t.request(`/api/servers/box-as-aura/services${p}`, { token, ...init });
    const before = (await (await asAura(`/${UNIT}`)).json()) as { mainPid: number };
    const restarted = await asAura(`/${UNIT}/restart`, { method: 'POST' });
    expect(restarted.status, await restarted.clone().text()).toBe(200);
    expect(((await restarted.json()) as { status: { mainPid: number } }).status.mainPid).not.toBe(before.mainPid);
    const limited = await asAura(`/${UNIT}/limits`, { method: 'PUT', json: { cpuQuota: '25%', memoryMax: null } });
    expect(await limited.json()).toMatchObject({ cpuQuota: '25%', memoryMax: null });
    expect(
      await (await asAura(`/${UNIT}/limits`, { method: 'PUT', json: { cpuQuota: null, memoryMax: null } })).json(),
    ).toMatchObject({ cpuQuota: null });
    const logs = (await (await asAura(`/${UNIT}/logs?lines=20`)).json()) as { message: string }[];
    expect(logs.some((l) => /Started/.test(l.message))).toBe(true);
    // Nothing beyond the listed commands: not another unit, not status (its pager can spawn a shell).
    const refused = await box.exec([
      'sh',
      '-c',
      `su aura -c 'sudo -n systemctl status ${UNIT}; sudo -n systemctl restart dbus.service' 2>&1 || true`,
    ]);
    expect(refused.match(/password is required|not allowed/g)?.length).toBe(2);
  });

  it('works as a non-root user without sudo, through the polkit rules `npm run aura -- services polkit` prints', async () => {
    const rules = Buffer.from(polkitRules('aura-pk', 'box-polkit', [{ unit: UNIT }])).toString('base64');
    await box.exec([
      'sh',
      '-c',
      `useradd -m -G systemd-journal -s /bin/bash aura-pk && usermod -p '*' aura-pk && echo ${rules} | base64 -d > /etc/polkit-1/rules.d/50-aura.rules && systemctl restart polkit`,
    ]);
    // No sudo for this user: whatever works below, polkit allowed.
    expect(await box.exec(['sh', '-c', "su aura-pk -c 'sudo -n true' 2>&1 || true"])).toMatch(/password is required|not allowed/);
    const asPk = (p: string, init: Parameters<TestAura['request']>[1] = {}) =>
      t.request(`/api/servers/box-polkit/services${p}`, { token, ...init });
    const show = (property: string) => box.show(UNIT, property);

    const before = await show('MainPID');
    const restarted = await asPk(`/${UNIT}/restart`, { method: 'POST' });
    expect(restarted.status, await restarted.clone().text()).toBe(200);
    expect(await show('MainPID')).not.toBe(before);

    // Limits through set-property: systemd keeps them in system.control, no file of Aura's.
    const limited = await asPk(`/${UNIT}/limits`, { method: 'PUT', json: { cpuQuota: '50%', memoryMax: '64M' } });
    expect(limited.status, await limited.clone().text()).toBe(200);
    expect(await limited.json()).toMatchObject({ cpuQuota: '50%', memoryMax: 64 * 1024 * 1024 });
    expect(await show('CPUQuotaPerSecUSec')).toBe('500ms');
    expect(await show('DropInPaths')).toMatch(new RegExp(`/etc/systemd/system\\.control/${UNIT}\\.d/`));
    expect(await show('DropInPaths')).not.toContain('50-aura-limits.conf');
    const cleared = await asPk(`/${UNIT}/limits`, { method: 'PUT', json: { cpuQuota: null, memoryMax: null } });
    expect(await cleared.json()).toMatchObject({ cpuQuota: null, memoryMax: null });
    expect(await show('CPUQuotaPerSecUSec')).toBe('infinity');

    // A unit the rules leave out is refused by polkit, with what to do about it; it is not touched.
    const brokenBefore = await show('MainPID');
    const refused = await asPk('/broken.service/start', { method: 'POST' });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({
      code: 'POLKIT_REFUSED',
      detail: expect.stringContaining('npm run aura -- services polkit'),
    });
    const refusedLimits = await asPk('/broken.service/limits', { method: 'PUT', json: { cpuQuota: '10%', memoryMax: null } });
    expect(((await refusedLimits.json()) as { code: string }).code).toBe('POLKIT_REFUSED');
    expect(await box.show('broken.service', 'CPUQuotaPerSecUSec')).toBe('infinity');
    expect(await show('MainPID')).toBe(brokenBefore);
    // Nor may the user reach any other unit, or reload systemd, on its own.
    const other = await box.exec([
      'sh',
      '-c',
      "su aura-pk -c 'systemctl restart dbus.service; systemctl daemon-reload' 2>&1 || true",
    ]);
    expect(other.match(/Interactive authentication required|Access denied/g)?.length).toBe(2);
    // Journals stay readable through the systemd-journal group.
    const logs = (await (await asPk(`/${UNIT}/logs?lines=20`)).json()) as { message: string }[];
    expect(logs.some((l) => /Started/.test(l.message))).toBe(true);
  });

  it('offers read-only and destructive agent tools', async () => {
    const names = t.aura.tools.list().filter((x) => x.plugin === 'services');
    expect(names.map((x) => [x.name, x.readOnly, x.destructive])).toEqual([
      ['services.list', true, false],
      ['services.status', true, false],
      ['services.logs', true, false],
      ['services.restart', false, true],
    ]);
    const call = { user: { username: 'admin', role: 'admin' as const }, signal: AbortSignal.timeout(30_000) };
    const list = (await t.aura.tools.invoke('services.list', { serverId: 'box' }, call)) as { unit: string }[];
    expect(list.map((u) => u.unit)).toContain(UNIT);
  });

  it('stops following every journal when Aura shuts down', async () => {
    const socket = await followSocket();
    await socket.emitWithAck('follow', { unit: UNIT });
    await expect.poll(() => journalctls()).toBe('1\n');
    const closing = t;
    t = undefined as unknown as TestAura; // afterAll must not close it twice
    await closing.close(); // the socket is still open: only the shutdown can end the follow
    expect(await journalctls()).toBe('0\n');
    socket.close();
  });
});
