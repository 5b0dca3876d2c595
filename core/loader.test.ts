import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInsDisabled, startTestAura, type TestAura } from '../test/harness/aura.ts';
import { ConfigError } from './config.ts';
import { collectViews } from './ui.ts';
import { ROOT_DIR } from './version.ts';

const FIXTURES = path.join(ROOT_DIR, 'test', 'fixtures', 'plugins');
const g = globalThis as { __auraStartOrder?: string[] };

describe('the plugin loader', () => {
  let t: TestAura;
  let token: string;

  beforeAll(async () => {
    g.__auraStartOrder = [];
    t = await startTestAura({ pluginDirs: [FIXTURES], plugins: { echo: { enabled: true, greeting: 'hi there' } } });
    ({ token } = await t.login());
  });
  afterAll(() => t?.close());

  const plugins = async () =>
    (await (await t.request('/api/plugins', { token })).json()) as {
      id: string;
      state: string;
      error: string | null;
      enabled: boolean;
    }[];

  it('loads plugins from pluginDirs, with their validated settings', async () => {
    const res = await t.request('/api/echo', { token });
    expect(await res.json()).toEqual({ greeting: 'hi there' });
  });

  it('starts dependencies first and gives host-scoped routes the resolved server', async () => {
    expect(g.__auraStartOrder).toEqual(['echo', 'late']);
    expect(await (await t.request('/api/servers/local/late', { token })).json()).toEqual({ server: 'local', kind: 'local' });
  });

  it('keeps serving when a plugin throws in setup, and reports it tagged with plugin and hook', async () => {
    const boom = (await plugins()).find((p) => p.id === 'boom');
    expect(boom).toMatchObject({ state: 'failed', error: '[boom] setup: database is on fire' });
    expect((await t.request('/api/boom', { token })).status).toBe(404);
    // Aura still serves, and says it is degraded, naming the failed plugins to a signed-in caller.
    const health = await t.request('/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'degraded' });
    const details = (await (await t.request('/api/health', { token })).json()) as { plugins: { failed: string[] } };
    expect(details.plugins.failed).toContain('boom');
  });

  it('marks plugins with a missing dependency, bad metadata or a too-new core as failed', async () => {
    const all = await plugins();
    expect(all.find((p) => p.id === 'needs-ghost')).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('depends on "ghost"'),
    });
    expect(all.find((p) => p.id === 'bad-meta')).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/version.*scope/s),
    });
    expect(all.find((p) => p.id === 'old-core')).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('needs core ^99.0.0'),
    });
  });

  it('marks a plugin whose condition is not met as unavailable, with the reason', async () => {
    expect((await plugins()).find((p) => p.id === 'needs-path')).toMatchObject({
      state: 'unavailable',
      error: '/nonexistent/aura-condition does not exist on local',
    });
    expect((await t.request('/api/needs-path', { token })).status).toBe(404);
  });

  it('hides internal errors from clients', async () => {
    const res = await t.request('/api/echo/fail', { token });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toEqual({ detail: 'Internal error; see the server log.', code: 'INTERNAL' });
  });

  it('audits mutating plugin requests under the name the plugin gives', async () => {
    const res = await t.request('/api/echo', { method: 'POST', token, json: { text: 'ping' } });
    expect(await res.json()).toEqual({ said: 'ping' });
    const audit = (await (await t.request('/api/audit?limit=1', { token })).json()) as object[];
    expect(audit[0]).toMatchObject({ user: 'admin', action: 'echo.say', target: 'ping', result: 'success' });
  });

  it('registers tools, adding serverId to host-scoped ones', async () => {
    const tools = (await (await t.request('/api/tools', { token })).json()) as {
      name: string;
      inputSchema: { properties: object };
    }[];
    expect(tools.find((x) => x.name === 'echo.say')?.inputSchema.properties).toHaveProperty('text');
    expect(tools.find((x) => x.name === 'ports.list')?.inputSchema.properties).toHaveProperty('serverId');
    const said = await t.aura.tools.invoke(
      'echo.say',
      { text: 'yo' },
      { user: { username: 'admin', role: 'admin' }, signal: AbortSignal.timeout(5000) },
    );
    expect(said).toEqual({ text: 'yo' });
    await expect(
      t.aura.tools.invoke(
        'echo.say',
        { text: 'yo' },
        { user: { username: 'v', role: 'viewer' }, signal: AbortSignal.timeout(5000) },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('disabled plugins', () => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startTestAura({
      pluginDirs: [FIXTURES],
      plugins: { ...builtInsDisabled(), boom: { enabled: false } },
    });
  });
  afterAll(() => t?.close());

  it('have no routes, no tools and no panel, and are listed as disabled', async () => {
    const { token } = await t.login();
    const res = await t.request('/api/servers/local/ports', { token });
    expect(res.status).toBe(404);
    expect(t.aura.tools.list().map((x) => x.name)).not.toContain('ports.list');
    const list = (await (await t.request('/api/plugins', { token })).json()) as { id: string; state: string }[];
    expect(list.find((p) => p.id === 'ports')).toMatchObject({ state: 'disabled' });
    expect(list.find((p) => p.id === 'boom')).toMatchObject({ state: 'disabled' });
    const views = collectViews(t.aura.plugins);
    expect(views.map((v) => `${v.id}:${v.kind}`)).toEqual([
      'broken-panel:panel',
      'broken-panel:card',
      'chat-page:page',
      'echo:panel',
      'root-only:panel',
      'welcome-card:card',
    ]);
  });
});

describe('plugin settings', () => {
  it('stop Aura with one line per problem, naming the key path', async () => {
    const err = await startTestAura({
      pluginDirs: [FIXTURES, '/nonexistent/plugins'],
      plugins: { echo: { enabled: true, greeting: 42, colour: 'red' }, nosuch: { enabled: true } },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'pluginDirs.1: no such folder: /nonexistent/plugins',
      expect.stringMatching(/^plugins\.echo\.greeting: .*string/),
      expect.stringMatching(/^plugins\.echo: .*colour/),
      'plugins.nosuch: no plugin with this id in plugins/ or pluginDirs',
    ]);
  });
});
