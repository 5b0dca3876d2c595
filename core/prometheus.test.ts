import { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest, type PluginTest } from '../test/kit/index.ts';
import { definePlugin } from './plugin.ts';

const gaugePlugin = (id: string, name: string, opts: { failSetup?: boolean } = {}) =>
  definePlugin({
    id,
    version: '1.0.0',
    coreVersion: '>=0.1.0',
    title: id,
    scope: 'global',
    setup(ctx) {
      new Gauge({ name, help: `${id}'s gauge`, registers: [ctx.prometheus], collect: () => undefined }).set(42);
      if (opts.failSetup) throw new Error('setup broke after registering');
      return {};
    },
  });

describe('GET /metrics', () => {
  let kit: PluginTest | undefined;
  afterEach(() => kit?.close());

  it("serves the process's metrics and each started plugin's registry, to signed-in users only", async () => {
    kit = await startPluginTest({
      plugins: [gaugePlugin('counts', 'aura_counts_things'), gaugePlugin('broken', 'aura_broken_things', { failSetup: true })],
      hosts: { local: fakeHost() },
    });
    expect((await kit.request('/metrics', { as: 'stranger' })).status).toBe(401);
    const res = await kit.request('/metrics', { as: 'viewer' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^aura_counts_things 42$/m);
    // A plugin that failed to start contributes nothing, even what it registered before failing.
    expect(text).not.toContain('aura_broken_things');
  });

  it("counts the process's CPU since it started, not since the first scrape", async () => {
    kit = await startPluginTest({ plugins: [], hosts: { local: fakeHost() } });
    const spent = process.cpuUsage();
    const text = await (await kit.request('/metrics', { as: 'viewer' })).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(spent.user / 1e6);
    expect(value('process_cpu_system_seconds_total')).toBeGreaterThanOrEqual(spent.system / 1e6);
    expect(value('process_cpu_seconds_total')).toBeGreaterThanOrEqual((spent.user + spent.system) / 1e6);
  });
});
