import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginTest, type PluginTest } from '../test/kit/index.ts';
import { createLocalHost, LOCAL_CONCURRENT_RUNS } from './hosts/local.ts';
import { definePlugin } from './plugin.ts';

/** A unique, slow command: what a stuck `ss` or `journalctl` is to a panel. */
const SLOW = ['sleep', '977.5'];
const running = () => {
  try {
    return Number(execFileSync('pgrep', ['-xfc', SLOW.join(' ')]).toString());
  } catch {
    return 0; // pgrep exits 1 when none match
  }
};

const slow = definePlugin({
  id: 'slow',
  version: '1.0.0',
  coreVersion: '>=0.1.0',
  title: 'Slow',
  scope: 'host',
  setup() {
    let arrived = 0;
    return {
      routes(router) {
        router.get('/arrived', (c) => void (c.body = { arrived }));
        // The plugin passes no signal: the core's host is bound to the request.
        router.get('/', async (c) => {
          arrived++;
          c.body = await c.state.host!.run(SLOW);
        });
      },
    };
  },
});

describe('requests that start commands on this machine', () => {
  let kit: PluginTest;
  beforeAll(async () => {
    kit = await startPluginTest({ plugins: [slow], hosts: { local: createLocalHost() } });
  });
  afterAll(async () => {
    await kit?.close();
    if (running()) execFileSync('pkill', ['-xf', SLOW.join(' ')]);
  });

  it('run at most a few at once, and end when their clients hang up', async () => {
    const clients = Array.from({ length: 40 }, () => new AbortController());
    const requests = clients.map((c) =>
      kit.request('/api/servers/local/slow', { as: 'viewer', signal: c.signal }).catch((e: Error) => e.name),
    );
    const arrived = async () =>
      ((await (await kit.request('/api/servers/local/slow/arrived')).json()) as { arrived: number }).arrived;
    await expect.poll(arrived, { timeout: 15_000 }).toBe(40);
    // Every request has asked for its command; only a few run, the other 32 wait for a slot.
    await expect.poll(running, { timeout: 15_000 }).toBe(LOCAL_CONCURRENT_RUNS);
    for (const c of clients) c.abort();
    expect(new Set(await Promise.all(requests))).toEqual(new Set(['AbortError']));
    await expect.poll(running, { timeout: 15_000 }).toBe(0);
  });
});
