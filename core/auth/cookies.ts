import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';
import Keygrip from 'keygrip';
import type { Context } from 'koa';

export const SESSION_COOKIE = 'aura_session';
export const OAUTH_STATE_COOKIE = 'aura_oauth_state';

/**
 * Signed cookies, written through Koa and read back from any request (HTTP or a socket
 * handshake) with the same keys. Lax: the session must survive the redirect back from
 * Google; cross-site changes are stopped by the Origin check instead.
 */
export function signedCookies(keys: string[]) {
  const keygrip = new Keygrip(keys);
  return {
    read(req: IncomingMessage, name: string): string | undefined {
      const jar = parseCookies(req.headers.cookie ?? '');
      const value = jar[name];
      const sig = jar[`${name}.sig`];
      return value && sig && keygrip.verify(`${name}=${value}`, sig) ? value : undefined;
    },
    write(ctx: Context, name: string, value: string | null, expires?: Date): void {
      ctx.cookies.set(name, value, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, signed: true, path: '/', expires });
    },
  };
}

export type SignedCookies = ReturnType<typeof signedCookies>;
