import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { googleLogin, startAuraWithGoogle, type AuraWithGoogle, type MockGoogle } from '../../test/harness/google.ts';
import { ConfigError } from '../config.ts';
import { ROOT_DIR } from '../version.ts';
import { PUBLIC_ROUTES } from './index.ts';

const FIXTURES = path.join(ROOT_DIR, 'test', 'fixtures', 'plugins');
const HOOK_SECRET = 'a shared webhook secret';

describe('every route and socket namespace, read from the running app', () => {
  let google: MockGoogle;
  let t: TestAura;
  let viewer: string;
  let admin: string;
  /** Victor's credentials other than his cookie: a bearer token, and an API token he made as an admin. */
  const viewerTokens: Record<string, string> = {};

  let aura: AuraWithGoogle;

  beforeAll(async () => {
    // Victor was an admin and made an API token; the config has made him a viewer since.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-data-'));
    const before = await startAuraWithGoogle([{ email: 'victor@example.org', role: 'admin' }], { dataDir });
    before.google.claims = { email: 'victor@example.org', email_verified: true };
    const victor = (await googleLogin(before.t.url)).jar.header();
    const made = await before.t.request('/api/tokens', {
      method: 'POST',
      cookie: victor,
      json: { name: 'ci', expiresInDays: 30 },
    });
    viewerTokens['API token'] = ((await made.json()) as { token: string }).token;
    await before.stop({ keepData: true });

    aura = await startAuraWithGoogle(
      [
        { email: 'alice@example.org', role: 'admin' },
        { email: 'victor@example.org', role: 'viewer' },
      ],
      // The sweep that ends signed-out sockets is run by hand below, never by its timer.
      {
        config: { pluginDirs: [FIXTURES] },
        socketRecheckMs: 3_600_000,
        env: { AURA_TEST_HOOK_SECRET: HOOK_SECRET },
        dataDir,
      },
    );
    ({ google, t } = aura);
    admin = (await googleLogin(t.url)).jar.header();
    google.claims = { email: 'victor@example.org', email_verified: true };
    viewer = (await googleLogin(t.url)).jar.header();
    viewerTokens['bearer token'] = await t.aura.issueToken({
      username: 'victor@example.org',
      role: 'viewer',
      provider: 'google',
    });
  });
  afterAll(() => aura?.stop());

  const concrete = (p: string) => p.replace(':serverId', 'local').replace(/:(\w+)/g, 'x');

  it('opens only the core sign-in routes and the routes plugins declare public', () => {
    const open = t.aura
      .routes()
      .filter((r) => r.public)
      .map((r) => `${r.method} ${r.path}`);
    // The deploy webhook checks its own signature (plugins/deploy/routes.ts).
    expect(open.sort()).toEqual(
      [...PUBLIC_ROUTES, 'POST /api/hook', 'POST /api/servers/:serverId/deploy/apps/:app/webhook'].sort(),
    );
  });

  it('refuses strangers (401) everywhere but the public routes', async () => {
    const routes = t.aura.routes();
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) {
      if (r.public) continue;
      const res = await t.request(concrete(r.path), { method: r.method, headers: { origin: t.url } });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(await res.json()).toEqual({ detail: expect.any(String), code: 'UNAUTHENTICATED' });
    }
  });

  // The role check must not hang on how the caller signed in: each credential gets the whole walk.
  it.each(['cookie', 'bearer token', 'API token'])(
    'refuses a viewer (403) every route that changes something, signed in with a %s, and audits it',
    async (via) => {
      const sign = via === 'cookie' ? { cookie: viewer } : { token: viewerTokens[via]! };
      expect(await (await t.request('/auth/me', sign)).json()).toMatchObject({ user: { role: 'viewer' } });
      // Viewer routes decide per object (commands: read-only tools only; tested with the plugin):
      // the list is short and each one is a decision.
      const changes = t.aura.routes().filter((r) => r.method !== 'GET' && !r.public);
      expect(changes.filter((r) => r.viewer).map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /api/servers/:serverId/commands/:id/run',
      ]);
      const mutating = changes.filter((r) => !r.viewer);
      expect(mutating.length).toBeGreaterThan(2);
      for (const r of mutating) {
        const res = await t.request(concrete(r.path), { method: r.method, ...sign, json: {} });
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
      }
      const audit = (await (await t.request('/api/audit?limit=50', { cookie: admin })).json()) as {
        action: string;
        user: string;
      }[];
      expect(audit.filter((e) => e.action === 'auth.denied' && e.user === 'victor@example.org').length).toBeGreaterThanOrEqual(
        mutating.length,
      );
      // Still a viewer who may read, and still signed in: nothing above ended his sessions or tokens.
      expect((await t.request('/api/servers', sign)).status).toBe(200);
    },
  );

  it('refuses strangers on every socket namespace, and viewers on events that are not read-only', async () => {
    const namespaces = t.aura.socketNamespaces();
    expect(namespaces).toContain('/echo');
    const connect = (nsp: string, cookie?: string) =>
      io(`${t.url}${nsp}`, {
        transports: ['websocket'],
        extraHeaders: { origin: t.url, ...(cookie ? { cookie } : {}) },
        reconnection: false,
        forceNew: true,
      });
    const outcome = (s: Socket) =>
      new Promise<string>((resolve) => {
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (e: Error & { data?: { code: string } }) => resolve(e.data?.code ?? e.message));
      });
    const onLocal = (await (await t.request('/api/servers/local/plugins', { cookie: viewer })).json()) as {
      id: string;
      available: boolean;
    }[];
    for (const nsp of namespaces) {
      const stranger = connect(nsp);
      expect(await outcome(stranger), nsp).toBe('UNAUTHENTICATED');
      stranger.close();
      const v = connect(nsp, viewer);
      // services needs systemd, which this machine does not run: refused after sign-in is checked,
      // with the plugin's own code where it has one (docker's DOCKER_UNAVAILABLE).
      const available = onLocal.find((p) => `/${p.id}` === nsp)!.available;
      const own = t.aura.plugins.find((r) => `/${r.id}` === nsp)?.definition?.unavailableError?.code;
      expect(await outcome(v), nsp).toBe(available ? 'connected' : (own ?? 'PLUGIN_UNAVAILABLE'));
      if (!available) {
        v.close();
        continue;
      }
      expect(await v.timeout(2000).emitWithAck('aura-test-any-event')).toMatchObject({ code: 'FORBIDDEN' });
      v.close();
    }
    // Pushes stop too, without the client sending anything, once the session is gone.
    const listener = connect('/echo', viewer);
    await outcome(listener);
    listener.emit('subscribe');
    await new Promise((resolve) => listener.once('tick', resolve));
    const kicked = new Promise<string>((resolve) => listener.once('disconnect', resolve));
    const v = connect('/echo', viewer);
    await outcome(v);
    expect(await v.emitWithAck('ping')).toMatchObject({ pong: true, user: 'victor@example.org' });
    expect(await v.emitWithAck('shout', 'hi')).toMatchObject({ code: 'FORBIDDEN' });
    const a = connect('/echo', admin);
    await outcome(a);
    expect(await a.emitWithAck('shout', 'hi')).toEqual({ shouted: 'HI' });
    // Signing out ends what an open socket may do: its next event is refused...
    await t.request('/logout', { method: 'POST', cookie: viewer });
    expect(await v.emitWithAck('ping')).toMatchObject({ code: 'UNAUTHENTICATED' });
    // ...and one that sends nothing is ended by the sweep.
    t.aura.recheckSockets();
    expect(await kicked).toBe('io server disconnect');
    v.close();
    a.close();
  });
});

