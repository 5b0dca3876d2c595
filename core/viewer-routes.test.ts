import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeHost, startPluginTest, type PluginTest } from '../test/kit/index.ts';
import { definePlugin } from './plugin.ts';

/** A plugin whose notes are each user's own: a viewer may write his, but not the shared board. */
const notes = definePlugin({
  id: 'notes',
  version: '1.0.0',
  coreVersion: '>=0.1.0',
  title: 'Notes',
  scope: 'global',
  setup: () => ({
    routes: (router) => router.post('/board', (c) => void (c.body = { board: true })),
    viewerRoutes: (router) =>
      router.post('/mine', (c) => {
        c.state.audit = { action: 'notes.write', target: c.state.user!.username };
        c.body = { by: c.state.user!.username };
      }),
  }),
});

describe("a plugin's viewerRoutes", () => {
  let kit: PluginTest;

  beforeAll(async () => {
    kit = await startPluginTest({ plugins: [notes], hosts: { local: fakeHost() } });
  });
  afterAll(() => kit?.close());

  it('let a viewer send changes there, audited, and nowhere else', async () => {
    const mine = await kit.request('/api/notes/mine', { method: 'POST', as: 'viewer', json: {} });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual({ by: 'viewer@example.org' });
    expect((await kit.request('/api/notes/board', { method: 'POST', as: 'viewer', json: {} })).status).toBe(403);
    const audit = await kit.audit();
    expect(audit.find((e) => e.action === 'notes.write')).toMatchObject({ user: 'viewer@example.org', result: 'success' });
  });

  it('stay behind sign-in', async () => {
    const res = await kit.request('/api/notes/mine', { method: 'POST', as: 'stranger', json: {} });
    expect(res.status).toBe(401);
  });

  it('are marked in the route table', () => {
    const routes = kit.aura.routes().filter((r) => r.path.startsWith('/api/notes'));
    expect(routes).toEqual([
      { method: 'POST', path: '/api/notes/board', public: false, viewer: false },
      { method: 'POST', path: '/api/notes/mine', public: false, viewer: true },
    ]);
  });
});
