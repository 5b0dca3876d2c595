import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Strategy as GoogleStrategy, type Profile, type StrategyOptions, type VerifyCallback } from 'passport-google-oauth20';
import type { AuthConfig } from '../config.ts';
import type { AuraUser } from '../sessions.ts';

const STATE_TTL_MS = 10 * 60_000;
/** States already used, kept until they expire; past this many the oldest go (Google refuses a used code anyway). */
const MAX_SPENT = 50_000;
/** How long Google may take to answer the token and profile requests. */
const GOOGLE_TIMEOUT_MS = 15_000;
/** The longest failure reason passed on to the audit. */
const MAX_REASON = 200;

/**
 * The error codes an OAuth 2.0 (RFC 6749 §4.1.2.1) or OpenID Connect authorization answer may
 * carry. Anything else in `error` is someone's text, not Google's answer: it becomes "unknown".
 */
const OAUTH_ERRORS = new Set([
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
]);

export const oauthErrorCode = (error: unknown): string =>
  typeof error === 'string' && OAUTH_ERRORS.has(error) ? error : 'unknown';

/** Why a Google account was turned away; the page says the same for all of them. */
export type Refusal = 'not_allowed' | 'unverified' | 'wrong_domain';

export type GoogleOutcome =
  /** `cookie` is the pending sign-in, for the caller to set as a signed cookie until `expires`. */
  | { kind: 'redirect'; url: string; cookie: string; expires: number }
  | { kind: 'success'; user: AuraUser; next: string }
  | { kind: 'refused'; reason: Refusal; email: string | null }
  | { kind: 'failed'; reason: string };

/**
 * A sign-in under way: all of it rides in the browser's signed state cookie, so the server
 * keeps nothing per visitor: strangers starting sign-ins can neither fill its memory nor push
 * someone else's sign-in out of it.
 */
export interface PendingSignIn {
  state: string;
  expires: number;
  /** Where to go afterwards (already a safe path, at most 2 KB). */
  next: string;
}

export const encodePending = (p: PendingSignIn): string =>
  Buffer.from(JSON.stringify([p.state, p.expires, p.next])).toString('base64url');

/** The pending sign-in in a state cookie whose signature the caller has checked. */
export function decodePending(value: string | undefined): PendingSignIn | undefined {
  if (!value) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'string')
      return { state: v[0], expires: v[1], next: v[2] };
  } catch {
    // not ours: no pending sign-in
  }
  return undefined;
}

const sameText = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

// eslint-disable-next-line no-control-regex
const capReason = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, MAX_REASON);

type Request = IncomingMessage & { query?: Record<string, unknown>; auraNext?: string; auraPending?: PendingSignIn };

/**
 * Sign-in with Google through passport-google-oauth20's strategy, driven directly (no
 * passport sessions). The OAuth `state` is random, bound to the browser by the signed cookie
 * that carries it (see PendingSignIn), and single-use: a used one is remembered until it expires.
 */
