import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from '../../test/harness/aura.ts';

const VIEWER = { username: 'viewer@example.org', role: 'viewer' as const, provider: 'google' as const };
const CONFIG = { auth: { allowedEmails: [{ email: VIEWER.username, role: 'viewer' }] } };
const DAY = 86_400_000;

type Token = { id: string; token: string; expiresAt: string };

const makeToken = async (t: TestAura, sign: { cookie: string } | { token: string }, expiresInDays: number) => {
  const res = await t.request('/api/tokens', { method: 'POST', ...sign, json: { name: 'script', expiresInDays } });
  return { status: res.status, body: (await res.json()) as Token & { code?: string; detail?: string } };
};

describe('a new ADMIN_PASSWORD', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("ends every session, bearer token and API token of the local admin, and no one else's; the same password ends nothing", async () => {
    let t = await startTestAura(CONFIG, { dataDir });
    const { cookie, token } = await t.login();
    const apiToken = (await makeToken(t, { cookie }, 30)).body.token;
    const viewer = await t.aura.issueToken(VIEWER);
    const status = async () => ({
      cookie: (await t.request('/auth/me', { cookie })).status,
      bearer: (await t.request('/auth/me', { token })).status,
      apiToken: (await t.request('/auth/me', { token: apiToken })).status,
      viewer: (await t.request('/auth/me', { token: viewer })).status,
    });
    expect(await status()).toEqual({ cookie: 200, bearer: 200, apiToken: 200, viewer: 200 });

    await t.close({ keepData: true });
    t = await startTestAura(CONFIG, { dataDir });
    expect(await status()).toEqual({ cookie: 200, bearer: 200, apiToken: 200, viewer: 200 });

    await t.close({ keepData: true });
    const password = 'a brand new admin password';
    t = await startTestAura(CONFIG, { dataDir, secrets: { adminPassword: password } });
    try {
      expect(await status()).toEqual({ cookie: 401, bearer: 401, apiToken: 401, viewer: 200 });
      const login = (pw: string) =>
        t.request('/auth/login', { method: 'POST', json: { username: ADMIN.username, password: pw } });
      expect((await login(ADMIN.password)).status).toBe(401);
      const fresh = await login(password);
      expect(fresh.status).toBe(200);
      const cookie2 = fresh.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      expect(await (await t.request('/api/tokens', { cookie: cookie2 })).json()).toEqual([]);
    } finally {
      await t.close({ keepData: true });
    }
  });
});

describe('signing out everywhere', () => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startTestAura(CONFIG);
  });
  afterAll(() => t?.close());

  it("ends every session, bearer token and API token of the caller, and no one else's, and is audited", async () => {
    const laptop = await t.login();
    const phone = await t.login();
    const apiToken = (await makeToken(t, { cookie: laptop.cookie }, 30)).body.token;
    const viewer = await t.aura.issueToken(VIEWER);

    // A cookie needs our Origin here as for any change.
    const crossSite = await t.request('/api/sessions/revoke-all', {
      method: 'POST',
      headers: { cookie: phone.cookie, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);

    const res = await t.request('/api/sessions/revoke-all', { method: 'POST', cookie: phone.cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sessions: 4, tokens: 1 });
    expect(res.headers.getSetCookie().join('\n')).toMatch(/aura_session=;/);
    for (const sign of [{ cookie: laptop.cookie }, { cookie: phone.cookie }, { token: laptop.token }, { token: phone.token }])
      expect((await t.request('/auth/me', sign)).status, JSON.stringify(sign).slice(0, 30)).toBe(401);
    expect((await t.request('/auth/me', { token: apiToken })).status).toBe(401);
    expect((await t.request('/auth/me', { token: viewer })).status).toBe(200);

    const { cookie } = await t.login();
    const audit = (await (await t.request('/api/audit?limit=5', { cookie })).json()) as object[];
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'auth.sessions.revoke-all',
        user: 'admin',
        result: 'success',
        detail: '4 sessions, 1 API token',
      }),
    );
  });

  it('works with a bearer token too, and is refused to a viewer', async () => {
    const { token, cookie } = await t.login();
    const denied = await t.request('/api/sessions/revoke-all', { method: 'POST', token: await t.aura.issueToken(VIEWER) });
    expect(denied.status).toBe(403);
    expect((await t.request('/api/sessions/revoke-all', { method: 'POST', token })).status).toBe(200);
    expect((await t.request('/auth/me', { cookie })).status).toBe(401);
  });
});

describe('how long a personal API token may live', () => {
  let now = Date.parse('2026-11-22T00:00:00Z');
  let t: TestAura;
  beforeAll(async () => {
    // Login bearer tokens live 3 days here, so that one can make a token of a day or two.
    t = await startTestAura({ ...CONFIG, session: { tokenMinutes: 3 * 24 * 60 } }, { now: () => now });
  });
  afterAll(() => t?.close());

  it('at most session.maxTokenDays (90 by default)', async () => {
    const { cookie } = await t.login();
    const tooLong = await makeToken(t, { cookie }, 91);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('VALIDATION_ERROR');
    expect(tooLong.body.detail).toMatch(/90 days/);
    const longest = await makeToken(t, { cookie }, 90);
    expect(longest.status).toBe(201);
    expect(Date.parse(longest.body.expiresAt)).toBe(now + 90 * DAY);
  });

  it('no longer than the bearer or API token it was made with, and it ends when that API token is revoked', async () => {
    const { cookie, token: bearer } = await t.login();
    const fromBearer = await makeToken(t, { token: bearer }, 4);
    expect(fromBearer.status).toBe(400);
    expect(fromBearer.body.detail).toMatch(/outlive/);
    expect((await makeToken(t, { token: bearer }, 3)).status).toBe(201);

    const parent = (await makeToken(t, { cookie }, 30)).body;
    expect((await makeToken(t, { token: parent.token }, 31)).status).toBe(400);
    const child = (await makeToken(t, { token: parent.token }, 30)).body;
    const grandchild = (await makeToken(t, { token: child.token }, 30)).body;
    expect((await t.request('/auth/me', { token: grandchild.token })).status).toBe(200);
    now += DAY;
    expect((await makeToken(t, { token: parent.token }, 30)).status).toBe(400);
    expect((await makeToken(t, { token: parent.token }, 29)).status).toBe(201);

    const { cookie: fresh } = await t.login();
    expect((await t.request(`/api/tokens/${parent.id}`, { method: 'DELETE', cookie: fresh })).status).toBe(204);
    for (const made of [parent, child, grandchild])
      expect((await t.request('/auth/me', { token: made.token })).status, made.id).toBe(401);
    const listed = (await (await t.request('/api/tokens', { cookie: fresh })).json()) as { id: string }[];
    expect(listed.map((x) => x.id)).not.toContain(child.id);
  });
});
