import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { parse as parseCookies } from 'cookie';
import Keygrip from 'keygrip';
import type { Context, Middleware, Next } from 'koa';
import { z } from 'zod';
import type { AuditLog } from './audit.ts';
import { AuraError, forbidden, unauthenticated } from './errors.ts';
import { isMutating } from './http.ts';
import type { AuraState } from './plugin.ts';
import { verifyPassword, type AdminCredential } from './secrets.ts';
import type { AuraUser, Sessions } from './sessions.ts';
import { validate } from './validate.ts';

export const SESSION_COOKIE = 'aura_session';

export interface AuthOptions {
  sessions: Sessions;
  admin: AdminCredential;
  audit: AuditLog;
  keys: string[];
  /** Origins a browser may send state-changing requests and socket handshakes from. */
  allowedOrigins(): Set<string>;
}

const loginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) }).strict();

function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

function sameText(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Who is calling, from a bearer token or the signed session cookie. The one place that
 * answers this for HTTP and socket handshakes alike, so new login methods slot in here.
 */
export function createAuth(opts: AuthOptions) {
  const { sessions, audit } = opts;

  const keygrip = new Keygrip(opts.keys);
  /** The session id from the cookie Koa signed (same scheme), or undefined if absent or forged. */
  const sessionCookie = (req: IncomingMessage): string | undefined => {
    const jar = parseCookies(req.headers.cookie ?? '');
    const value = jar[SESSION_COOKIE];
    const sig = jar[`${SESSION_COOKIE}.sig`];
    return value && sig && keygrip.verify(`${SESSION_COOKIE}=${value}`, sig) ? value : undefined;
  };

  const identify = (req: IncomingMessage, handshakeToken?: string): { user?: AuraUser; via?: 'cookie' | 'bearer' } => {
    const token = handshakeToken ?? bearerToken(req.headers.authorization);
    if (token) return { user: sessions.lookup(token, 'bearer'), via: 'bearer' };
    const cookie = sessionCookie(req);
    return cookie ? { user: sessions.lookup(cookie, 'cookie'), via: 'cookie' } : {};
  };

  /** Cookies ride along on cross-site requests; an Origin check stops those from changing state. */
  const checkOrigin = (ctx: Context) => {
    const origin = ctx.get('origin');
    if (!origin || !opts.allowedOrigins().has(origin))
      throw new AuraError(403, 'ORIGIN_REFUSED', "This request did not come from Aura's own pages.");
  };

  /** Requires a signed-in user; mutating requests need the admin role. */
  const requireUser: Middleware<AuraState> = async (ctx, next: Next) => {
    const { user, via } = identify(ctx.req);
    if (!user) throw unauthenticated();
    ctx.state.user = user;
    if (isMutating(ctx.method)) {
      if (via === 'cookie') checkOrigin(ctx as unknown as Context);
      if (user.role !== 'admin') throw forbidden();
    }
    await next();
  };

  const requireAdmin: Middleware<AuraState> = async (ctx, next) => {
    if (ctx.state.user?.role !== 'admin') throw forbidden();
    await next();
  };

  const router = new Router<AuraState>({ prefix: '/auth' });
  router.post('/login', async (ctx) => {
    const body = validate(loginBody, ctx.request.body ?? {});
    const ok = sameText(body.username, opts.admin.username) && (await verifyPassword(body.password, opts.admin.passwordHash));
    if (!ok) {
      await audit.record({ user: body.username, action: 'auth.login', result: 'failure', detail: 'wrong username or password' });
      throw new AuraError(401, 'INVALID_CREDENTIALS', 'Wrong username or password.');
    }
    const user: AuraUser = { username: opts.admin.username, role: 'admin' };
    await sessions.destroy(sessionCookie(ctx.req));
    const cookie = await sessions.create(user, 'cookie');
    const bearer = await sessions.create(user, 'bearer');
    ctx.cookies.set(SESSION_COOKIE, cookie.id, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      signed: true,
      path: '/',
      expires: new Date(cookie.expiresAt),
    });
    await audit.record({ user: user.username, action: 'auth.login', result: 'success', detail: 'local' });
    ctx.body = { token: bearer.id, expiresAt: new Date(bearer.expiresAt).toISOString(), user };
  });

  router.post('/logout', async (ctx) => {
    const { user } = identify(ctx.req);
    if (user && !bearerToken(ctx.get('authorization'))) checkOrigin(ctx as unknown as Context);
    await sessions.destroy(bearerToken(ctx.get('authorization')) ?? sessionCookie(ctx.req));
    ctx.cookies.set(SESSION_COOKIE, null, { path: '/', signed: true });
    if (user) await audit.record({ user: user.username, action: 'auth.logout', result: 'success' });
    ctx.status = 204;
  });

  router.get('/me', requireUser, (ctx) => {
    ctx.body = { user: ctx.state.user };
  });

  return { identify, requireUser, requireAdmin, router };
}

export type Auth = ReturnType<typeof createAuth>;