describe("a plugin's public route", () => {
  let aura: AuraWithGoogle;
  beforeAll(async () => {
    aura = await startAuraWithGoogle([{ email: 'alice@example.org', role: 'admin' }], {
      config: { pluginDirs: [FIXTURES] },
      env: { AURA_TEST_HOOK_SECRET: HOOK_SECRET },
    });
  });
  afterAll(() => aura?.stop());

  it('lets strangers in only with its own authentication, and audits each call', async () => {
    const { t } = aura;
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const post = (signature?: string) =>
      t.request('/api/hook', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      });
    for (const bad of [undefined, sign('wrong secret'), 'sha256=00']) {
      const res = await post(bad);
      expect(res.status, String(bad)).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'BAD_SIGNATURE' });
    }
    expect((await post(sign(HOOK_SECRET))).status).toBe(202);
    // Its other routes still need a user.
    expect((await t.request('/api/hook/received')).status).toBe(401);
    const admin = (await googleLogin(t.url)).jar.header();
    expect(await (await t.request('/api/hook/received', { cookie: admin })).json()).toEqual([{ ref: 'refs/heads/main' }]);
    const audit = (await (await t.request('/api/audit?limit=10', { cookie: admin })).json()) as {
      action: string;
      user: string | null;
      target: string;
    }[];
    expect(audit.filter((e) => e.action === 'hook.received').map((e) => [e.user, e.target])).toEqual([
      [null, 'signed'],
      [null, 'refused'],
      [null, 'refused'],
      [null, 'refused'],
    ]);
  });
});

