import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { notFound, toErrorBody } from './errors.ts';
import type { Logger } from './logger.ts';
import type { AuraState } from './plugin.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Whether a request may change state: what roles, Origin checks, audit and logging key on. */
export const isMutating = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Request id (kept from Nginx's X-Request-Id when sane), one log line per request, errors as JSON. */
export function requestPipeline(log: Logger): Middleware<AuraState> {
  return async (ctx, next) => {
    const started = performance.now();
    const incoming = ctx.get('x-request-id');
    const requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
      // Nothing answered: an API path, or a change sent to a page (the UI only serves GET).
      if (ctx.status === 404 && ctx.body == null && (isApiPath(ctx.path) || isMutating(ctx.method)))
        throw notFound(`No route for ${ctx.method} ${ctx.path.slice(0, 200)}.`);
    } catch (err) {
      const { status, body, internal } = toErrorBody(err);
      if (internal) log.error({ err, requestId, method: ctx.method, path: ctx.path.slice(0, 300) }, 'request failed');
      ctx.status = status;
      ctx.body = body;
    }
    // Reads that succeed are Nginx's access log's business; changes and failures are ours.
    const level =
      ctx.status >= 500 ? 'error' : ctx.status === 405 ? 'debug' : ctx.status >= 400 || isMutating(ctx.method) ? 'info' : 'debug';
    if (log.isLevelEnabled(level)) {
      const ms = Math.round(performance.now() - started);
      log[level](
        { requestId, method: ctx.method, path: ctx.path.slice(0, 300), status: ctx.status, ms, user: ctx.state.user?.username },
        'request',
      );
    }
  };
}

export const isApiPath = (p: string) => p.startsWith('/api/') || p === '/api' || p.startsWith('/auth/');

/**
 * The UI is self-contained: scripts only from us (plus the hashes of the page's inline
 * bootstrap). JSON answers get the strictest policy, which also keeps them small.
 */
export function securityHeaders(scriptHashes: string[]): Middleware {
  const pagePolicy = [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.map((h) => ` '${h}'`).join('')}`,
    // Style attributes only (SvelteKit's route announcer has one); <style> and CSS files stay self-only.
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const apiPolicy = "default-src 'none'; frame-ancestors 'none'";
  return async (ctx, next) => {
    ctx.set({
      'Content-Security-Policy': isApiPath(ctx.path) ? apiPolicy : pagePolicy,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), payment=(), interest-cohort=()',
    });
    if (!isApiPath(ctx.path)) ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    // Behind TLS (directly, or X-Forwarded-Proto from a trusted proxy): browsers stay on https.
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    await next();
  };
}
