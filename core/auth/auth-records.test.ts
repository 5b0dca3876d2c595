import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { googleLogin, startAuraWithGoogle, type AuraWithGoogle } from '../../test/harness/google.ts';

type Entry = { action: string; user: string | null; result: string; target?: string; detail?: string };

/** What each sign-in, sign-out and token change says: to the caller, and in the audit. */
describe('the local admin: answers and audit entries', () => {
  let t: TestAura;
  let cookie: string;
  let token: string;
  const audit = async (n = 5) => (await (await t.request(`/api/audit?limit=${n}`, { token })).json()) as Entry[];

  beforeAll(async () => {
    t = await startTestAura();
    ({ cookie, token } = await t.login());
  });
  afterAll(() => t?.close());

  it('signs in from no Origin or its own, never from another site', async () => {
    const login = (origin?: string) =>
      t.request('/auth/login', { method: 'POST', json: ADMIN, headers: origin ? { origin } : {} });
    const own = await login(new URL(t.url).origin);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { user: unknown }).user).toEqual({ username: 'admin', role: 'admin', provider: 'local' });
    expect((await audit(1))[0]).toMatchObject({ action: 'auth.login', result: 'success', user: 'admin', detail: 'local' });
    const foreign = await login('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ code: 'ORIGIN_REFUSED', detail: "This request did not come from Aura's own pages." });
    const wrong = await t.request('/auth/login', { method: 'POST', json: { ...ADMIN, password: 'nope' } });
    expect(await wrong.json()).toEqual({ code: 'INVALID_CREDENTIALS', detail: 'Wrong username or password.' });
  });

  it('reads a bearer header only as "Bearer <token>", with any spaces between', async () => {
    const me = (authorization: string) => t.request('/auth/me', { headers: { authorization } });
    expect((await me(`Bearer ${token}`)).status).toBe(200);
    expect((await me(`bearer   ${token}`)).status).toBe(200);
    for (const bad of [`xBearer ${token}`, `Bearer ${token} extra`, `Bearer${token}`, `Basic ${token}`])
      expect((await me(bad)).status, bad).toBe(401);
  });

  it('names tokens trimmed, audits their making and revoking, and says which token it does not have', async () => {
    const made = await t.request('/api/tokens', { method: 'POST', cookie, json: { name: '  ci  ', expiresInDays: 1 } });
    expect(made.status).toBe(201);
    const { id, name } = (await made.json()) as { id: string; name: string };
    expect(name).toBe('ci');
    expect((await audit(1))[0]).toMatchObject({ action: 'auth.token.create', target: `${id} (ci)`, result: 'success' });
    expect((await t.request(`/api/tokens/${id}`, { method: 'DELETE', token })).status).toBe(204);
    expect((await audit(1))[0]).toMatchObject({ action: 'auth.token.revoke', target: id, result: 'success', user: 'admin' });
    const missing = await t.request('/api/tokens/nope', { method: 'DELETE', token });
    expect(await missing.json()).toEqual({ code: 'TOKEN_NOT_FOUND', detail: 'You have no token "nope".' });

    const long = await t.request('/api/tokens', { method: 'POST', token, json: { name: 'x', expiresInDays: 30 } });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { detail: string }).detail).toMatch(
      /^A token made with a bearer or API token may not outlive it \(that one ends \d{4}-\d\d-\d\dT[\d:.]+Z\); sign in with a browser to make a longer-lived one\.$/,
    );
  });

  it('signs out a session, not an API token; a cookie only from its own Origin', async () => {
    const api = (await (
      await t.request('/api/tokens', { method: 'POST', cookie, json: { name: 'keep', expiresInDays: 1 } })
    ).json()) as { token: string };
    expect((await t.request('/auth/logout', { method: 'POST', token: api.token })).status).toBe(204);
    expect((await t.request('/auth/me', { token: api.token })).status).toBe(200);
    expect((await audit(1))[0]!.action).not.toBe('auth.logout');

    const browser = await t.login();
    const foreign = await t.request('/auth/logout', {
      method: 'POST',
      headers: { cookie: browser.cookie, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect((await t.request('/auth/me', { cookie: browser.cookie })).status).toBe(200);
    // A bearer needs no Origin, and a caller nobody knows has nothing to end.
    const other = await t.login();
    expect(
      (await t.request('/auth/logout', { method: 'POST', token: other.token, headers: { origin: 'https://evil.example' } }))
        .status,
    ).toBe(204);
    expect((await t.request('/auth/me', { token: other.token })).status).toBe(401);
    expect((await t.request('/auth/logout', { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(204);

    expect((await t.request('/auth/logout', { method: 'POST', cookie: browser.cookie })).status).toBe(204);
    expect((await audit(1))[0]).toEqual(expect.objectContaining({ action: 'auth.logout', user: 'admin', result: 'success' }));
  });

  it('answers the Google routes with GOOGLE_NOT_CONFIGURED when Google is not set up', async () => {
    for (const p of ['/login/google', '/login/google/authorized?code=x&state=y']) {
      const res = await fetch(`${t.url}${p}`, { redirect: 'manual' });
      expect(await res.json(), p).toEqual({ code: 'GOOGLE_NOT_CONFIGURED', detail: 'Google sign-in is not configured.' });
    }
  });
});

describe('a Google viewer: answers and audit entries', () => {
  let aura: AuraWithGoogle;
  let admin: string;
  let viewer: string;
  const audit = async (n: number) =>
    (await (await aura.t.request(`/api/audit?limit=${n}`, { headers: { cookie: admin } })).json()) as Entry[];

  beforeAll(async () => {
    aura = await startAuraWithGoogle([
      { email: 'alice@example.org', role: 'admin' },
      { email: 'victor@example.org', role: 'viewer' },
    ]);
    admin = (await googleLogin(aura.t.url)).jar.header();
    aura.google.claims = { email: 'victor@example.org', email_verified: true };
    viewer = (await googleLogin(aura.t.url)).jar.header();
  });
  afterAll(() => aura?.stop());

  it('records each Google sign-in with its role, and a refusal with the address', async () => {
    const logins = (await audit(10)).filter((e) => e.action === 'auth.login');
    expect(logins.slice(0, 2)).toEqual([
      expect.objectContaining({ user: 'victor@example.org', result: 'success', detail: 'google, role viewer' }),
      expect.objectContaining({ user: 'alice@example.org', result: 'success', detail: 'google, role admin' }),
    ]);
    aura.google.claims = { email: 'mallory@example.org', email_verified: true };
    expect((await googleLogin(aura.t.url)).location).toBe('/login?error=not_allowed');
    expect((await audit(1))[0]).toMatchObject({ user: 'mallory@example.org', result: 'failure', detail: 'google: not_allowed' });
    const denied = await fetch(`${aura.t.url}/login/google/authorized?error=access_denied`, { redirect: 'manual' });
    expect(denied.headers.get('location')).toBe('/login?error=google_failed');
    expect((await audit(1))[0]).toMatchObject({ user: null, result: 'failure', detail: 'google: Google said access_denied' });
  });

  it('refuses a viewer the admin-only reads too, and audits what was refused and why', async () => {
    const list = await aura.t.request('/api/tokens', { headers: { cookie: viewer } });
    expect(list.status).toBe(403);
    expect((await audit(1))[0]).toMatchObject({
      action: 'auth.denied',
      user: 'victor@example.org',
      target: 'GET /api/tokens',
      detail: 'role viewer',
      result: 'failure',
    });
  });
});

describe("the local admin's sessions after a restart", () => {
  it('end when the local login is turned off, or the admin has another name', async () => {
    const first = await startTestAura();
    const { token } = await first.login();
    const { dataDir } = first;
    await first.close({ keepData: true });

    const renamed = await startTestAura({}, { dataDir, secrets: { adminUsername: 'operator' } });
    expect((await renamed.request('/auth/me', { token })).status).toBe(401);
    await renamed.close({ keepData: true });

    const same = await startTestAura({}, { dataDir });
    expect((await same.request('/auth/me', { token })).status).toBe(200);
    await same.close({ keepData: true });

    const google = await startAuraWithGoogle([], { dataDir });
    try {
      expect((await google.t.request('/auth/me', { token })).status).toBe(401);
    } finally {
      await google.stop();
    }
  });
});
