import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest, type PluginTest } from '../../test/kit/index.ts';
import services from './index.ts';

const SYSTEMD = 'test -e /run/systemd/system';
const UNIT = 'web.service';

/**
 * Validation, roles and availability in-process on scripted hosts: a bad name must be refused
 * before any command reaches the server, so the fake host must see no call at all.
 */
describe('services on scripted hosts', () => {
  let kit: PluginTest;
  const box = fakeHost({ [SYSTEMD]: { exitCode: 0 } }, { id: 'box' });
  const local = fakeHost({ [SYSTEMD]: { exitCode: 1 } });
  const commandsOn = (host: typeof box) => host.calls.filter((c) => c.argv.join(' ') !== SYSTEMD);

  beforeAll(async () => {
    kit = await startPluginTest({
      plugins: [services],
      settings: { services: { units: { box: [{ unit: UNIT }], local: [{ unit: 'cron.service' }] } } },
      hosts: { local, box },
    });
  });
  afterAll(() => kit?.close());

  it('refuses hostile and unmanaged names before anything runs', async () => {
    const names = [
      'nginx; rm -rf /',
      '$(touch /tmp/p)',
      '`touch /tmp/p`',
      'a${IFS}b',
      'a\nb.service',
      '--root=/tmp',
      // Text after a valid suffix: a pattern anchored only at the start would let these through.
      `${UNIT}; rm -rf /`,
      `${UNIT}\nExecStart=/bin/sh`,
      `${UNIT}.bak`,
      'web.timer',
      'cron.service',
    ];
    for (const name of names)
      for (const [p, init] of [
        [`/${encodeURIComponent(name)}`, {}],
        [`/${encodeURIComponent(name)}/logs`, {}],
        [`/${encodeURIComponent(name)}/restart`, { method: 'POST' }],
        [`/${encodeURIComponent(name)}/limits`, { method: 'PUT', json: { cpuQuota: '50%', memoryMax: null } }],
      ] as const) {
        const res = await kit.request(`/api/servers/box/services${p}`, init);
        const label = `${init.method ?? 'GET'} ${JSON.stringify(name)}${p.endsWith('logs') ? ' logs' : ''}`;
        expect([400, 403, 404], label).toContain(res.status);
        expect((await res.json()).code, label).toMatch(/^(INVALID_UNIT|UNIT_NOT_MANAGED|NOT_FOUND)$/);
      }
    expect(commandsOn(box)).toEqual([]);
  });

  it('checks tool inputs and roles before anything runs', async () => {
    for (const unit of [['x.service'], { a: 1 }, 'nginx; rm -rf /', `${UNIT};id`])
      await expect(kit.tool('services.status', { serverId: 'box', unit })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(kit.tool('services.status', { serverId: 'box', unit: 'cron.service' })).rejects.toMatchObject({
      code: 'UNIT_NOT_MANAGED',
    });
    await expect(kit.tool('services.restart', { serverId: 'box', unit: UNIT }, { as: 'viewer' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(commandsOn(box)).toEqual([]);
  });

  it('is unavailable, with the reason, where systemd is not PID 1', async () => {
    const res = await kit.request('/api/servers/local/services');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'PLUGIN_UNAVAILABLE',
      detail: expect.stringContaining('does not run systemd'),
    });
    await expect(kit.socket('services', { serverId: 'local' })).rejects.toMatchObject({ code: 'PLUGIN_UNAVAILABLE' });
    await expect(kit.tool('services.list', { serverId: 'local' })).rejects.toMatchObject({ code: 'PLUGIN_UNAVAILABLE' });
    expect(commandsOn(local)).toEqual([]);
  });

  it('lets a viewer follow, but not act, over its socket', async () => {
    const socket = await kit.socket('services', { as: 'viewer', serverId: 'box' });
    try {
      expect(await socket.emitWithAck('follow', { unit: 'cron.service' })).toMatchObject({ code: 'UNIT_NOT_MANAGED' });
      for (const event of ['follow', 'unfollow'])
        for (const unit of [{ toString: 1 }, ['web.service'], null])
          expect(await socket.emitWithAck(event, { unit }), `${event} ${JSON.stringify(unit)}`).toMatchObject({
            code: 'INVALID_UNIT',
          });
      expect(await socket.emitWithAck('restart', { unit: UNIT })).toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      socket.close();
    }
  });
});
