import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Strategy as GoogleStrategy, type Profile, type StrategyOptions, type VerifyCallback } from 'passport-google-oauth20';
import type { AuthConfig } from '../config.ts';
import type { AuraUser } from '../sessions.ts';

const STATE_TTL_MS = 10 * 60_000;
/** Sign-ins under way at once; past this the oldest is forgotten (anyone may start one). */
const MAX_PENDING = 10_000;
/** How long Google may take to answer the token and profile requests. */
const GOOGLE_TIMEOUT_MS = 15_000;

/** Why a Google account was turned away; the page says the same for all of them. */
export type Refusal = 'not_allowed' | 'unverified' | 'wrong_domain';

export type GoogleOutcome =
  | { kind: 'redirect'; url: string; state: string }
  | { kind: 'success'; user: AuraUser; next: string }
  | { kind: 'refused'; reason: Refusal; email: string | null }
  | { kind: 'failed'; reason: string };

type Request = IncomingMessage & { query?: Record<string, unknown>; auraState?: string; auraStateCookie?: string };

/**
 * Sign-in with Google through passport-google-oauth20's strategy, driven directly (no
 * passport sessions): the OAuth `state` is single-use, kept here with the page to return to,
 * and bound to the browser by a signed cookie the caller sets.
 */
export function googleSignIn(opts: { clientID: string; clientSecret: string; config: AuthConfig; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const { google, allowedEmails } = opts.config;
  const pending = new Map<string, { expires: number; next: string }>();

  const stateStore = {
    store(req: Request, _meta: unknown, done: (err: Error | null, state?: string) => void) {
      // A Map iterates in insertion order, which is expiry order: prune from the front only.
      for (const [k, v] of pending) {
        if (v.expires >= now() && pending.size < MAX_PENDING) break;
        pending.delete(k);
      }
      const state = randomBytes(24).toString('base64url');
      pending.set(state, { expires: now() + STATE_TTL_MS, next: '/' });
      req.auraState = state;
      done(null, state);
    },
    verify(req: Request, provided: string, done: (err: Error | null, ok: boolean, info?: unknown) => void) {
      const entry = provided ? pending.get(provided) : undefined;
      if (provided) pending.delete(provided);
      const ok = !!entry && entry.expires >= now() && req.auraStateCookie === provided;
      done(null, ok, ok ? { next: entry.next } : { message: 'state missing, mismatched, expired or used' });
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
      const claims = profile._json as { email?: string; email_verified?: boolean | string; hd?: string };
      const email = (claims.email ?? profile.emails?.[0]?.value ?? '').trim().toLowerCase();
      const allowed = allowedEmails.find((e) => e.email === email);
      let reason: Refusal | undefined;
      if (claims.email_verified !== true && claims.email_verified !== 'true') reason = 'unverified';
      else if (google.hostedDomain && claims.hd?.toLowerCase() !== google.hostedDomain) reason = 'wrong_domain';
      else if (!allowed) reason = 'not_allowed';
      if (reason) return done(null, false, { reason, email: email || null } as never);
      done(null, { username: email, role: allowed!.role, provider: 'google' } satisfies AuraUser as never);
    },
  );

  /** One step of the flow: the redirect to Google, or the outcome of its answer. */
  function authenticate(req: Request, query: Record<string, unknown>, callbackURL: string, stateCookie?: string) {
    req.query = query;
    req.auraStateCookie = stateCookie;
    return new Promise<GoogleOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'failed', reason: 'Google did not answer in time' }), GOOGLE_TIMEOUT_MS);
      const done = (outcome: GoogleOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const run = Object.create(strategy) as GoogleStrategy & Record<string, unknown>;
      run.redirect = (url: string) => done({ kind: 'redirect', url, state: req.auraState! });
      run.success = (user: AuraUser, info?: { state?: { next?: string } }) =>
        done({ kind: 'success', user, next: info?.state?.next ?? '/' });
      run.fail = (info?: { reason?: Refusal; email?: string | null; message?: string }) =>
        done(
          info?.reason
            ? { kind: 'refused', reason: info.reason, email: info.email ?? null }
            : { kind: 'failed', reason: info?.message ?? 'refused by Google' },
        );
      run.error = (err: Error) => done({ kind: 'failed', reason: err.message });
      run.pass = () => done({ kind: 'failed', reason: 'nothing to do' });
      run.authenticate(req as never, { callbackURL, ...(google.hostedDomain ? { hostedDomain: google.hostedDomain } : {}) });
    });
  }

  return {
    begin: (req: Request, callbackURL: string, next: string) =>
      authenticate(req, {}, callbackURL).then((outcome) => {
        if (outcome.kind === 'redirect') pending.get(outcome.state)!.next = next;
        return outcome;
      }),
    /** Google's answer. Without a code (an error, or a stray visit) the state is spent, and no new flow starts. */
    finish: async (
      req: Request,
      query: Record<string, unknown>,
      callbackURL: string,
      stateCookie?: string,
    ): Promise<GoogleOutcome> => {
      if (typeof query.code !== 'string') {
        if (typeof query.state === 'string') pending.delete(query.state);
        return {
          kind: 'failed',
          reason: typeof query.error === 'string' ? `Google said ${query.error}` : 'no authorization code',
        };
      }
      return authenticate(req, query, callbackURL, stateCookie);
    },
  };
}

export type GoogleSignIn = ReturnType<typeof googleSignIn>;