export function googleSignIn(opts: { clientID: string; clientSecret: string; config: AuthConfig; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const { google, allowedEmails } = opts.config;
  /** Used states and when they expire, in the order they were used. */
  const spent = new Map<string, number>();

  /** Marks the state used; false when it already was. */
  const spend = (p: PendingSignIn): boolean => {
    for (const [state, expires] of spent) {
      if (expires >= now() && spent.size < MAX_SPENT) break;
      spent.delete(state);
    }
    if (spent.has(p.state)) return false;
    spent.set(p.state, p.expires);
    return true;
  };

  const stateStore = {
    store(req: Request, _meta: unknown, done: (err: Error | null, state?: string) => void) {
      const state = randomBytes(24).toString('base64url');
      req.auraPending = { state, expires: now() + STATE_TTL_MS, next: req.auraNext ?? '/' };
      done(null, state);
    },
    verify(req: Request, provided: unknown, done: (err: Error | null, ok: boolean, info?: unknown) => void) {
      const p = req.auraPending;
      const ok = !!p && typeof provided === 'string' && sameText(p.state, provided) && p.expires >= now() && spend(p);
      done(null, ok, ok ? { next: p.next } : { message: 'state missing, mismatched, expired or used' });
    },
  };

  const strategyOptions: StrategyOptions = {
    clientID: opts.clientID,
    clientSecret: opts.clientSecret,
    authorizationURL: google.authorizationURL,
    tokenURL: google.tokenURL,
    userProfileURL: google.userProfileURL,
    scope: ['openid', 'email', 'profile'],
    store: stateStore as unknown as StrategyOptions['store'],
  };
  const strategy = new GoogleStrategy(
    strategyOptions,
    (_access: string, _refresh: string, profile: Profile, done: VerifyCallback) => {
      const claims = profile._json as { email?: string; email_verified?: unknown; hd?: string };
      const email = (claims.email ?? profile.emails?.[0]?.value ?? '').trim().toLowerCase();
      const allowed = allowedEmails.find((e) => e.email === email);
      let reason: Refusal | undefined;
      // Google sends a JSON boolean; a missing claim, "true", "yes" or 1 is not a verified address.
      if (claims.email_verified !== true) reason = 'unverified';
      else if (google.hostedDomain && claims.hd?.toLowerCase() !== google.hostedDomain) reason = 'wrong_domain';
      else if (!allowed) reason = 'not_allowed';
      if (reason) return done(null, false, { reason, email: email || null } as never);
      done(null, { username: email, role: allowed!.role, provider: 'google' } satisfies AuraUser as never);
    },
  );

  /** One step of the flow: the redirect to Google, or the outcome of its answer. */
  function authenticate(req: Request, query: Record<string, unknown>, callbackURL: string) {
    req.query = query;
    return new Promise<GoogleOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'failed', reason: 'Google did not answer in time' }), GOOGLE_TIMEOUT_MS);
      const done = (outcome: GoogleOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const run = Object.create(strategy) as GoogleStrategy & Record<string, unknown>;
      run.redirect = (url: string) => {
        const p = req.auraPending!;
        done({ kind: 'redirect', url, cookie: encodePending(p), expires: p.expires });
      };
      run.success = (user: AuraUser, info?: { state?: { next?: string } }) =>
        done({ kind: 'success', user, next: info?.state?.next ?? '/' });
      run.fail = (info?: { reason?: Refusal; email?: string | null; message?: string }) =>
        done(
          info?.reason
            ? { kind: 'refused', reason: info.reason, email: info.email ?? null }
            : { kind: 'failed', reason: capReason(info?.message ?? 'refused by Google') },
        );
      run.error = (err: Error) => done({ kind: 'failed', reason: capReason(err.message) });
      run.pass = () => done({ kind: 'failed', reason: 'nothing to do' });
      run.authenticate(req as never, { callbackURL, ...(google.hostedDomain ? { hostedDomain: google.hostedDomain } : {}) });
    });
  }

  return {
    /** The redirect to Google; `next` must already be a safe path. */
    begin: (req: Request, callbackURL: string, next: string) => {
      req.auraNext = next;
      return authenticate(req, {}, callbackURL);
    },
    /**
     * Google's answer, with the pending sign-in from the state cookie. An error answer (or a
     * stray visit without a code) spends the state, and no new flow starts.
     */
    finish: async (
      req: Request,
      query: Record<string, unknown>,
      callbackURL: string,
      stateCookie?: string,
    ): Promise<GoogleOutcome> => {
      const pending = decodePending(stateCookie);
      if (query.error !== undefined || typeof query.code !== 'string') {
        if (pending && typeof query.state === 'string' && sameText(pending.state, query.state)) spend(pending);
        return {
          kind: 'failed',
          reason: query.error !== undefined ? `Google said ${oauthErrorCode(query.error)}` : 'no authorization code',
        };
      }
      req.auraPending = pending;
      return authenticate(req, query, callbackURL);
    },
  };
}

export type GoogleSignIn = ReturnType<typeof googleSignIn>;
