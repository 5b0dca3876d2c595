import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest, type PluginTest } from '../../test/kit/index.ts';
import ports from './index.ts';
import { SS_ARGV } from './ss.ts';

const captured = (name: string) => readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8');

/** The route, tool and errors in-process on scripted hosts: milliseconds, no root, no sshd. */
describe('ports on scripted hosts', () => {
  let kit: PluginTest;
  const local = fakeHost({ [SS_ARGV.join(' ')]: { stdout: captured('ss-root.txt') } });
  const box = fakeHost({ [SS_ARGV.join(' ')]: { stderr: 'Cannot open netlink socket', exitCode: 1 } }, { id: 'box' });
  const bare = fakeHost({}, { id: 'bare' });

  beforeAll(async () => {
    kit = await startPluginTest({ plugins: [ports], hosts: { local, box, bare } });
  });
  afterAll(() => kit?.close());

  it('lists the parsed ports to a viewer', async () => {
    const res = await kit.request('/api/servers/local/ports', { as: 'viewer' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { port: number; process: string | null }[];
    expect(body.map((p) => `${p.port}/${p.process}`)).toEqual([
      '2024/null',
      '5353/python3',
      '7071/node',
      '7072/python3',
      '7073/python3',
      '35839/sshd',
    ]);
    expect(local.calls.at(-1)?.argv).toEqual(SS_ARGV);
  });

  it("answers with the catalogue's codes when ss fails or is missing", async () => {
    const failed = await kit.request('/api/servers/box/ports');
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ code: 'PORTS_ERROR', detail: 'ss failed on box: Cannot open netlink socket' });
    const missing = await kit.request('/api/servers/bare/ports');
    expect(await missing.json()).toMatchObject({ code: 'PORTS_UNAVAILABLE' });
  });

  it('refuses strangers and unknown servers', async () => {
    expect((await kit.request('/api/servers/local/ports', { as: 'stranger' })).status).toBe(401);
    expect(await (await kit.request('/api/servers/nope/ports')).json()).toMatchObject({ code: 'SERVER_NOT_FOUND' });
  });

  it('offers the same list as a read-only tool, per server', async () => {
    const listed = (await kit.tool('ports.list', { serverId: 'local' }, { as: 'viewer' })) as unknown[];
    expect(listed).toHaveLength(6);
    await expect(kit.tool('ports.list', { serverId: 'box' })).rejects.toMatchObject({ code: 'PORTS_ERROR' });
  });
});
