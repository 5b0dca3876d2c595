import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Server } from 'oauth2-mock-server';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestAura, type TestAura } from './aura.ts';

export interface GoogleClaims {
  email?: string;
  /** Google sends a boolean; strings are here to test that only `true` itself is believed. */
  email_verified?: boolean | string;
  hd?: string;
  name?: string;
}

export interface MockGoogle {
  url: string;
  /** What the next /userinfo answers (Google's OpenID claims). */
  claims: GoogleClaims;
  /** When set, what /token answers instead of tokens (an OAuth error, say). */
  tokenAnswer: { statusCode: number; body: Record<string, unknown> } | null;
  /** auth.google.* keys pointing Aura at this server. */
  config: { authorizationURL: string; tokenURL: string; userProfileURL: string };
  /** GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET for Aura. */
  secrets: { googleClientId: string; googleClientSecret: string };
  stop(): Promise<void>;
}

/**
 * oauth2-mock-server standing in for Google, as ../shared/ENVIRONMENT.md describes. With
 * `consent`, sign-in first shows a page with an "Allow" link, as Google does: the way back
 * to Aura then starts from a click on the other site, which is what SameSite rules judge.
 */
export async function startMockGoogle(host = '127.0.0.1', opts: { consent?: boolean } = {}): Promise<MockGoogle> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, host);
  const url = `http://${host}:${server.address().port}`;
  const consent = opts.consent ? await startConsentPage(host, `${url}/authorize`) : undefined;
  const mock: MockGoogle = {
    url,
    claims: { email: 'alice@example.org', email_verified: true, name: 'Alice' },
    tokenAnswer: null,
    config: { authorizationURL: consent?.url ?? `${url}/authorize`, tokenURL: `${url}/token`, userProfileURL: `${url}/userinfo` },
    secrets: { googleClientId: 'aura-test-client', googleClientSecret: 'aura-test-secret' },
    async stop() {
      await server.stop();
      await consent?.stop();
    },
  };
  server.service.on('beforeResponse', (res: { statusCode: number; body: unknown }) => {
    if (mock.tokenAnswer) Object.assign(res, mock.tokenAnswer);
  });
  server.service.on('beforeUserinfo', (res: { body: unknown }) => {
    res.body = { sub: `google-${mock.claims.email ?? 'nobody'}`, ...mock.claims };
  });
  return mock;
}

async function startConsentPage(host: string, authorizeUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const srv = http.createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://x').search;
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>Consent</title><a href="${authorizeUrl}${query.replace(/"/g, '&quot;')}">Allow</a>`);
  });
  await new Promise<void>((resolve) => srv.listen(0, host, () => resolve()));
  return {
    url: `http://${host}:${(srv.address() as AddressInfo).port}/consent`,
    stop: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

/** A tiny cookie jar for following the OAuth redirects by hand. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface GoogleLoginResult {
  /** Where Aura sent the browser at the end. */
  location: string;
  jar: CookieJar;
  /** The callback URL Google sent the browser to, for replay tests. */
  callback: string;
}

/** Walks the redirects a browser would: Aura → Google (auto-approves) → Aura's callback. */
export async function googleLogin(auraUrl: string, opts: { next?: string; jar?: CookieJar } = {}): Promise<GoogleLoginResult> {
  const jar = opts.jar ?? new CookieJar();
  const get = async (url: string) => {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res);
    return res;
  };
  const start = await get(`${auraUrl}/login/google${opts.next === undefined ? '' : `?next=${encodeURIComponent(opts.next)}`}`);
  if (start.status !== 302) throw new Error(`/login/google answered ${start.status}: ${await start.text()}`);
  const authorize = await get(start.headers.get('location')!);
  const callback = authorize.headers.get('location')!;
  const done = await get(callback);
  return { location: done.headers.get('location') ?? `(status ${done.status})`, jar, callback };
}

/**
 * A browser signed in through the mock Google as Vera (vera@example.org), whom the test's
 * allowedEmails make a viewer: for what a viewer's page shows and hides.
 */
export async function viewerContext(
  browser: Browser,
  { google, t }: AuraWithGoogle,
  viewport = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  google.claims = { email: 'vera@example.org', email_verified: true, name: 'Vera' };
  const { jar } = await googleLogin(t.url);
  const context = await browser.newContext({ viewport });
  await context.addCookies([...jar.cookies].map(([name, value]) => ({ name, value, url: t.url })));
  return context;
}

export interface AuraWithGoogle {
  google: MockGoogle;
  t: TestAura;
  /** Stops Aura and the mock Google; with keepData, Aura's data dir stays for a restart on it. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** A test Aura that signs in through the mock Google, with `allowedEmails` and more config. */
export async function startAuraWithGoogle(
  allowedEmails: { email: string; role: 'admin' | 'viewer' }[],
  opts: {
    config?: Record<string, unknown>;
    google?: Record<string, unknown>;
    idpHost?: string;
    consent?: boolean;
    socketRecheckMs?: number;
    env?: Record<string, string>;
    /** Start on this data dir (one a previous Aura left with stop({ keepData: true })). */
    dataDir?: string;
    now?: () => number;
  } = {},
): Promise<AuraWithGoogle> {
  const google = await startMockGoogle(opts.idpHost, { consent: opts.consent });
  const { auth, ...rest } = (opts.config ?? {}) as { auth?: Record<string, unknown> };
  const t = await startTestAura(
    { ...rest, auth: { ...auth, allowedEmails, google: { ...google.config, ...opts.google } } },
    { secrets: google.secrets, socketRecheckMs: opts.socketRecheckMs, env: opts.env, dataDir: opts.dataDir, now: opts.now },
  ).catch(async (err: unknown) => {
    await google.stop();
    throw err;
  });
  return {
    google,
    t,
    async stop({ keepData = false } = {}) {
      await t.close({ keepData });
      await google.stop();
    },
  };
}
