import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { z } from 'zod';
import type { AuditLog } from '../audit.ts';
import { DEFAULT_MAX_TOKEN_DAYS, type AuthConfig } from '../config.ts';
import { badRequest, coreErrors, forbidden, unauthenticated } from '../errors.ts';
import { isMutating } from '../http.ts';
import type { AuraState } from '../plugin.ts';
import { credentialEpoch, decoyHash, verifyPassword, type AdminCredential } from '../secrets.ts';
import type { AuraUser, Sessions } from '../sessions.ts';
import { routeInput } from '../validate.ts';
import { OAUTH_STATE_COOKIE, SESSION_COOKIE, signedCookies } from './cookies.ts';
import { googleSignIn } from './google.ts';
import { safeNextPath } from './next-path.ts';
import { loginThrottle } from './throttle.ts';
import { PersonalTokens } from './tokens.ts';

export { SESSION_COOKIE } from './cookies.ts';

/** The only routes open without signing in; every other route refuses strangers with 401. */
export const PUBLIC_ROUTES = new Set([
  'GET /api/health',
  'GET /auth/providers',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /logout',
  'GET /login/google',
  'GET /login/google/authorized',
  // The reference page and its scripts are static; it sends strangers to sign in, and the
  // document it reads (GET /api/openapi.json) is for signed-in users.
  'GET /api-reference',
  'GET /api-reference/:file',
]);

export interface AuthOptions {
  config: AuthConfig;
  sessions: Sessions;
  tokens: PersonalTokens;
  admin: AdminCredential;
  google?: { clientID: string; clientSecret: string };
  audit: AuditLog;
  keys: string[];
  /** Origins a browser may send state-changing requests and socket handshakes from. */
  allowedOrigins(): Set<string>;
  /** publicUrl, or the listen address: where Google sends people back to. Never the Host header. */
  baseUrl(): string;
  /** session.maxTokenDays: the longest life a personal API token may be given. */
  maxTokenDays?: number;
}

/** Who is calling, and with what. */
export interface Identity {
  user?: AuraUser;
  via?: 'cookie' | 'bearer';
  /** A bearer or API token's end: tokens made with it may not outlive it. */
  expiresAt?: number;
  /** The API token's id, when the caller used one. */
  tokenId?: string;
}

const DAY_MS = 86_400_000;

const loginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) }).strict();
const tokenBody = z.object({ name: z.string().trim().min(1).max(64), expiresInDays: z.number().int().min(1) }).strict();

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

/** Compares in a time that depends on neither text: their digests have one length. */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Who is calling and what they may do. The one place that answers it for HTTP routes,
 * socket handshakes and agent tools: the local admin, allowlisted Google accounts, session
 * cookies, short-lived bearer tokens and personal API tokens all end up as an AuraUser here.
 */
