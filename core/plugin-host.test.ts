import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../test/harness/aura.ts';
import { ROOT_DIR } from './version.ts';

const LIFECYCLE = path.join(ROOT_DIR, 'test', 'fixtures', 'lifecycle');
const g = globalThis as { __auraLifecycle?: string[]; __auraSlowSetup?: { release(): void; stopped: Promise<boolean> } };

interface PluginInfo {
  id: string;
  state: string;
  error: string | null;
  code: string | null;
}

describe('the plugin host', () => {
  let t: TestAura;
  let token: string;
  const plugins = async () => (await (await t.request('/api/plugins', { token })).json()) as PluginInfo[];

  beforeAll(async () => {
    g.__auraLifecycle = [];
    // Found in the order a, b, c; started c, b, a.
    t = await startTestAura({ pluginDirs: [LIFECYCLE], pluginTimeoutSeconds: 1 });
    ({ token } = await t.login());
  });
  afterAll(() => t?.close());

  it('starts a dependency chain dependencies first', () => {
    expect(g.__auraLifecycle).toEqual(['start chain-c', 'start chain-b', 'start chain-a']);
  });

  it('gives up on a setup that never finishes, with PLUGIN_TIMEOUT, and serves the rest', async () => {
    expect((await plugins()).find((p) => p.id === 'hang-setup')).toEqual(
      expect.objectContaining({
        state: 'failed',
        code: 'PLUGIN_TIMEOUT',
        error: '[hang-setup] setup: did not finish within 1 s',
      }),
    );
    expect((await t.request('/api/health')).status).toBe(200);
  });

  it('stops at once a setup that finished too late, and mounts none of it', async () => {
    expect((await plugins()).find((p) => p.id === 'slow-setup')).toMatchObject({ state: 'failed', code: 'PLUGIN_TIMEOUT' });
    g.__auraSlowSetup!.release();
    expect(await g.__auraSlowSetup!.stopped).toBe(true);
    expect((await t.request('/api/slow-setup', { token })).status).toBe(404);
  });

  it("hands a dependant the API its dependency exported, with the dependency's state", async () => {
    const first = await (await t.request('/api/consumer/ada', { token })).json();
    const second = await (await t.request('/api/consumer/bob', { token })).json();
    expect([first, second]).toEqual([
      { greeting: 'hello, ada (#1)', count: 1 },
      { greeting: 'hello, bob (#2)', count: 2 },
    ]);
  });

  it('stops in exactly the reverse of the start order, and a hung stop does not hold Aura up', async () => {
    const records = t.aura.plugins;
    await t.close();
    expect(g.__auraLifecycle).toEqual([
      'start chain-c',
      'start chain-b',
      'start chain-a',
      'stop chain-a',
      'stop chain-b',
      'stop chain-c',
    ]);
    expect(records.find((r) => r.id === 'hang-stop')).toMatchObject({
      code: 'PLUGIN_TIMEOUT',
      error: '[hang-stop] stop: did not finish within 1 s',
    });
  });
});

describe('a dependant whose dependency is disabled', () => {
  it('is refused at load with DEPENDENCY_MISSING', async () => {
    const t = await startTestAura({
      pluginDirs: [LIFECYCLE],
      pluginTimeoutSeconds: 1,
      plugins: {
        provider: { enabled: false },
        'hang-setup': { enabled: false },
        'hang-stop': { enabled: false },
        'slow-setup': { enabled: false },
      },
    });
    try {
      expect(t.aura.plugins.find((r) => r.id === 'consumer')).toMatchObject({
        state: 'failed',
        code: 'DEPENDENCY_MISSING',
        error: 'depends on "provider", which is disabled',
      });
    } finally {
      await t.close();
    }
  });
});