describe('login throttling', () => {
  let now = Date.parse('2026-11-22T00:00:00Z');
  let t: TestAura;
  beforeAll(async () => {
    t = await startTestAura(
      { trustProxy: true, auth: { throttle: { failuresPerAccount: 3, failuresPerIp: 6, windowMinutes: 15 } } },
      { now: () => now },
    );
  });
  afterAll(() => t?.close());

  const attempt = (username: string, password: string, from: string) =>
    t.request('/auth/login', { method: 'POST', json: { username, password }, headers: { 'x-forwarded-for': from } });

  it('gives the same answer for a wrong user and a wrong password', async () => {
    const wrongUser = await attempt('nobody', 'x', '192.0.2.1');
    const wrongPassword = await attempt('admin', 'x', '192.0.2.1');
    expect(wrongUser.status).toBe(401);
    expect(await wrongUser.json()).toEqual(await wrongPassword.json());
  });

  it('never locks the admin out from another address, however often one address fails', async () => {
    for (let i = 0; i < 40; i++) await attempt('admin', `guess ${i}`, '198.51.100.1');
    expect((await attempt('admin', 'one more guess', '198.51.100.1')).status).toBe(429);
    expect((await attempt('admin', ADMIN.password, '203.0.113.5')).status).toBe(200);
  });

  it('slows one address down exponentially, with Retry-After, and never locks the account', async () => {
    const from = '198.51.100.2';
    for (let i = 0; i < 3; i++) expect((await attempt('admin', 'x', from)).status).toBe(401);
    for (const wait of [1, 2, 4, 8, 16]) {
      const refused = await attempt('admin', ADMIN.password, from); // even the right password, too soon
      expect(refused.status, `wait ${wait}`).toBe(429);
      expect(refused.headers.get('retry-after')).toBe(String(wait));
      expect(await refused.json()).toMatchObject({
        code: 'TOO_MANY_ATTEMPTS',
        retryAfter: wait,
        detail: `Too many failed sign-ins from your address; try again in ${wait} s.`,
      });
      now += wait * 1000 - 1;
      expect((await attempt('admin', ADMIN.password, from)).status).toBe(429); // a refusal does not count...
      now += 1;
      expect((await attempt('admin', 'x', from)).status).toBe(401); // ...a wrong password does
    }
    expect((await attempt('admin', ADMIN.password, from)).headers.get('retry-after')).toBe('32');
    now += 32_000;
    expect((await attempt('admin', ADMIN.password, from)).status).toBe(200);
    // A success forgets that address's failures for the account.
    expect((await attempt('admin', 'x', from)).status).toBe(401);
  });

  it('slows down an address that tries many account names, and forgets it a window after it may try again', async () => {
    const from = '198.51.100.3';
    for (let i = 0; i < 6; i++) expect((await attempt(`user${i}`, 'x', from)).status).toBe(401);
    const refused = await attempt('someone-else', 'x', from);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await attempt('someone-else', 'x', '198.51.100.4')).status).toBe(401);
    now += 1000 + 15 * 60_000;
    for (let i = 0; i < 6; i++) expect((await attempt(`user${i}`, 'x', from)).status).toBe(401);
  });

  it('does not write an unknown username into the audit: it may be a password typed in the wrong box', async () => {
    const typo = 'Tr0ub4dor&3 typed in the username box';
    await attempt(typo, 'x', '198.51.100.9');
    await attempt('admin', 'wrong', '198.51.100.9');
    const { cookie } = await t.login();
    const text = await (await t.request('/api/audit?limit=10', { cookie })).text();
    expect(text).not.toContain('Tr0ub4dor');
    const failures = (JSON.parse(text) as { action: string; result: string; user: string | null; detail?: string }[]).filter(
      (e) => e.action === 'auth.login' && e.result === 'failure',
    );
    expect(failures.slice(0, 2)).toEqual([
      expect.objectContaining({ user: 'admin', detail: 'local: wrong password' }),
      expect.objectContaining({ user: null, detail: expect.stringMatching(/^local: unknown username #[0-9a-f]{8}$/) }),
    ]);
  });
});

describe('login throttling without a trusted proxy', () => {
  it('counts per connecting address: X-Forwarded-For changes nothing', async () => {
    const t = await startTestAura({ auth: { throttle: { failuresPerAccount: 100, failuresPerIp: 3, windowMinutes: 15 } } });
    try {
      for (let i = 0; i < 3; i++)
        await t.request('/auth/login', {
          method: 'POST',
          json: { username: `user${i}`, password: 'x' },
          headers: { 'x-forwarded-for': `10.0.0.${i}` },
        });
      const res = await t.request('/auth/login', {
        method: 'POST',
        json: { username: 'someone-else', password: 'x' },
        headers: { 'x-forwarded-for': '127.0.0.99' },
      });
      expect(res.status).toBe(429);
    } finally {
      await t.close();
    }
  });
});

describe('behind a trusted proxy', () => {
  it('counts failures per forwarded client address: the one Nginx appended, not one the client wrote', async () => {
    const t = await startTestAura({
      trustProxy: true,
      auth: { throttle: { failuresPerAccount: 100, failuresPerIp: 2, windowMinutes: 15 } },
    });
    try {
      const from = (ip: string) =>
        t.request('/auth/login', { method: 'POST', json: { username: 'u', password: 'x' }, headers: { 'x-forwarded-for': ip } });
      await from('198.51.100.1');
      await from('198.51.100.1');
      expect((await from('198.51.100.1')).status).toBe(429);
      expect((await from('198.51.100.2')).status).toBe(401);
      expect((await from('203.0.113.77, 198.51.100.1')).status).toBe(429);
    } finally {
      await t.close();
    }
  });
});

describe('sessions and tokens', () => {
  let now = Date.parse('2026-11-22T00:00:00Z');
  let t: TestAura;
  beforeAll(async () => {
    t = await startTestAura({ session: { idleMinutes: 30, absoluteHours: 24, tokenMinutes: 60 } }, { now: () => now });
  });
  afterAll(() => t?.close());

  it('ends an idle session and an old bearer token', async () => {
    const { cookie, token } = await t.login();
    now += 29 * 60_000;
    expect((await t.request('/auth/me', { cookie })).status).toBe(200);
    now += 61 * 60_000;
    expect((await t.request('/auth/me', { cookie })).status).toBe(401);
    expect((await t.request('/auth/me', { token })).status).toBe(401);
  });

  it('shows a personal token once, stores it hashed, and honours revocation and expiry', async () => {
    const { cookie } = await t.login();
    const created = await t.request('/api/tokens', { method: 'POST', cookie, json: { name: 'backup script', expiresInDays: 2 } });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; token: string };
    expect(body.token).toMatch(/^aura_[0-9a-f]{16}_[\w-]{43}$/);
    // The secret may itself hold "_": it is everything after aura_<16 hex>_.
    const secret = body.token.slice('aura_'.length + 17);
    expect(secret).toHaveLength(43);
    const listed = await (await t.request('/api/tokens', { cookie })).text();
    expect(listed).toContain('backup script');
    expect(listed).not.toContain(secret);
    expect((await t.request('/api/servers', { token: body.token })).status).toBe(200);
    // The right id with a wrong secret is no token at all.
    const wrongSecret = `${body.token.slice(0, -1)}${body.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await t.request('/api/servers', { token: wrongSecret })).status).toBe(401);
    expect(readFileSync(path.join(t.dataDir, 'store.json'), 'utf8')).not.toContain(secret);
    const info = (await (await t.request('/api/tokens', { cookie })).json()) as { lastUsedAt: string | null }[];
    expect(info[0]!.lastUsedAt).not.toBeNull();

    const other = (await (
      await t.request('/api/tokens', { method: 'POST', cookie, json: { name: 'ci', expiresInDays: 1 } })
    ).json()) as { id: string; token: string };
    expect((await t.request(`/api/tokens/${body.id}`, { method: 'DELETE', cookie })).status).toBe(204);
    expect((await t.request('/api/servers', { token: body.token })).status).toBe(401);
    expect((await t.request(`/api/tokens/${body.id}`, { method: 'DELETE', cookie })).status).toBe(404);

    now += 25 * 3_600_000;
    const fresh = await t.login();
    expect((await t.request('/api/servers', { token: other.token })).status).toBe(401);
    const audit = (await (await t.request('/api/audit?limit=20', { cookie: fresh.cookie })).json()) as { action: string }[];
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.token.create', 'auth.token.revoke']));
  });

  it('lets cookie-signed changes in only from our own origin; tokens need none', async () => {
    const { cookie, token } = await t.login();
    const json = { name: 'x', expiresInDays: 1 };
    for (const origin of ['https://evil.example', undefined]) {
      const res = await t.request('/api/tokens', { method: 'POST', json, headers: { cookie, ...(origin ? { origin } : {}) } });
      expect(res.status, String(origin)).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'ORIGIN_REFUSED' });
    }
    const { id } = (await (await t.request('/api/tokens', { method: 'POST', json, cookie })).json()) as { id: string };
    expect((await t.request(`/api/tokens/${id}`, { method: 'DELETE', token })).status).toBe(204);
  });

  it("answers 404 for a token id that is one of an object's own names", async () => {
    const { cookie } = await t.login();
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await t.request(`/api/tokens/${id}`, { method: 'DELETE', cookie });
      expect(res.status, id).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'TOKEN_NOT_FOUND' });
    }
  });

  it('validates token requests', async () => {
    const { cookie } = await t.login();
    for (const json of [
      { name: '', expiresInDays: 1 },
      { name: 'x', expiresInDays: 0 },
      { name: 'x', expiresInDays: '7' },
      { name: 'x', expiresInDays: 91 }, // session.maxTokenDays is 90
      { name: 'x' },
    ]) {
      expect((await t.request('/api/tokens', { method: 'POST', cookie, json })).status, JSON.stringify(json)).toBe(400);
    }
  });
});

describe('the session secret in production', () => {
  it('refuses to start without a strong SESSION_SECRET', async () => {
    for (const sessionSecret of [undefined, 'short', 'a'.repeat(64)]) {
      const err = await startTestAura({}, { production: true, secrets: { sessionSecret } }).catch((e: unknown) => e);
      expect(err, String(sessionSecret)).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems[0]).toMatch(/^SESSION_SECRET: /);
    }
    const ok = await startTestAura(
      {},
      { production: true, secrets: { sessionSecret: 'q8Wm3Zr0Jx4Tn7Lp2Vb9Yc6Hd1Gf5Ks8Ae3Ru0Io7Pz' } },
    );
    await ok.close();
  });
});
