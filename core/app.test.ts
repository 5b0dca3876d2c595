import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from '../test/harness/aura.ts';
import { fakeHost, startPluginTest } from '../test/kit/index.ts';
import { captureLines } from '../test/harness/requests.ts';
import { createLogger } from './logger.ts';
import { definePlugin } from './plugin.ts';

describe('the core over HTTP', () => {
  let t: TestAura;
  let auth: { cookie: string; token: string };

  beforeAll(async () => {
    t = await startTestAura({ bodyLimitKb: 4 });
    auth = await t.login();
  });
  afterAll(() => t?.close());

  it('answers health without auth with its status only, and a signed-in caller with the details', async () => {
    const res = await t.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    const details = (await (await t.request('/api/health', { token: auth.token })).json()) as Record<string, unknown>;
    expect(details).toMatchObject({ status: 'ok', version: pkg.version, plugins: { failed: [] } });
    expect(details.uptimeSeconds).toEqual(expect.any(Number));
    expect((details.plugins as { started: string[] }).started).toEqual(
      t.aura.plugins.filter((p) => p.state === 'started').map((p) => p.id),
    );
  });

  it('refuses a wrong password with INVALID_CREDENTIALS and audits it', async () => {
    const res = await t.request('/auth/login', { method: 'POST', json: { username: 'admin', password: 'nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const audit = (await (await t.request('/api/audit?limit=5', { token: auth.token })).json()) as {
      action: string;
      result: string;
    }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: 'auth.login', result: 'failure' }));
  });

  it('signs in with an httpOnly, SameSite cookie and a bearer token', async () => {
    const res = await t.request('/auth/login', { method: 'POST', json: ADMIN });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      token: expect.stringMatching(/^[\w-]{43}$/),
      user: { username: 'admin', role: 'admin', provider: 'local' },
    });
    const cookies = res.headers.getSetCookie().join('\n');
    expect(cookies).toMatch(/aura_session=[^;]+;.*httponly/i);
    expect(cookies).toMatch(/samesite=lax/i);
    expect(cookies).not.toMatch(/secure/i); // plain http on loopback
    for (const signed of [{ token: body.token }, { cookie: auth.cookie }]) {
      const me = await t.request('/auth/me', signed);
      expect(await me.json()).toEqual({ user: { username: 'admin', role: 'admin', provider: 'local' } });
    }
  });

  it('marks the cookie Secure behind TLS when the proxy is trusted', async () => {
    const proxied = await startTestAura({ trustProxy: true });
    try {
      const res = await proxied.request('/auth/login', {
        method: 'POST',
        json: ADMIN,
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(res.headers.getSetCookie().join('\n')).toMatch(/secure/i);
    } finally {
      await proxied.close();
    }
  });

  it('ends the session at logout', async () => {
    const mine = await t.login();
    expect((await t.request('/auth/me', { cookie: mine.cookie })).status).toBe(200);
    expect((await t.request('/auth/logout', { method: 'POST', cookie: mine.cookie })).status).toBe(204);
    expect((await t.request('/auth/me', { cookie: mine.cookie })).status).toBe(401);
    expect((await t.request('/auth/logout', { method: 'POST', token: mine.token })).status).toBe(204);
    expect((await t.request('/auth/me', { token: mine.token })).status).toBe(401);
  });

  it('refuses a forged or unsigned session cookie', async () => {
    const value = auth.cookie.match(/aura_session=([^;]+)/)![1];
    expect((await t.request('/auth/me', { cookie: `aura_session=${value}` })).status).toBe(401);
    expect(
      (await t.request('/auth/me', { cookie: auth.cookie.replace(/aura_session=[^;]+/, 'aura_session=forged') })).status,
    ).toBe(401);
  });

  it('refuses a cookie-signed change from another origin', async () => {
    const res = await t.request('/auth/logout', {
      method: 'POST',
      cookie: auth.cookie,
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'ORIGIN_REFUSED' });
    expect((await t.request('/auth/me', { cookie: auth.cookie })).status).toBe(200);
  });

  it('lists plugins and servers', async () => {
    const plugins = await (await t.request('/api/plugins', { token: auth.token })).json();
    expect(plugins).toContainEqual(
      expect.objectContaining({ id: 'ports', version: '0.1.0', title: 'Ports', enabled: true, state: 'started', error: null }),
    );
    const servers = await (await t.request('/api/servers', { token: auth.token })).json();
    expect(servers).toEqual([{ id: 'local', name: 'This machine', host: 'localhost', kind: 'local' }]);
  });

  it('tells whether a server answers: local does, an unknown one is 404, strangers get 401', async () => {
    const local = await t.request('/api/servers/local/status', { token: auth.token });
    expect(local.status).toBe(200);
    expect(await local.json()).toEqual({ reachable: true, detail: null });
    const unknown = await t.request('/api/servers/nope/status', { token: auth.token });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'SERVER_NOT_FOUND' });
    expect((await t.request('/api/servers/local/status')).status).toBe(401);
  });

  it('tells admins where its settings and data live, and viewers only its version', async () => {
    const about = await (await t.request('/api/about', { token: auth.token })).json();
    expect(about).toEqual({ version: expect.any(String), configFiles: [], dataDir: t.dataDir, maxTokenDays: 90 });
    expect((await t.request('/api/about')).status).toBe(401);
  });

  it('answers unknown routes and servers with JSON 404s', async () => {
    const route = await t.request('/api/nothing-here', { token: auth.token });
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ code: 'NOT_FOUND' });
    const server = await t.request('/api/servers/nope/ports', { token: auth.token });
    expect(server.status).toBe(404);
    expect(await server.json()).toMatchObject({ code: 'SERVER_NOT_FOUND', detail: expect.stringContaining('nope') });
  });

  it('validates input and names the bad fields', async () => {
    const res = await t.request('/auth/login', { method: 'POST', json: { username: 7 } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('VALIDATION_ERROR');
    expect(body.issues.map((i: { path: string }) => i.path)).toEqual(['username', 'password']);
    const badJson = await t.request('/auth/login', {
      method: 'POST',
      body: '{"username":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await t.request('/auth/login', { method: 'POST', json: { username: 'admin', password: 'x'.repeat(8 * 1024) } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('sends security headers and a request id on every response', async () => {
    const page = await t.request('/');
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'self'.*script-src 'self' 'sha256-[^']+'.*frame-ancestors 'none'/,
    );
    for (const p of ['/api/health', '/api/servers']) {
      const res = await t.request(p);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
    for (const p of ['/api/health', '/', '/api/servers']) {
      const res = await t.request(p, { headers: { 'x-request-id': 'nginx-abc.123' } });
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-request-id')).toBe('nginx-abc.123');
    }
    const generated = await t.request('/api/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the UI: long cache for hashed assets, the app page for deep links', async () => {
    const index = await t.request('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const asset = html.match(/\/_app\/immutable\/[^"]+\.js/)![0];
    const js = await t.request(asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    for (const sneaky of ['/_app/immutable/../../index.html', '/_app/immutable/%2e%2e/%2e%2e/index.html']) {
      const page = await t.request(sneaky);
      expect(page.headers.get('cache-control'), sneaky).toBe('no-cache');
    }
    const deep = await t.request('/s/local/ports');
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
  });

  it('pages the audit log newest first', async () => {
    for (let i = 0; i < 3; i++)
      await t.request('/api/tokens', { method: 'POST', cookie: auth.cookie, json: { name: `x${i}`, expiresInDays: 1 } });
    const names = (entries: { target: string }[]) => entries.map((e) => /\((\w+)\)$/.exec(e.target)?.[1]);
    const first = (await (await t.request('/api/audit?limit=2', { token: auth.token })).json()) as {
      id: number;
      target: string;
    }[];
    expect(names(first)).toEqual(['x2', 'x1']);
    const next = (await (await t.request(`/api/audit?limit=2&before=${first[1]!.id}`, { token: auth.token })).json()) as {
      target: string;
    }[];
    expect(names(next)[0]).toBe('x0');
    expect((await t.request('/api/audit?limit=0', { token: auth.token })).status).toBe(400);
  });
});

describe('the core against odd requests', () => {
  let t: TestAura;
  let token: string;
  const { stream, lines } = captureLines();
  beforeAll(async () => {
    t = await startTestAura({ log: { level: 'debug' } }, { logger: createLogger('debug', stream) });
    ({ token } = await t.login());
  });
  afterAll(() => t?.close());

  it('answers unknown methods 405 as JSON, logged at debug, on any path', async () => {
    for (const method of ['PROPFIND', 'MKCOL', 'LOCK', 'TRACE'])
      for (const p of ['/', '/some/page', '/api/servers']) {
        const res = await rawRequest(t.url, method, p);
        expect(res.status, `${method} ${p}`).toBe(405);
        expect(JSON.parse(res.body), `${method} ${p}`).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
      }
    const logged = lines.map((l) => JSON.parse(l) as { level: number; status?: number }).filter((l) => l.status === 405);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((l) => l.level === 20)).toBe(true);
  });

  it('answers changes sent to pages with a JSON 404', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await t.request('/some/page', { method, token });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('sends HSTS only behind TLS, and a Permissions-Policy always', async () => {
    const plain = await t.request('/api/health');
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    expect(plain.headers.get('permissions-policy')).toMatch(/camera=\(\)/);
    const proxied = await startTestAura({ trustProxy: true });
    try {
      const tls = await proxied.request('/api/health', { headers: { 'x-forwarded-proto': 'https' } });
      expect(tls.headers.get('strict-transport-security')).toBe('max-age=31536000');
    } finally {
      await proxied.close();
    }
  });

  it('gives each plugin a private folder of its own in the data dir', async () => {
    const seen: string[] = [];
    const keeper = definePlugin({
      id: 'keeper',
      version: '1.0.0',
      coreVersion: '>=0.1.0',
      title: 'Keeper',
      scope: 'global',
      setup: (ctx) => {
        seen.push(ctx.dataDir);
        writeFileSync(path.join(ctx.dataDir, 'kept.txt'), 'kept');
        return {};
      },
    });
    const kit = await startPluginTest({ plugins: [keeper], hosts: { local: fakeHost() } });
    try {
      expect(seen).toEqual([path.join(kit.dataDir, 'plugins', 'keeper')]);
      expect(statSync(seen[0]!).mode & 0o777).toBe(0o700);
      expect(readFileSync(path.join(seen[0]!, 'kept.txt'), 'utf8')).toBe('kept');
    } finally {
      await kit.close();
    }
  });

  it('logs a response that fails midway as JSON, never as a bare stack trace', async () => {
    const printed = vi.spyOn(console, 'error');
    const failing = definePlugin({
      id: 'failing',
      version: '1.0.0',
      coreVersion: '>=0.1.0',
      title: 'Failing',
      scope: 'global',
      setup: () => ({
        routes: (router) =>
          router.get('/', (c) => {
            const body: Readable = new Readable({ read: () => void body.destroy(new Error('the disk went away')) });
            c.body = body;
          }),
      }),
    });
    const kit = await startPluginTest({ plugins: [failing], hosts: { local: fakeHost() }, logger: createLogger('info', stream) });
    try {
      await kit
        .request('/api/failing')
        .then((r) => r.text())
        .catch(() => undefined);
      await expect.poll(() => lines.some((l) => l.includes('the disk went away')), { timeout: 10_000 }).toBe(true);
      expect(printed).not.toHaveBeenCalled();
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    } finally {
      printed.mockRestore();
      await kit.close();
    }
  });
});

/** A request with any method, as a scanner sends it (fetch refuses TRACE). */
function rawRequest(url: string, method: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${p}`, { method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
