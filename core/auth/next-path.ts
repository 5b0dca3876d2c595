import { hasControlCharacters } from '../validate.ts';

/** The longest `next` kept; a longer one lands on `/` (it rides in the sign-in cookie). */
export const MAX_NEXT_LENGTH = 2048;

const BASE = 'http://aura.invalid';

/**
 * Where to go after sign-in: only a path on this origin. Absolute URLs, `//host`, `/\host`,
 * `javascript:`, anything with control characters or longer than MAX_NEXT_LENGTH land on `/`.
 * The check is made on the path as the browser will read it, after dot segments are resolved:
 * `/.//evil.example` or `/a/..//evil.example` is `//evil.example`, another host.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > MAX_NEXT_LENGTH || !next.startsWith('/')) return '/';
  if (hasControlCharacters(next) || next.includes('\\')) return '/';
  const url = new URL(next, BASE);
  const out = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === BASE && out.startsWith('/') && !out.startsWith('//') && out.length <= MAX_NEXT_LENGTH ? out : '/';
}
