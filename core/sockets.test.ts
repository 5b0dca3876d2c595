import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../test/harness/aura.ts';
import { ROOT_DIR } from './version.ts';

describe('plugin sockets', () => {
  let t: TestAura;
  let auth: { cookie: string; token: string };
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestAura({ pluginDirs: [path.join(ROOT_DIR, 'test', 'fixtures', 'plugins')] });
    auth = await t.login();
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => t?.close());

  const connect = (nsp: string, opts: { origin?: string | null; cookie?: string; auth?: Record<string, unknown> } = {}) => {
    const headers: Record<string, string> = {};
    const origin = opts.origin === undefined ? t.url : opts.origin;
    if (origin !== null) headers.origin = origin;
    if (opts.cookie) headers.cookie = opts.cookie;
    const s = io(`${t.url}${nsp}`, {
      transports: ['websocket'],
      extraHeaders: headers,
      auth: opts.auth ?? {},
      reconnection: false,
      forceNew: true,
    });
    sockets.push(s);
    return s;
  };
  const connected = (s: Socket) =>
    new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
  const refused = (s: Socket) =>
    new Promise<Error & { data?: { code: string; detail: string } }>((resolve, reject) => {
      s.once('connect', () => reject(new Error('connected, but should have been refused')));
      s.once('connect_error', resolve);
    });

  it('lets a signed-in browser (cookie) and an API client (token) in', async () => {
    const byCookie = connect('/echo', { cookie: auth.cookie });
    await connected(byCookie);
    expect(await byCookie.emitWithAck('ping')).toEqual({ pong: true, user: 'admin' });
    const byToken = connect('/echo', { auth: { token: auth.token } });
    await connected(byToken);
    expect(await byToken.emitWithAck('ping')).toMatchObject({ pong: true });
  });

  it('refuses a handshake without a session, with the JSON error shape', async () => {
    const err = await refused(connect('/echo'));
    expect(err.data).toEqual({ detail: 'Sign in to continue.', code: 'UNAUTHENTICATED' });
    expect((await refused(connect('/echo', { auth: { token: 'forged' } }))).data?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses foreign, null and missing origins before any handler runs', async () => {
    for (const origin of ['https://evil.example', 'null', null, t.url.replace('http:', 'https:')]) {
      const err = await refused(connect('/echo', { cookie: auth.cookie, origin }));
      expect(err.message, String(origin)).toMatch(/websocket error|xhr poll error|403|Forbidden/i);
    }
  });

  it('resolves the server for host-scoped plugins', async () => {
    const local = connect('/late', { cookie: auth.cookie, auth: { serverId: 'local' } });
    await connected(local);
    expect(await local.emitWithAck('where')).toEqual({ server: 'local', kind: 'local' });
    const missing = await refused(connect('/late', { cookie: auth.cookie, auth: { serverId: 'nope' } }));
    expect(missing.data?.code).toBe('SERVER_NOT_FOUND');
  });

  it('has no namespace for a plugin that failed, nor on the root', async () => {
    expect((await refused(connect('/boom', { cookie: auth.cookie }))).message).toMatch(/Invalid namespace/);
    expect((await refused(connect('/', { cookie: auth.cookie }))).data?.code).toBe('NOT_FOUND');
  });
});
