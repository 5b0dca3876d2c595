import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from '../../test/harness/aura.ts';
import {
  CookieJar,
  googleLogin,
  startAuraWithGoogle,
  startMockGoogle,
  type AuraWithGoogle,
  type MockGoogle,
} from '../../test/harness/google.ts';

describe('Google sign-in against a real OAuth2 server', () => {
  let aura: AuraWithGoogle;
  let google: MockGoogle;
  let t: TestAura;

  beforeAll(async () => {
    aura = await startAuraWithGoogle([
      { email: ' Alice@Example.org ', role: 'admin' },
      { email: 'victor@example.org', role: 'viewer' },
    ]);
    ({ google, t } = aura);
  });
  beforeEach(() => {
    google.claims = { email: 'alice@example.org', email_verified: true };
  });
  afterAll(() => aura?.stop());

  const me = (jar: CookieJar) => t.request('/auth/me', { headers: { cookie: jar.header() } }).then((r) => r.json());

  it('lets an allowed, verified account in with its role, matching the email case-insensitively', async () => {
    google.claims.email = 'ALICE@example.org';
    const { location, jar } = await googleLogin(t.url);
    expect(location).toBe('/');
    expect(await me(jar)).toEqual({ user: { username: 'alice@example.org', role: 'admin', provider: 'google' } });
    const audit = (await (await t.request('/api/audit?limit=1', { headers: { cookie: jar.header() } })).json()) as object[];
    expect(audit[0]).toMatchObject({ action: 'auth.login', result: 'success', user: 'alice@example.org' });
  });

  it('refuses an account not on the list, an unverified email and a near-miss address', async () => {
    for (const claims of [
      { email: 'mallory@example.org', email_verified: true },
      { email: 'alice@example.org', email_verified: false },
      { email: 'alice@example.org.evil.com', email_verified: true },
      { email: 'xalice@example.org', email_verified: true },
    ]) {
      google.claims = claims;
      const { location, jar } = await googleLogin(t.url);
      expect(location, claims.email).toBe('/login?error=not_allowed');
      expect(jar.cookies.has('aura_session')).toBe(false);
    }
    google.claims = { email: 'alice@example.org', email_verified: true };
    const admin = (await googleLogin(t.url)).jar.header();
    const audit = (await (await t.request('/api/audit?limit=6', { headers: { cookie: admin } })).json()) as { detail: string }[];
    expect(audit.map((e) => e.detail)).toEqual(expect.arrayContaining(['google: not_allowed', 'google: unverified']));
  });

  it('believes only email_verified: true itself, not a missing claim or a string', async () => {
    for (const verified of [undefined, 'false', 'yes', 'true', 1, 'TRUE']) {
      google.claims = { email: 'alice@example.org', ...(verified === undefined ? {} : { email_verified: verified as string }) };
      const { location, jar } = await googleLogin(t.url);
      expect(location, String(verified)).toBe('/login?error=not_allowed');
      expect(jar.cookies.has('aura_session')).toBe(false);
    }
    google.claims = { email: 'alice@example.org', email_verified: true };
    expect((await googleLogin(t.url)).location).toBe('/');
  });

  it("records only a known OAuth error code from Google's answer, never the text that came with it", async () => {
    const long = 'A'.repeat(15_000);
    const cases: [string, string][] = [
      ['error=access_denied', 'access_denied'],
      [`error=${long}`, 'unknown'],
      ['error=%3Cimg%20src%3Dx%3E', 'unknown'],
      [`error=server_error&error_description=${long}`, 'server_error'],
      [`code=x&error=access_denied&error_description=${'B'.repeat(15_000)}`, 'access_denied'],
      [`code=x&error=${'C'.repeat(15_000)}`, 'unknown'],
    ];
    for (const [query] of cases) {
      const res = await fetch(`${t.url}/login/google/authorized?${query}`, { redirect: 'manual' });
      expect(res.headers.get('location'), query.slice(0, 40)).toBe('/login?error=google_failed');
    }
    const admin = (await googleLogin(t.url)).jar.header();
    const audit = (await (await t.request('/api/audit?limit=7', { cookie: admin })).json()) as { detail?: string }[];
    const said = audit
      .slice(1)
      .map((e) => e.detail)
      .reverse();
    expect(said).toEqual(cases.map(([, code]) => `google: Google said ${code}`));
  });

  it('gives a viewer read access and 403 FORBIDDEN for changes', async () => {
    google.claims.email = 'victor@example.org';
    const { jar } = await googleLogin(t.url);
    const cookie = jar.header();
    expect((await t.request('/api/servers', { cookie })).status).toBe(200);
    const res = await t.request('/auth/logout', { method: 'POST', cookie: 'x=1' }); // harmless control
    expect(res.status).toBe(204);
    const denied = await t.request('/api/tokens', { method: 'POST', cookie, json: { name: 'x', expiresInDays: 1 } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('starts a new session id at sign-in (no fixation) and ends it at logout', async () => {
    // A session the browser already had (say, one someone planted): sign-in must replace it.
    const { jar } = await googleLogin(t.url);
    const before = { id: jar.cookies.get('aura_session')!, sig: jar.cookies.get('aura_session.sig')! };
    await googleLogin(t.url, { jar });
    expect(jar.cookies.get('aura_session')).toBeDefined();
    expect(jar.cookies.get('aura_session')).not.toBe(before.id);
    const planted = new CookieJar();
    planted.cookies.set('aura_session', before.id);
    planted.cookies.set('aura_session.sig', before.sig);
    expect((await t.request('/auth/me', { headers: { cookie: planted.header() } })).status).toBe(401);
    expect((await t.request('/auth/me', { headers: { cookie: jar.header() } })).status).toBe(200);

    expect((await t.request('/logout', { method: 'POST', cookie: jar.header() })).status).toBe(204);
    expect((await t.request('/auth/me', { headers: { cookie: jar.header() } })).status).toBe(401);
  });

  it('signs no one out on a GET: a link or an image on any site could send one', async () => {
    const { jar } = await googleLogin(t.url);
    // What <img src="https://panel.example.org/logout"> on another site would send: the cookie, no Origin.
    await fetch(`${t.url}/logout`, { redirect: 'manual', headers: { cookie: jar.header() } });
    await fetch(`${t.url}/auth/logout`, { redirect: 'manual', headers: { cookie: jar.header() } });
    expect((await t.request('/auth/me', { headers: { cookie: jar.header() } })).status).toBe(200);
  });

  it('refuses a callback whose state is missing, mismatched, or already used (a replayed code)', async () => {
    // Replay the whole callback, with the state cookie as it was: the state was spent.
    const jar = new CookieJar();
    const begin = await fetch(`${t.url}/login/google`, { redirect: 'manual' });
    jar.take(begin);
    const stateCookie = jar.header();
    const callback = (await fetch(begin.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!;
    const first = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(first.headers.get('location')).toBe('/');
    const replay = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(replay.headers.get('location')).toBe('/login?error=google_failed');

    const fresh = new CookieJar();
    const start = await fetch(`${t.url}/login/google`, { redirect: 'manual' });
    fresh.take(start);
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const cb = new URL(authorize.headers.get('location')!);
    const noState = new URL(cb);
    noState.searchParams.delete('state');
    const wrongState = new URL(cb);
    wrongState.searchParams.set('state', 'forged-state');
    for (const url of [noState, wrongState]) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: fresh.header() } });
      expect(res.headers.get('location'), url.search).toBe('/login?error=google_failed');
    }
    // The right state from another browser (without its cookie) is refused too.
    const stolen = await fetch(cb, { redirect: 'manual' });
    expect(stolen.headers.get('location')).toBe('/login?error=google_failed');
  });

  it('returns only to same-origin paths after sign-in', async () => {
    const cases: [string, string][] = [
      ['/s/local/ports?x=1#top', '/s/local/ports?x=1#top'],
      ['//evil.example/x', '/'],
      ['/\\evil.example', '/'],
      ['https://evil.example/', '/'],
      ['javascript:alert(1)', '/'],
      ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
      ['\t//evil.example', '/'],
      ['/.//evil.example', '/'],
      ['/a/..//evil.example', '/'],
      [`/${'a'.repeat(2047)}`, `/${'a'.repeat(2047)}`],
      [`/${'a'.repeat(2048)}`, '/'],
    ];
    for (const [next, expected] of cases) {
      const { location } = await googleLogin(t.url, { next });
      expect(location, next).toBe(expected);
    }
  });

  it('audits sign-outs', async () => {
    const { jar } = await googleLogin(t.url);
    await t.request('/logout', { method: 'POST', cookie: jar.header() });
    const admin = (await googleLogin(t.url)).jar.header();
    const audit = (await (await t.request('/api/audit?limit=5', { cookie: admin })).json()) as { action: string }[];
    expect(audit.map((e) => e.action)).toContain('auth.logout');
  });

  it('builds the callback from its own address, never from X-Forwarded-Host', async () => {
    const res = await fetch(`${t.url}/login/google`, {
      redirect: 'manual',
      headers: { 'x-forwarded-host': 'evil.example', host: 'evil.example' },
    });
    const redirect = new URL(res.headers.get('location')!);
    expect(redirect.searchParams.get('redirect_uri')).toBe(`${t.url}/login/google/authorized`);
  });

  it('says which sign-in methods are on: the local login is off once Google is configured', async () => {
    expect(await (await t.request('/auth/providers')).json()).toEqual({ local: false, google: true });
    const local = await t.request('/auth/login', { method: 'POST', json: ADMIN });
    expect(local.status).toBe(403);
    expect(await local.json()).toEqual({
      code: 'LOCAL_LOGIN_DISABLED',
      detail: 'Sign in with Google; the local login is turned off.',
    });
  });
});

describe('a Google sign-in under way', () => {
  // Everything a sign-in under way needs rides in its signed cookie, so strangers starting
  // sign-ins cannot fill the server's memory, nor push a real user's sign-in out of it.
  it('is kept by the browser, not the server: it finishes even across a restart', async () => {
    const google = await startMockGoogle();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-data-'));
    const start = (port: number) =>
      startTestAura(
        { listen: { port }, auth: { allowedEmails: [{ email: 'alice@example.org', role: 'admin' }], google: google.config } },
        { secrets: google.secrets, dataDir },
      );
    let t = await start(0);
    try {
      const jar = new CookieJar();
      const begin = await fetch(`${t.url}/login/google?next=${encodeURIComponent('/s/local/ports')}`, { redirect: 'manual' });
      jar.take(begin);
      const callback = (await fetch(begin.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!;
      await t.close({ keepData: true });
      t = await start(Number(new URL(callback).port));
      const done = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header() } });
      expect(done.headers.get('location')).toBe('/s/local/ports');
      jar.take(done);
      expect((await t.request('/auth/me', { headers: { cookie: jar.header() } })).status).toBe(200);
    } finally {
      await t.close();
      await google.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Google sign-in with a hosted domain', () => {
  let aura: AuraWithGoogle;
  beforeAll(async () => {
    aura = await startAuraWithGoogle([{ email: 'alice@example.org', role: 'admin' }], {
      google: { hostedDomain: 'example.org' },
      config: { auth: { local: { enabled: true } } },
    });
  });
  afterAll(() => aura?.stop());

  it('checks the hd claim, not just the request parameter', async () => {
    const { google, t } = aura;
    google.claims = { email: 'alice@example.org', email_verified: true, hd: 'other.org' };
    expect((await googleLogin(t.url)).location).toBe('/login?error=not_allowed');
    google.claims = { email: 'alice@example.org', email_verified: true };
    expect((await googleLogin(t.url)).location).toBe('/login?error=not_allowed');
    google.claims = { email: 'alice@example.org', email_verified: true, hd: 'example.org' };
    const { location, jar } = await googleLogin(t.url);
    expect(location).toBe('/');
    const audit = (await (await t.request('/api/audit?limit=5', { cookie: jar.header() })).json()) as { detail?: string }[];
    expect(audit.map((e) => e.detail)).toContain('google: wrong_domain');
    expect(await (await t.request('/auth/providers')).json()).toEqual({ local: true, google: true });
  });
});

describe('Google sign-in behind a trusted proxy', () => {
  it('sends Google back to publicUrl whatever X-Forwarded-Host says', async () => {
    const aura = await startAuraWithGoogle([{ email: 'alice@example.org', role: 'admin' }], {
      config: { trustProxy: true, publicUrl: 'https://panel.example.org' },
    });
    try {
      const res = await fetch(`${aura.t.url}/login/google`, {
        redirect: 'manual',
        headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      });
      const redirect = new URL(res.headers.get('location')!);
      expect(redirect.searchParams.get('redirect_uri')).toBe('https://panel.example.org/login/google/authorized');
    } finally {
      await aura.stop();
    }
  });
});
