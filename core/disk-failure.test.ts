import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest, type PluginTest } from '../test/kit/index.ts';
import { definePlugin } from './plugin.ts';

const notes = definePlugin({
  id: 'notes',
  version: '1.0.0',
  coreVersion: '>=0.1.0',
  title: 'Notes',
  scope: 'global',
  setup: (ctx) => ({
    routes: (router) => router.post('/', async (c) => void (c.body = await ctx.store.update(() => ({ at: Date.now() })))),
    sockets: (nsp) => nsp.on('connection', (socket) => socket.on('write', () => undefined)),
  }),
});

/**
 * ENOSPC, EIO or a directory in the way: every write to the store and the audit fails. Each
 * request may fail, but nothing may go unhandled and Aura must keep answering.
 */
describe('a data dir that cannot be written', () => {
  let kit: PluginTest;
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);

  beforeAll(async () => {
    kit = await startPluginTest({ plugins: [notes], hosts: { local: fakeHost() } });
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await kit?.close();
  });

  it('fails the requests that write, survives every write path, and keeps serving', async () => {
    const created = await kit.request('/api/tokens', { method: 'POST', json: { name: 'ci', expiresInDays: 1 } });
    const { token } = (await created.json()) as { token: string };
    for (const file of ['store.json', 'audit.jsonl']) {
      rmSync(path.join(kit.dataDir, file), { force: true });
      mkdirSync(path.join(kit.dataDir, file, 'in-the-way'), { recursive: true });
    }

    // A personal token's lastUsedAt, written in the background.
    const used = await fetch(`${kit.url}/api/servers`, { headers: { authorization: `Bearer ${token}` } });
    expect(used.status).toBe(200);
    // A viewer's refused socket event, audited in the background.
    const socket = await kit.socket('notes', { as: 'viewer' });
    expect(await socket.emitWithAck('write', {})).toMatchObject({ code: 'FORBIDDEN' });
    socket.close();
    // A refused HTTP change (audited), a plugin's store write and its audit, a new token.
    expect((await kit.request('/api/notes', { method: 'POST', as: 'viewer' })).status).toBe(500);
    const write = await kit.request('/api/notes', { method: 'POST' });
    expect(write.status).toBe(500);
    expect(await write.json()).toEqual({ detail: 'Internal error; see the server log.', code: 'INTERNAL' });
    expect((await kit.request('/api/tokens', { method: 'POST', json: { name: 'x', expiresInDays: 1 } })).status).toBe(500);

    // Store writes are serialized: once this one has failed, every earlier one has settled.
    expect((await kit.request('/api/notes', { method: 'POST' })).status).toBe(500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect((await kit.request('/api/health')).status).toBe(200);
  });
});
