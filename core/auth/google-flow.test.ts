import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockGoogle, type MockGoogle } from '../../test/harness/google.ts';
import { parseCoreConfig } from '../config.ts';
import { decodePending, encodePending, googleSignIn, oauthErrorCode, type GoogleOutcome } from './google.ts';

const CALLBACK = 'http://127.0.0.1:7070/login/google/authorized';
const TTL = 10 * 60_000;

describe('OAuth error codes', () => {
  it("passes on each of RFC 6749's and OpenID's codes, and nothing else", () => {
    for (const code of [
      'invalid_request',
      'unauthorized_client',
      'access_denied',
      'unsupported_response_type',
      'invalid_scope',
      'server_error',
      'temporarily_unavailable',
      'interaction_required',
      'login_required',
      'account_selection_required',
      'consent_required',
      'invalid_request_uri',
      'invalid_request_object',
      'request_not_supported',
      'request_uri_not_supported',
      'registration_not_supported',
    ])
      expect(oauthErrorCode(code)).toBe(code);
    for (const other of ['', 'Access_Denied', 'access_denied ', '<b>hi</b>', ['access_denied'], 1, undefined])
      expect(oauthErrorCode(other), String(other)).toBe('unknown');
  });
});

describe('the pending sign-in in the state cookie', () => {
  it('comes back as it went', () => {
    const p = { state: 's', expires: 123, next: '/s/box' };
    expect(decodePending(encodePending(p))).toEqual(p);
  });

  it('is nothing unless it is [string, number, string]', () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const value of [
      undefined,
      '',
      'not base64 json',
      enc({ 0: 's', 1: 1, 2: '/' }),
      enc([1, 1, '/']),
      enc(['s', '1', '/']),
      enc(['s', 1, 1]),
      enc(['s', 1]),
      enc(null),
    ])
      expect(decodePending(value), String(value)).toBeUndefined();
  });
});

