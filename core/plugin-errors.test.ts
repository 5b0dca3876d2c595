import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
