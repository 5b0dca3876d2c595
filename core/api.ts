import Router from '@koa/router';
import { z } from 'zod';
import type { AuditLog } from './audit.ts';
import type { Auth } from './auth/index.ts';
import type { AvailabilityCache } from './availability.ts';
import type { Hosts } from './hosts/index.ts';
import { openApiDocument, type DocumentedRoute } from './openapi.ts';
import type { Prometheus } from './prometheus.ts';
import type { PluginRecord } from './loader.ts';
import type { Redact } from './redact.ts';
import type { AuraState } from './plugin.ts';
import type { ToolRegistry } from './tools.ts';
import { routeInput } from './validate.ts';
import { CORE_VERSION } from './version.ts';

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional(),
});

const STATUS_TIMEOUT_MS = 5_000;

/** The core's own routes: health (public), and plugins, servers, availability, audit and tools. */
export function coreApi(opts: {
  auth: Auth;
  hosts: Hosts;
  audit: AuditLog;
  tools: ToolRegistry;
  availability: AvailabilityCache;
  plugins: () => PluginRecord[];
  redact: Redact;
  prometheus: Prometheus;
  /** Every mounted route, for the OpenAPI document. */
  routes: () => DocumentedRoute[];
  /** Where this Aura's settings and data live: for admins, to say which file to edit. */
  about: { configFiles: string[]; dataDir: string; maxTokenDays: number };
}) {
  const { auth, hosts, availability } = opts;
  const health = new Router<AuraState>();
  const startedAt = performance.now();
  /**
   * For load balancers and monitors: anyone gets `{ status }` ("degraded" while a plugin that is
   * on has failed; the answer is 200 either way, as Aura itself serves). A signed-in caller (or
   * a token, for a monitoring script) also gets the version, the uptime and the plugins' states.
   */
  health.get('/api/health', (ctx) => {
    const records = opts.plugins();
    const failed = records.filter((r) => r.state === 'failed').map((r) => r.id);
    const status = failed.length ? 'degraded' : 'ok';
    if (!auth.identify(ctx.req).user) {
      ctx.body = { status };
      return;
    }
    ctx.body = {
      status,
      version: CORE_VERSION,
      uptimeSeconds: Math.floor((performance.now() - startedAt) / 1000),
      plugins: { started: records.filter((r) => r.state === 'started').map((r) => r.id), failed },
    };
  });

  const api = new Router<AuraState>({ prefix: '/api' });
  api.get('/plugins', auth.requireUser, (ctx) => {
    ctx.body = opts.plugins().map((r) => ({
      id: r.id,
      version: r.definition?.version ?? null,
      title: r.definition?.title ?? r.id,
      scope: r.definition?.scope ?? null,
      nav: r.state === 'started' ? (r.definition?.nav ?? null) : null,
      enabled: r.enabled,
      state: r.state,
      // A failure's words may name paths and hosts: for admins only, and never a secret.
      error: r.error && ctx.state.user!.role === 'admin' ? opts.redact(r.error) : null,
      code: r.code ?? null,
    }));
  });
  api.get('/about', auth.requireUser, (ctx) => {
    ctx.body = { version: CORE_VERSION, ...(ctx.state.user!.role === 'admin' ? opts.about : {}) };
  });
  api.get('/servers', auth.requireUser, (ctx) => {
    ctx.body = hosts.list();
  });
  /** Whether each started plugin can work on this server, and if not, why. */
  api.get('/servers/:serverId/plugins', auth.requireUser, async (ctx) => {
    const { server } = hosts.resolve(ctx.params.serverId!);
    const started = opts.plugins().filter((r) => r.state === 'started');
    ctx.body = await Promise.all(
      started.map(async (r) => ({
        id: r.id,
        ...(r.definition!.scope === 'host' ? await availability.of(r.id, server.id) : { available: true, reason: null }),
      })),
    );
  });
  /** Whether the server answers at all (the switcher's dot): a no-op command, briefly. */
  api.get('/servers/:serverId/status', auth.requireUser, async (ctx) => {
    const { host } = hosts.resolve(ctx.params.serverId!);
    const gone = new AbortController(); // a client that hangs up ends the check
    ctx.res.once('close', () => ctx.res.writableFinished || gone.abort());
    try {
      const { exitCode, stderr } = await host.run(['true'], { timeoutMs: STATUS_TIMEOUT_MS, signal: gone.signal });
      ctx.body =
        exitCode === 0 ? { reachable: true, detail: null } : { reachable: false, detail: stderr.trim() || `exit ${exitCode}` };
    } catch (err) {
      ctx.body = { reachable: false, detail: opts.redact(err instanceof Error ? err.message : String(err)) };
    }
  });
  const auditInput = routeInput({ summary: 'The audit log, newest first, a page at a time.', query: auditQuery });
  api.get('/audit', auth.requireUser, auditInput, async (ctx) => {
    ctx.body = await opts.audit.page(auditInput.query(ctx));
  });
  api.get('/tools', auth.requireUser, (ctx) => {
    ctx.body = opts.tools.list();
  });
  /** What every mounted route accepts and answers, as OpenAPI 3.1 (the reference page reads it). */
  api.get('/openapi.json', auth.requireUser, (ctx) => {
    ctx.body = openApiDocument(opts.routes());
  });
  /** Prometheus scrapes this with an API token as its bearer (see README). */
  const scrape = new Router<AuraState>();
  scrape.get('/metrics', auth.requireUser, async (ctx) => {
    const started = new Set(
      opts
        .plugins()
        .filter((r) => r.state === 'started')
        .map((r) => r.id),
    );
    const { contentType, text } = await opts.prometheus.exposition((id) => started.has(id));
    ctx.type = contentType;
    ctx.body = text;
  });
  return [health, api, scrape];
}
