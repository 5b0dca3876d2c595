import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fakeHost, startPluginTest, type PluginTest } from '../test/kit/index.ts';
import { captureLines } from '../test/harness/requests.ts';
import { createLogger } from './logger.ts';
import { definePlugin } from './plugin.ts';

const API_KEY = 'AIzaSy-not-a-real-key-0123456789';
const leaky = definePlugin({
  id: 'leaky',
  version: '1.0.0',
  coreVersion: '>=0.1.0',
  title: 'Leaky',
  scope: 'global',
  secrets: ['AURA_TEST_API_KEY'],
  setup(ctx) {
    throw new Error(`cannot reach postgres://aura:s3cret-db-pw@db.internal/aura with key ${ctx.secrets.AURA_TEST_API_KEY}`);
  },
});

describe("a failed plugin's error", () => {
  let kit: PluginTest;
  const { stream, lines } = captureLines();
  beforeAll(async () => {
    const env = { AURA_TEST_API_KEY: API_KEY };
    kit = await startPluginTest({ plugins: [leaky], hosts: { local: fakeHost() }, env, logger: createLogger('info', stream) });
  });
  afterAll(() => kit?.close());

  const leakyAs = async (as: 'admin' | 'viewer') =>
    ((await (await kit.request('/api/plugins', { as })).json()) as { id: string; error: string | null; state: string }[]).find(
      (p) => p.id === 'leaky',
    );

  it('is shown to admins without URL credentials or secret values', async () => {
    expect(await leakyAs('admin')).toMatchObject({
      state: 'failed',
      error: '[leaky] setup: cannot reach postgres://aura:[redacted]@db.internal/aura with key [redacted]',
    });
  });

  it('is not shown to viewers at all, nor where the settings live', async () => {
    expect(await leakyAs('viewer')).toMatchObject({ state: 'failed', error: null });
    expect(await (await kit.request('/api/about', { as: 'viewer' })).json()).toEqual({ version: expect.any(String) });
  });

  it('reaches the log redacted', () => {
    const text = lines.join('');
    expect(text).toContain('[leaky] setup: cannot reach');
    expect(text).not.toContain('s3cret-db-pw');
    expect(text).not.toContain(API_KEY);
  });
});

describe('secrets named by settings, and ctx.redact', () => {
  const hooks = definePlugin({
    id: 'hooks',
    version: '1.0.0',
    coreVersion: '>=0.1.0',
    title: 'Hooks',
    scope: 'global',
    config: z.object({ secretEnv: z.string() }).strict(),
    secrets: (config) => [config.secretEnv],
    setup: (ctx) => ({
      routes: (router) =>
        router.get('/', (c) => {
          c.body = {
            seen: Object.keys(ctx.secrets),
            has: ctx.secrets.HOOK_SIGNING_VALUE === 'plain-named-value-123',
            shown: ctx.redact(
              'push https://bot:ghp_token123456@github.com/a/b.git with plain-named-value-123 and AIzaSy-not-a-real-key-0123456789',
            ),
          };
        }),
    }),
  });

  it('gives the plugin the variables its settings name, and hides their values and the usual secrets', async () => {
    const kit = await startPluginTest({
      plugins: [hooks],
      hosts: { local: fakeHost() },
      settings: { hooks: { secretEnv: 'HOOK_SIGNING_VALUE' } },
      env: { HOOK_SIGNING_VALUE: 'plain-named-value-123', OTHER_VALUE: 'not-for-the-plugin', GEMINI_API_KEY: API_KEY },
    });
    try {
      expect(await (await kit.request('/api/hooks')).json()).toEqual({
        seen: ['HOOK_SIGNING_VALUE'],
        has: true,
        shown: 'push https://bot:[redacted]@github.com/a/b.git with [redacted] and [redacted]',
      });
    } finally {
      await kit.close();
    }
  });

  it('refuses to start on a name that is no environment variable', async () => {
    await expect(
      startPluginTest({ plugins: [hooks], hosts: { local: fakeHost() }, settings: { hooks: { secretEnv: 'not a name' } } }),
    ).rejects.toThrow(/plugins\.hooks: not a name is not an environment variable name/);
  });
});