export function createAuth(opts: AuthOptions) {
  const { sessions, tokens, audit, config } = opts;
  const now = sessions.now;
  const maxTokenDays = opts.maxTokenDays ?? DEFAULT_MAX_TOKEN_DAYS;
  const cookies = signedCookies(opts.keys);
  const throttle = loginThrottle(config.throttle, now);
  const google = opts.google ? googleSignIn({ ...opts.google, config, now }) : undefined;
  const localEnabled = config.local.enabled ?? !google;
  const callbackURL = () => `${opts.baseUrl()}/login/google/authorized`;

  // The local admin's sessions and tokens live only as long as the admin password they were
  // made under: a new ADMIN_PASSWORD ends them all. Google accounts answer to Google for that.
  const adminEpoch = credentialEpoch(opts.admin);
  const epochOf = (user: AuraUser) => (user.provider === 'google' ? '' : adminEpoch);
  sessions.bindCredentials(epochOf);
  tokens.bindCredentials(epochOf);

  /** What an unknown username's password is checked against: as slow as the real one, matched by nothing. */
  const decoy = decoyHash(opts.admin.passwordHash);
  /** An unknown username may be a password typed in the wrong box: the audit keeps only this keyed digest of it. */
  const nameTag = (name: string) =>
    createHmac('sha256', opts.keys[0]!).update('aura audit username\0').update(name).digest('hex').slice(0, 8);

  /**
   * A user keeps access only while the config still lets them in: a Google account while the
   * allowlist has it (with the role it gives now), the local admin while local login is on.
   */
  const current = (user: AuraUser | undefined): AuraUser | undefined => {
    if (!user) return undefined;
    if (user.provider !== 'google') return localEnabled && user.username === opts.admin.username ? user : undefined;
    const entry = config.allowedEmails.find((e) => e.email === user.username);
    return entry ? { ...user, role: entry.role } : undefined;
  };

  const identify = (req: IncomingMessage, handshakeToken?: string): Identity => {
    const token = handshakeToken ?? bearerToken(req.headers.authorization);
    if (token) {
      if (PersonalTokens.looksLikeToken(token)) {
        const found = tokens.find(token);
        const user = current(found?.owner);
        return user ? { user, via: 'bearer', expiresAt: found!.expiresAt, tokenId: found!.id } : { via: 'bearer' };
      }
      const found = sessions.find(token, 'bearer');
      const user = current(found?.user);
      return user ? { user, via: 'bearer', expiresAt: found!.expiresAt } : { via: 'bearer' };
    }
    const cookie = cookies.read(req, SESSION_COOKIE);
    return cookie ? { user: current(sessions.lookup(cookie, 'cookie')), via: 'cookie' } : {};
  };

  const isAllowedOrigin = (origin: string | undefined) => !!origin && opts.allowedOrigins().has(origin);

  /** Cookies ride along on cross-site requests; an Origin check stops those from changing state. */
  const checkOrigin = (ctx: Context) => {
    if (!isAllowedOrigin(ctx.get('origin'))) throw coreErrors.ORIGIN_REFUSED("This request did not come from Aura's own pages.");
  };

  const deny = async (ctx: Context, user: AuraUser): Promise<never> => {
    await audit.record({
      user: user.username,
      action: 'auth.denied',
      target: `${ctx.method} ${ctx.path}`,
      result: 'failure',
      detail: `role ${user.role}`,
    });
    throw forbidden();
  };

  const signedIn =
    (viewersMayChange: boolean): Middleware<AuraState> =>
    async (ctx, next: Next) => {
      const { user, via } = identify(ctx.req);
      if (!user) throw unauthenticated();
      ctx.state.user = user;
      if (isMutating(ctx.method)) {
        if (via === 'cookie') checkOrigin(ctx as unknown as Context);
        if (user.role !== 'admin' && !viewersMayChange) await deny(ctx as unknown as Context, user);
      }
      await next();
    };
  /** Requires a signed-in user; mutating requests need the admin role (and, with a cookie, our Origin). */
  const requireUser = signedIn(false);
  /** The same, but a viewer may send changes too: for a plugin's viewerRoutes, which touch only the caller's own things. */
  const requireMember = signedIn(true);

  const requireAdmin: Middleware<AuraState> = async (ctx, next) => {
    if (ctx.state.user?.role !== 'admin') await deny(ctx as unknown as Context, ctx.state.user!);
    await next();
  };

  /** A new session id at every sign-in (no fixation); the one the browser had is ended. */
  async function startSession(ctx: Context, user: AuraUser) {
    await sessions.destroy(cookies.read(ctx.req, SESSION_COOKIE));
    const session = await sessions.create(user, 'cookie');
    cookies.write(ctx, SESSION_COOKIE, session.id, new Date(session.expiresAt));
    return session;
  }

  /** Ends the calling session (a personal API token is revoked on its page, not here). */
  async function endSession(ctx: Context) {
    const token = bearerToken(ctx.get('authorization'));
    if (token && PersonalTokens.looksLikeToken(token)) return;
    const { user } = identify(ctx.req);
    await sessions.destroy(token ?? cookies.read(ctx.req, SESSION_COOKIE));
    cookies.write(ctx, SESSION_COOKIE, null);
    if (user) await audit.record({ user: user.username, action: 'auth.logout', result: 'success' });
  }

  const router = new Router<AuraState>();

  router.get('/auth/providers', (ctx) => {
    ctx.body = { local: localEnabled, google: !!google };
  });

  const loginInput = routeInput({
    summary: 'Signs in with the local admin login: a session cookie and a bearer token.',
    body: loginBody,
  });
  const localLoginOn: Middleware = (ctx, next) => {
    if (ctx.get('origin')) checkOrigin(ctx as unknown as Context);
    if (!localEnabled) throw coreErrors.LOCAL_LOGIN_DISABLED('Sign in with Google; the local login is turned off.');
    return next();
  };
  router.post('/auth/login', localLoginOn, loginInput, async (ctx) => {
    const body = loginInput.body(ctx);
    const wait = throttle.attempt(ctx.ip, body.username);
    if (wait) {
      ctx.set('Retry-After', String(wait));
      throw coreErrors.TOO_MANY_ATTEMPTS(`Too many failed sign-ins from your address; try again in ${wait} s.`, {
        retryAfter: wait,
      });
    }
    // One scrypt whether or not the username is right, so the time taken does not tell which.
    const knownName = sameText(body.username, opts.admin.username);
    const passwordOk = await verifyPassword(body.password, knownName ? opts.admin.passwordHash : decoy);
    if (!knownName || !passwordOk) {
      await audit.record({
        user: knownName ? opts.admin.username : null,
        action: 'auth.login',
        result: 'failure',
        detail: knownName ? 'local: wrong password' : `local: unknown username #${nameTag(body.username)}`,
        source: ctx.ip,
      });
      throw coreErrors.INVALID_CREDENTIALS('Wrong username or password.');
    }
    throttle.succeeded(ctx.ip, body.username);
    const user: AuraUser = { username: opts.admin.username, role: 'admin', provider: 'local' };
    const session = await startSession(ctx as unknown as Context, user);
    // Tied to the browser session: signing out ends both.
    const bearer = await sessions.create(user, 'bearer', session.id);
    await audit.record({ user: user.username, action: 'auth.login', result: 'success', detail: 'local' });
    ctx.body = { token: bearer.id, expiresAt: new Date(bearer.expiresAt).toISOString(), user };
  });

  const logoutPost: Middleware<AuraState> = async (ctx) => {
    if (!bearerToken(ctx.get('authorization')) && identify(ctx.req).user) checkOrigin(ctx as unknown as Context);
    await endSession(ctx as unknown as Context);
    ctx.status = 204;
  };
  // POST only: a GET can come from any page (a link, an image), and must not sign anyone out.
  router.post('/auth/logout', logoutPost);
  router.post('/logout', logoutPost);

  /** Sign out everywhere: every session and bearer token of the caller, and their API tokens. */
  router.post('/api/sessions/revoke-all', requireUser, requireAdmin, async (ctx) => {
    const user = ctx.state.user!;
    const ended = await sessions.destroyAllOf(user);
    const revoked = await tokens.revokeAllOf(user.username);
    cookies.write(ctx as unknown as Context, SESSION_COOKIE, null);
    await audit.record({
      user: user.username,
      action: 'auth.sessions.revoke-all',
      result: 'success',
      detail: `${plural(ended, 'session')}, ${plural(revoked, 'API token')}`,
    });
    ctx.body = { sessions: ended, tokens: revoked };
  });

  router.get('/auth/me', requireUser, (ctx) => {
    ctx.body = { user: ctx.state.user };
  });

  router.get('/login/google', async (ctx) => {
    if (!google) throw coreErrors.GOOGLE_NOT_CONFIGURED('Google sign-in is not configured.');
    const outcome = await google.begin(ctx.req, callbackURL(), safeNextPath(ctx.query.next));
    if (outcome.kind !== 'redirect')
      throw coreErrors.GOOGLE_ERROR(
        `Google sign-in could not start: ${outcome.kind === 'success' ? 'unexpected answer' : outcome.reason}`,
      );
    cookies.write(ctx as unknown as Context, OAUTH_STATE_COOKIE, outcome.cookie, new Date(outcome.expires));
    ctx.redirect(outcome.url);
  });

  router.get('/login/google/authorized', async (ctx) => {
    if (!google) throw coreErrors.GOOGLE_NOT_CONFIGURED('Google sign-in is not configured.');
    const stateCookie = cookies.read(ctx.req, OAUTH_STATE_COOKIE);
    cookies.write(ctx as unknown as Context, OAUTH_STATE_COOKIE, null);
    const outcome = await google.finish(ctx.req, { ...ctx.query }, callbackURL(), stateCookie);
    if (outcome.kind === 'success') {
      await startSession(ctx as unknown as Context, outcome.user);
      await audit.record({
        user: outcome.user.username,
        action: 'auth.login',
        result: 'success',
        detail: `google, role ${outcome.user.role}`,
      });
      return ctx.redirect(safeNextPath(outcome.next));
    }
    const user = outcome.kind === 'refused' ? outcome.email : null;
    const reason = outcome.kind === 'redirect' ? 'unexpected redirect' : outcome.reason;
    await audit.record({ user, action: 'auth.login', result: 'failure', detail: `google: ${reason}`, source: ctx.ip });
    ctx.redirect(`/login?error=${outcome.kind === 'refused' ? 'not_allowed' : 'google_failed'}`);
  });

  /**
   * A token lives at most maxTokenDays. One made with a bearer or API token may not outlive
   * it, and is revoked with that API token: a stolen token cannot make itself a longer life.
   */
  const tokenInput = routeInput({ summary: 'Makes a personal API token; its secret is shown once.', body: tokenBody });
  router.post('/api/tokens', requireUser, requireAdmin, tokenInput, async (ctx) => {
    const body = tokenInput.body(ctx);
    if (body.expiresInDays > maxTokenDays)
      throw badRequest(`A token may live at most ${maxTokenDays} days (session.maxTokenDays).`);
    const caller = identify(ctx.req);
    if (caller.via !== 'cookie' && !(now() + body.expiresInDays * DAY_MS <= (caller.expiresAt ?? 0)))
      throw badRequest(
        `A token made with a bearer or API token may not outlive it (that one ends ${new Date(caller.expiresAt ?? 0).toISOString()}); ` +
          'sign in with a browser to make a longer-lived one.',
      );
    const created = await tokens.create(ctx.state.user!, body.name, body.expiresInDays, { parent: caller.tokenId });
    await audit.record({
      user: ctx.state.user!.username,
      action: 'auth.token.create',
      target: `${created.id} (${body.name})`,
      result: 'success',
    });
    ctx.status = 201;
    ctx.body = { ...created.info, token: created.token };
  });
  router.get('/api/tokens', requireUser, requireAdmin, (ctx) => {
    ctx.body = tokens.list(ctx.state.user!.username);
  });
  router.delete('/api/tokens/:id', requireUser, requireAdmin, async (ctx) => {
    const id = ctx.params.id!;
    if (!(await tokens.revoke(ctx.state.user!.username, id))) throw coreErrors.TOKEN_NOT_FOUND(`You have no token "${id}".`);
    await audit.record({ user: ctx.state.user!.username, action: 'auth.token.revoke', target: id, result: 'success' });
    ctx.status = 204;
  });

  return { identify, isAllowedOrigin, requireUser, requireMember, requireAdmin, router };
}

export type Auth = ReturnType<typeof createAuth>;
