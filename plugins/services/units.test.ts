import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest, type FakeHost, type PluginTest } from '../../test/kit/index.ts';
import services from './index.ts';

const UNIT = 'web.service';
const FILE = '/etc/systemd/system/web.service.d/50-aura-limits.conf';
const SHOW =
  'systemctl show --timestamp=unix --property=Id,Description,LoadState,ActiveState,SubState,MainPID,ActiveEnterTimestamp,CPUUsageNSec,MemoryCurrent,TasksCurrent,CPUQuotaPerSecUSec,MemoryMax,DropInPaths';
const WAIT = { timeoutMs: 200_000 };

/** A systemd server that knows web.service and says yes to whatever Aura asks of it. */
function server(id: string): FakeHost {
  return fakeHost(
    {
      'test -e /run/systemd/system': {},
      [`${SHOW} ${UNIT}`]: { stdout: `Id=${UNIT}\nDescription=Web\nLoadState=loaded\nActiveState=active\n` },
      [`systemctl restart ${UNIT}`]: {},
      [`systemctl set-property ${UNIT} CPUQuota=50% MemoryMax=infinity`]: {},
      [`install -D -m 0644 /dev/stdin ${FILE}.new`]: {},
      [`mv -f ${FILE}.new ${FILE}`]: {},
      'systemctl daemon-reload': {},
    },
    { id },
  );
}
/** The commands that changed something, as argv and options (but the request's abort signal). */
const changes = (host: FakeHost) =>
  host.calls
    .filter((c) => !['show', '-e'].includes(c.argv[1]!))
    .map(({ argv, opts: { signal: _signal, ...opts } }) => [argv.join(' '), opts]);

/** Which units Aura may touch on which server, and how it gets the right to. */
describe('managed units and privilege per server', () => {
  let kit: PluginTest;
  const box = server('box');
  const pk = server('pk');
  const bare = server('bare');
  const api = (p: string, init: Parameters<PluginTest['request']>[1] = {}) => kit.request(`/api/servers/${p}`, init);

  beforeAll(async () => {
    kit = await startPluginTest({
      plugins: [services],
      settings: {
        services: {
          units: { box: [{ unit: UNIT, name: 'The web' }], pk: [{ unit: UNIT }] },
          privilege: { pk: 'polkit' },
        },
      },
      hosts: { local: fakeHost(), box, pk, bare },
    });
  });
  afterAll(() => kit?.close());

  it('lists only the configured units, under their configured names; none where none are configured', async () => {
    expect(await (await api('box/services')).json()).toMatchObject([{ unit: UNIT, name: 'The web', activeState: 'active' }]);
    expect(await (await api('box/services/web.service')).json()).toMatchObject({ unit: UNIT, name: 'The web' });
    const none = await api('bare/services');
    expect([none.status, await none.json()]).toEqual([200, []]);
    expect(await kit.tool('services.list', { serverId: 'bare' })).toEqual([]);
  });

  it('refuses a malformed name, and a unit configured only for another server', async () => {
    const bad = await api('box/services/web');
    expect([bad.status, await bad.json()]).toEqual([
      400,
      {
        code: 'INVALID_UNIT',
        detail: 'A unit name has letters, digits and :_.@- and ends in .service, .socket or .timer.',
      },
    ]);
    const elsewhere = await api('bare/services/web.service/restart', { method: 'POST' });
    expect([elsewhere.status, await elsewhere.json()]).toEqual([
      403,
      { code: 'UNIT_NOT_MANAGED', detail: 'web.service is not one of the services Aura manages on bare.' },
    ]);
    expect(await (await api('box/services/other.service')).json()).toMatchObject({ code: 'UNIT_NOT_MANAGED' });
    expect(changes(bare)).toEqual([]);
  });

  it('restarts through sudo by default, and asks systemd directly where polkit is configured', async () => {
    for (const id of ['box', 'pk'])
      expect((await api(`${id}/services/web.service/restart`, { method: 'POST' })).status).toBe(200);
    await kit.tool('services.restart', { serverId: 'pk', unit: UNIT });
    expect(changes(box)).toEqual([[`systemctl restart ${UNIT}`, { sudo: true, ...WAIT }]]);
    expect(changes(pk)).toEqual([
      [`systemctl restart ${UNIT}`, { sudo: false, ...WAIT }],
      [`systemctl restart ${UNIT}`, { sudo: false, ...WAIT }],
    ]);
  });

  it('sets limits through a drop-in by default, and through set-property where polkit is configured', async () => {
    box.calls.length = 0;
    pk.calls.length = 0;
    const limits = { method: 'PUT', json: { cpuQuota: '50%', memoryMax: null } } as const;
    for (const id of ['box', 'pk']) expect((await api(`${id}/services/web.service/limits`, limits)).status).toBe(200);
    expect(changes(box).map(([argv]) => argv)).toEqual([
      `install -D -m 0644 /dev/stdin ${FILE}.new`,
      `mv -f ${FILE}.new ${FILE}`,
      'systemctl daemon-reload',
      `systemctl restart ${UNIT}`,
    ]);
    expect(changes(pk)).toEqual([[`systemctl set-property ${UNIT} CPUQuota=50% MemoryMax=infinity`, WAIT]]);
    const audited = (await kit.audit()).filter((e) => e.action === 'services.limits');
    expect(audited.map((e) => [e.server, e.target])).toEqual([
      ['pk', 'web.service cpu=50% mem=null'],
      ['box', 'web.service cpu=50% mem=null'],
    ]);
  });
});
