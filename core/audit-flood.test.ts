import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest, type PluginTest } from '../test/kit/index.ts';
import { FAILURES_PER_KIND } from './audit.ts';
import { definePlugin } from './plugin.ts';

const plugin = definePlugin({
  id: 'flood',
  version: '1.0.0',
  coreVersion: '>=0.1.0',
  title: 'Flood target',
  scope: 'global',
  setup: () => ({
    routes: (router) => router.post('/:anything', (c) => void (c.body = { ok: true })),
    sockets: (nsp) => nsp.on('connection', (socket) => socket.onAny(() => undefined)),
  }),
});

/** A viewer tries to rotate the audit log away with refused requests carrying huge names. */
describe('the audit log against a flooding viewer', () => {
  let kit: PluginTest;
  const auditFile = () => path.join(kit.dataDir, 'audit.jsonl');

  beforeAll(async () => {
    kit = await startPluginTest({ plugins: [plugin], hosts: { local: fakeHost() } });
    expect((await kit.request('/api/flood/first', { method: 'POST' })).status).toBe(200);
  });
  afterAll(() => kit?.close());

  it('keeps what came before when a viewer sends 40 refused socket events with 0.9 MB names', async () => {
    const socket = await kit.socket('flood', { as: 'viewer' });
    const errors: { event: string }[] = [];
    socket.on('aura:error', (e: { event: string }) => errors.push(e));
    try {
      for (let i = 0; i < 40; i++) {
        const reply = await socket.timeout(5000).emitWithAck(`${i}-${'x'.repeat(900_000)}`);
        expect(reply).toMatchObject({ code: 'FORBIDDEN' });
      }
    } finally {
      socket.close();
    }
    expect(errors.every((e) => e.event.length <= 100)).toBe(true);
    expect(statSync(auditFile()).size).toBeLessThan(64 * 1024);
    const denied = (await kit.audit()).filter((e) => e.action === 'auth.denied');
    expect(denied).toHaveLength(FAILURES_PER_KIND);
    expect(denied.every((e) => e.target!.length <= 300)).toBe(true);
    expect((await kit.audit()).some((e) => e.action === 'flood.POST /api/flood/:anything')).toBe(true);
  });

  it('keeps it too against refused HTTP requests with 15 KB paths', async () => {
    const before = statSync(auditFile()).size;
    for (let i = 0; i < 60; i++)
      expect((await kit.request(`/api/flood/${'p'.repeat(15_000)}`, { method: 'POST', as: 'viewer' })).status).toBe(403);
    expect(statSync(auditFile()).size - before).toBeLessThan(20 * 1024);
    expect(readFileSync(auditFile(), 'utf8')).toContain('"action":"flood.POST /api/flood/:anything"');
  });
});