describe('googleSignIn against a real OAuth2 server, on a clock of its own', () => {
  let google: MockGoogle;
  let clock = 1_000_000;
  const req = () => ({ headers: {}, url: '/login/google' }) as unknown as IncomingMessage;
  const flow = (hostedDomain: string | null = null) =>
    googleSignIn({
      clientID: google.secrets.googleClientId,
      clientSecret: google.secrets.googleClientSecret,
      now: () => clock,
      config: parseCoreConfig({
        auth: { allowedEmails: [{ email: 'alice@example.org', role: 'admin' }], google: { ...google.config, hostedDomain } },
      }).auth,
    });
  /** Google's answer to the redirect: the callback's query. */
  const authorize = async (outcome: GoogleOutcome) => {
    if (outcome.kind !== 'redirect') throw new Error(`expected a redirect, got ${JSON.stringify(outcome)}`);
    const res = await fetch(outcome.url, { redirect: 'manual' });
    return Object.fromEntries(new URL(res.headers.get('location')!).searchParams);
  };

  beforeAll(async () => {
    google = await startMockGoogle();
  });
  beforeEach(() => {
    google.tokenAnswer = null;
    google.claims = { email: 'alice@example.org', email_verified: true };
  });
  afterAll(() => google?.stop());

  it('redirects to Google for openid, email and profile, with a state that lives ten minutes', async () => {
    const begun = await flow().begin(req(), CALLBACK, '/s/box');
    expect(begun.kind).toBe('redirect');
    if (begun.kind !== 'redirect') return;
    const url = new URL(begun.url);
    expect(url.origin + url.pathname).toBe(google.config.authorizationURL);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(url.searchParams.get('hd')).toBeNull();
    expect(begun.expires).toBe(clock + TTL);
    expect(decodePending(begun.cookie)).toEqual({ state: url.searchParams.get('state'), expires: clock + TTL, next: '/s/box' });

    const hd = await flow('example.org').begin(req(), CALLBACK, '/');
    expect(hd.kind === 'redirect' && new URL(hd.url).searchParams.get('hd')).toBe('example.org');
  });

  it('finishes up to the last millisecond of the state, not one after, and returns to its next path', async () => {
    const signIn = flow();
    const ok = await signIn.begin(req(), CALLBACK, '/s/box');
    const query = await authorize(ok);
    clock += TTL;
    expect(await signIn.finish(req(), query, CALLBACK, ok.kind === 'redirect' ? ok.cookie : '')).toEqual({
      kind: 'success',
      user: { username: 'alice@example.org', role: 'admin', provider: 'google' },
      next: '/s/box',
    });

    const late = await signIn.begin(req(), CALLBACK, '/');
    const lateQuery = await authorize(late);
    clock += TTL + 1;
    expect(await signIn.finish(req(), lateQuery, CALLBACK, late.kind === 'redirect' ? late.cookie : '')).toEqual({
      kind: 'failed',
      reason: 'state missing, mismatched, expired or used',
    });
  });

  it('takes the state only as one text: an array that would read as the same text is refused', async () => {
    const signIn = flow();
    const begun = await signIn.begin(req(), CALLBACK, '/');
    const query = await authorize(begun);
    const cookie = begun.kind === 'redirect' ? begun.cookie : '';
    const asArray = { ...query, state: [query.state] } as unknown as Record<string, string>;
    expect(await signIn.finish(req(), asArray, CALLBACK, cookie)).toEqual({
      kind: 'failed',
      reason: 'state missing, mismatched, expired or used',
    });
  });

  it("says what Google's error answer was, spends its state, and spends no other", async () => {
    const signIn = flow();
    const begun = await signIn.begin(req(), CALLBACK, '/');
    const cookie = begun.kind === 'redirect' ? begun.cookie : '';
    const query = await authorize(begun);
    // Answers that name another state, or none, leave this sign-in as it was.
    expect(await signIn.finish(req(), { error: 'access_denied', state: 'another' }, CALLBACK, cookie)).toEqual({
      kind: 'failed',
      reason: 'Google said access_denied',
    });
    expect(await signIn.finish(req(), { error: '<script>', state: ['x'] }, CALLBACK, cookie)).toEqual({
      kind: 'failed',
      reason: 'Google said unknown',
    });
    expect(await signIn.finish(req(), { state: query.state }, CALLBACK, cookie)).toEqual({
      kind: 'failed',
      reason: 'no authorization code',
    });
    // The stray visit without a code named this state: it is spent.
    expect(await signIn.finish(req(), query, CALLBACK, cookie)).toMatchObject({ kind: 'failed' });

    const next = await signIn.begin(req(), CALLBACK, '/');
    const nextQuery = await authorize(next);
    const nextCookie = next.kind === 'redirect' ? next.cookie : '';
    await signIn.finish(req(), { error: 'access_denied', code: 'x', state: 'another' }, CALLBACK, nextCookie);
    expect(await signIn.finish(req(), nextQuery, CALLBACK, nextCookie)).toMatchObject({ kind: 'success' });
  });

  it("keeps Google's token error text short and on one line", async () => {
    const signIn = flow();
    const begun = await signIn.begin(req(), CALLBACK, '/');
    const query = await authorize(begun);
    google.tokenAnswer = {
      statusCode: 400,
      body: { error: 'invalid_grant', error_description: `bad\n\u0007code\u007f${'x'.repeat(500)}` },
    };
    const outcome = await signIn.finish(req(), query, CALLBACK, begun.kind === 'redirect' ? begun.cookie : '');
    expect(outcome).toEqual({ kind: 'failed', reason: `bad code ${'x'.repeat(191)}` });
  });

  it('fails with the reason when Google cannot be reached', async () => {
    const signIn = googleSignIn({
      clientID: 'c',
      clientSecret: 's',
      now: () => clock,
      config: parseCoreConfig({ auth: { google: { ...google.config, tokenURL: 'http://127.0.0.1:1/token' } } }).auth,
    });
    const begun = await signIn.begin(req(), CALLBACK, '/');
    const query = await authorize(begun);
    const outcome = await signIn.finish(req(), query, CALLBACK, begun.kind === 'redirect' ? begun.cookie : '');
    expect(outcome).toEqual({ kind: 'failed', reason: expect.stringContaining('Failed to obtain access token') });
  });

  it('refuses an account with the reason and the address, lower-cased and trimmed', async () => {
    const signIn = flow('example.org');
    for (const [claims, refusal] of [
      [{ email: ' ALICE@example.org ', email_verified: true, hd: 'example.org' }, null],
      [
        { email: 'alice@example.org', email_verified: true, hd: 'other.org' },
        { reason: 'wrong_domain', email: 'alice@example.org' },
      ],
      [
        { email: 'Mallory@Example.org', email_verified: true, hd: 'example.org' },
        { reason: 'not_allowed', email: 'mallory@example.org' },
      ],
      [
        { email_verified: true, hd: 'example.org' },
        { reason: 'not_allowed', email: null },
      ],
    ] as const) {
      google.claims = { ...claims };
      const begun = await signIn.begin(req(), CALLBACK, '/');
      const query = await authorize(begun);
      const outcome = await signIn.finish(req(), query, CALLBACK, begun.kind === 'redirect' ? begun.cookie : '');
      if (refusal) expect(outcome, JSON.stringify(claims)).toEqual({ kind: 'refused', ...refusal });
      else expect(outcome).toMatchObject({ kind: 'success', user: { username: 'alice@example.org' } });
    }
  });
});
