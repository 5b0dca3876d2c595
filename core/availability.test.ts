import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../test/harness/aura.ts';
import { startSshd, type TestSshd } from '../test/harness/sshd.ts';
import { fakeHost, startPluginTest } from '../test/kit/index.ts';
import { AVAILABILITY_TTL_MS } from './availability.ts';
import { z } from 'zod';
import { defineErrors } from './errors.ts';
import { definePlugin, defineTool } from './plugin.ts';
import { ROOT_DIR } from './version.ts';

const FIXTURES = path.join(ROOT_DIR, 'test', 'fixtures', 'plugins');
type Availability = { id: string; available: boolean; reason: string | null };

describe('availability per server, against a real sshd', () => {
  let sshd: TestSshd;
  let t: TestAura;
  let token: string;
  const onServer = async (serverId: string) =>
    ((await (await t.request(`/api/servers/${serverId}/plugins`, { token })).json()) as Availability[]).find(
      (p) => p.id === 'root-only',
    );

  beforeAll(async () => {
    sshd = await startSshd();
    t = await startTestAura({ pluginDirs: [FIXTURES], servers: [sshd.server('box')] });
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  it('checks a plugin on each server through that server, and says why it is unavailable', async () => {
    expect(await onServer('local')).toEqual({ id: 'root-only', available: true, reason: null });
    expect(await onServer('box')).toEqual({
      id: 'root-only',
      available: false,
      reason: 'Aura is not root on box, and this plugin needs root.',
    });
    expect(await (await t.request('/api/servers/local/root-only', { token })).json()).toEqual({ server: 'local' });
    const refused = await t.request('/api/servers/box/root-only', { token });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      code: 'PLUGIN_UNAVAILABLE',
      detail: 'Aura is not root on box, and this plugin needs root.',
    });
  });

  it('lists global plugins as available everywhere, and unknown servers as 404', async () => {
    const all = (await (await t.request('/api/servers/box/plugins', { token })).json()) as Availability[];
    expect(all.find((p) => p.id === 'echo')).toEqual({ id: 'echo', available: true, reason: null });
    expect((await t.request('/api/servers/nope/plugins', { token })).status).toBe(404);
    expect((await t.request('/api/servers/box/plugins')).status).toBe(401);
  });
});

describe('the availability cache', () => {
  let now = Date.parse('2026-11-22T00:00:00Z');
  const checks: string[] = [];
  let systemdOnBox = true;
  const plugin = definePlugin({
    id: 'needs-thing',
    version: '1.0.0',
    coreVersion: '>=0.1.0',
    title: 'Needs a thing',
    scope: 'host',
    conditions: [
      {
        check: async (host) => {
          checks.push(host.id);
          return host.id === 'box' && systemdOnBox ? null : `no thing on ${host.id}`;
        },
      },
    ],
    setup: () => ({}),
  });

  it('asks each server once, again after it reconnects, and again after the TTL', async () => {
    const box = fakeHost({}, { id: 'box' });
    const kit = await startPluginTest({ plugins: [plugin], hosts: { local: fakeHost(), box }, now: () => now });
    try {
      const ask = async (serverId: string) =>
        ((await (await kit.request(`/api/servers/${serverId}/plugins`)).json()) as Availability[])[0];
      await Promise.all([ask('box'), ask('box'), ask('local')]);
      expect(await ask('box')).toMatchObject({ available: true });
      expect(checks.sort()).toEqual(['box', 'local']);

      systemdOnBox = false;
      box.reconnect();
      expect(await ask('box')).toEqual({ id: 'needs-thing', available: false, reason: 'no thing on box' });
      expect(checks.filter((c) => c === 'box')).toHaveLength(2);

      now += AVAILABILITY_TTL_MS;
      await ask('local');
      expect(checks.filter((c) => c === 'local')).toHaveLength(2);
    } finally {
      await kit.close();
    }
  });
});

describe("a plugin's own error for not being available", () => {
  const errors = defineErrors({ THING_UNAVAILABLE: { status: 503, meaning: 'No thing here.' } });
  const plugin = definePlugin({
    id: 'needs-thing',
    version: '1.0.0',
    coreVersion: '>=0.1.0',
    title: 'Needs a thing',
    scope: 'host',
    config: z.object({ thingOn: z.string().default('nowhere') }),
    // The check gets the plugin's settings: here they name the server that has the thing.
    conditions: [{ check: async (host, _signal, config) => (host.id === config.thingOn ? null : `no thing on ${host.id}`) }],
    errors,
    unavailableError: errors.THING_UNAVAILABLE,
    readOnlyEvents: ['read'],
    setup: () => ({
      routes: (router) => router.get('/', (ctx) => void (ctx.body = { ok: true })),
      sockets: (nsp) => void nsp.on('connection', () => undefined),
      tools: [
        defineTool({
          name: 'needs-thing.read',
          description: 'reads',
          input: z.object({}),
          readOnly: true,
          run: async () => 'ok',
        }),
      ],
    }),
  });

  it('answers routes, sockets and tools with it, and the reason; its checks see its settings', async () => {
    const kit = await startPluginTest({
      plugins: [plugin],
      hosts: { local: fakeHost(), box: fakeHost({}, { id: 'box' }) },
      settings: { 'needs-thing': { thingOn: 'box' } },
    });
    try {
      expect((await kit.request('/api/servers/box/needs-thing')).status).toBe(200);
      const refused = await kit.request('/api/servers/local/needs-thing');
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ code: 'THING_UNAVAILABLE', detail: 'no thing on local' });
      await expect(kit.socket('needs-thing', { serverId: 'local' })).rejects.toMatchObject({ code: 'THING_UNAVAILABLE' });
      await expect(kit.tool('needs-thing.read', { serverId: 'local' })).rejects.toMatchObject({
        code: 'THING_UNAVAILABLE',
        message: 'no thing on local',
      });
    } finally {
      await kit.close();
    }
  });
});
