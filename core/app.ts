import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { z } from 'zod';
import { openAuditLog } from './audit.ts';
import { AuraError } from './errors.ts';
import { createAuth } from './auth/index.ts';
import { PersonalTokens } from './auth/tokens.ts';
import { ConfigError, type CoreConfig } from './config.ts';
import { createHosts } from './hosts/index.ts';
import { isApiPath, isMutating, requestPipeline, securityHeaders } from './http.ts';
import {
  discoverPlugins,
  loadPlugins,
  pluginFolders,
  orderByDependencies,
  startPlugin,
  type PluginMount,
  type PluginRecord,
} from './loader.ts';
import { createLogger, type Logger } from './logger.ts';
import type { AuraState, PluginContext, PluginRouter } from './plugin.ts';
import { resolveAdmin, sessionSecret, type Secrets } from './secrets.ts';
import { Sessions } from './sessions.ts';
import { createSocketHub } from './sockets.ts';
import { openStore } from './store.ts';
import { ToolRegistry } from './tools.ts';
import { inlineScriptHashes, serveUi } from './ui.ts';
import { validate } from './validate.ts';
import { CORE_VERSION } from './version.ts';

export interface AuraOptions {
  config: CoreConfig;
  /** The checkout: plugins/ and ui/ live here; relative config paths resolve from here. */
  rootDir: string;
  secrets: Secrets;
  /** The built UI to serve; defaults to <rootDir>/ui/build. */
  uiOutDir?: string;
  logger?: Logger;
  /** Production refuses to start without a strong SESSION_SECRET; default: NODE_ENV=production. */
  production?: boolean;
  /** The clock sessions and tokens expire by; tests move it forward. */
  now?: () => number;
  /** How often open sockets' sessions are checked again (default 15 s). */
  socketRecheckMs?: number;
}

export interface Aura {
  url: string;
  server: Server;
  plugins: PluginRecord[];
  tools: ToolRegistry;
  /** Printed once by the CLI when the first start generated the admin password. */
  generatedAdminPassword?: string;
  /** Every plugin socket namespace (`/<id>`), for tests that must cover all of them. */
  socketNamespaces(): string[];
  /** Every HTTP route as `METHOD path`, for tests that must cover all of them. */
  routes(): { method: string; path: string }[];
  close(): Promise<void>;
}

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).optional(),
});

export async function startAura(opts: AuraOptions): Promise<Aura> {
  const { config, rootDir, secrets } = opts;
  const log = opts.logger ?? createLogger(config.log.level);
  const dataDir = path.resolve(rootDir, config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const discovered = discoverPlugins(pluginFolders(rootDir, config));
  const loaded = await loadPlugins(discovered.found, config.plugins, CORE_VERSION);
  const problems = [...discovered.problems, ...loaded.problems];
  if (problems.length) throw new ConfigError(problems);

  const store = await openStore(dataDir);
  const audit = await openAuditLog(dataDir, config.audit);
  const admin = await resolveAdmin(secrets, dataDir);
  const sessionKey = sessionSecret(secrets, dataDir, opts.production ?? process.env.NODE_ENV === 'production');
  const sessions = new Sessions(
    store,
    {
      idleMs: config.session.idleMinutes * 60_000,
      absoluteMs: config.session.absoluteHours * 3_600_000,
      bearerMs: config.session.tokenMinutes * 60_000,
    },
    opts.now,
  );
  const hosts = await createHosts(config, rootDir, log);
  const tools = new ToolRegistry(hosts, audit);

  let origins = new Set<string>();
  let baseUrl = '';
  const google =
    secrets.googleClientId && secrets.googleClientSecret
      ? { clientID: secrets.googleClientId, clientSecret: secrets.googleClientSecret }
      : undefined;
  const auth = createAuth({
    config: config.auth,
    sessions,
    tokens: new PersonalTokens(store, opts.now),
    admin,
    google,
    audit,
    keys: [sessionKey],
    allowedOrigins: () => origins,
    baseUrl: () => baseUrl,
  });

  // maxIpsCount 1: only the address our proxy appended to X-Forwarded-For, never one the client wrote.
  const app = new Koa<AuraState>({ proxy: config.trustProxy, maxIpsCount: 1, keys: [sessionKey] });
  // Koa composes its middleware when callback() is called, which must wait until all is
  // registered; socket.io must attach first to take its own requests.
  const server = createServer((req, res) => handle(req, res));
  const sockets = createSocketHub(server, { auth, hosts, audit, log, recheckMs: opts.socketRecheckMs });
  const uiOutDir = opts.uiOutDir ?? path.join(rootDir, 'ui', 'build');
  const scriptHashes = inlineScriptHashes(uiOutDir);

  const core = new Router<AuraState>();
  core.get('/api/health', (ctx) => {
    ctx.body = { status: 'ok', version: CORE_VERSION };
  });
  const api = new Router<AuraState>({ prefix: '/api' });
  api.get('/plugins', auth.requireUser, (ctx) => {
    ctx.body = loaded.records.map((r) => ({
      id: r.id,
      version: r.definition?.version ?? null,
      title: r.definition?.title ?? r.id,
      scope: r.definition?.scope ?? null,
      nav: r.state === 'started' ? (r.definition?.nav ?? null) : null,
      enabled: r.enabled,
      state: r.state,
      error: r.error ?? null,
    }));
  });
  api.get('/servers', auth.requireUser, (ctx) => {
    ctx.body = hosts.list();
  });
  api.get('/audit', auth.requireUser, async (ctx) => {
    const q = validate(auditQuery, ctx.query);
    ctx.body = await audit.page(q);
  });
  api.get('/tools', auth.requireUser, (ctx) => {
    ctx.body = tools.list();
  });

  /**
   * Runs before each plugin route (only when one matched): sign-in and role, the server
   * for host-scoped plugins, and an audit entry for whatever mutates.
   */
  const pluginGate =
    (pluginId: string, hostScoped: boolean): Middleware<AuraState> =>
    (ctx, next) =>
      auth.requireUser(ctx, async () => {
        if (hostScoped) {
          Object.assign(ctx.state, hosts.resolve(ctx.params.serverId!));
        }
        if (!isMutating(ctx.method)) return next();
        try {
          await next();
        } finally {
          await audit.record({
            user: ctx.state.user!.username,
            server: ctx.state.server?.id ?? null,
            action: ctx.state.audit?.action ?? `${pluginId}.${ctx.method} ${ctx._matchedRoute ?? ctx.path}`,
            target: ctx.state.audit?.target ?? null,
            result: ctx.status < 400 ? 'success' : 'failure',
          });
        }
      });

  const pluginRouters: PluginRouter[] = [];
  const shutdown = new AbortController();
  const mount: PluginMount = {
    router(r) {
      const host = r.definition!.scope === 'host';
      const router = new Router<AuraState>({ prefix: host ? `/api/servers/:serverId/${r.id}` : `/api/${r.id}` });
      router.use(pluginGate(r.id, host));
      return router;
    },
    commit(r, router, pluginTools) {
      tools.add(r.id, r.definition!.scope, pluginTools); // may throw: then nothing is mounted
      pluginRouters.push(router);
    },
    sockets(r, ctx) {
      const nsp = sockets.namespace(r.id, {
        scope: r.definition!.scope,
        readOnlyEvents: r.definition!.readOnlyEvents ?? [],
        isLive: () => r.state === 'started',
      });
      r.definition!.sockets?.(nsp, ctx);
    },
  };
  const started = new Set<string>();
  const contexts = new Map<string, PluginContext>();
  for (const record of orderByDependencies(loaded.records)) {
    const ctx: PluginContext = {
      id: record.id,
      config: record.config,
      log: log.child({ plugin: record.id }),
      store: store.slice(`plugin.${record.id}`),
      hosts,
      audit: { record: (e) => audit.record({ ...e, action: `${record.id}.${e.action}` }) },
      signal: shutdown.signal,
      guards: { requireAdmin: auth.requireAdmin },
    };
    contexts.set(record.id, ctx);
    await startPlugin(record, ctx, mount, started);
    if (record.state === 'failed') log.error({ plugin: record.id }, record.error);
  }

  // One router: nested routers are flattened into it, so a request is matched once.
  const root = new Router<AuraState>();
  for (const r of [core, auth.router, api, ...pluginRouters]) root.use(r.routes());

  app.use(requestPipeline(log));
  app.use(securityHeaders(scriptHashes));
  const parseJson = bodyParser({
    enableTypes: ['json'],
    jsonLimit: `${config.bodyLimitKb}kb`,
    encoding: 'utf-8',
    onError(err) {
      const status = (err as { status?: number }).status;
      if (status === 413) throw new AuraError(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${config.bodyLimitKb} KiB.`);
      throw new AuraError(400, 'VALIDATION_ERROR', 'The body is not valid JSON.');
    },
  });
  app.use((ctx, next) => (isMutating(ctx.method) ? parseJson(ctx, next) : next()));
  app.use(root.routes()).use(root.allowedMethods({ throw: true }));
  // An unknown API path: strangers learn nothing (401), the signed-in get a 404.
  app.use((ctx, next) => (isApiPath(ctx.path) ? auth.requireUser(ctx, () => Promise.resolve()) : next()));
  app.use(serveUi(uiOutDir));
  const handle = app.callback();
  app.on('error', (err: NodeJS.ErrnoException) => {
    // A client that hangs up mid-response is not our error.
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE' && err.code !== 'ECONNRESET' && err.code !== 'EPIPE')
      log.error({ err }, 'response failed');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `http://${host}:${port}`;
  origins = new Set([url, ...(host === '127.0.0.1' ? [`http://localhost:${port}`] : [])]);
  if (config.publicUrl) origins.add(new URL(config.publicUrl).origin);
  baseUrl = config.publicUrl ? config.publicUrl.replace(/\/+$/, '') : url;

  return {
    url,
    server,
    plugins: loaded.records,
    tools,
    generatedAdminPassword: admin.generatedPassword,
    socketNamespaces: () => sockets.namespaces(),
    routes: () =>
      [core, auth.router, api, ...pluginRouters].flatMap((r) =>
        r.stack
          .filter((l) => l.methods.length)
          .flatMap((l) => l.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: String(l.path) }))),
      ),
    async close() {
      shutdown.abort();
      for (const r of [...loaded.records].reverse()) {
        if (r.state !== 'started') continue;
        await Promise.resolve(r.definition!.stop?.(contexts.get(r.id)!)).catch((err: Error) =>
          log.error({ plugin: r.id }, `[${r.id}] stop: ${err.message}`),
        );
      }
      await sockets.close();
      server.closeAllConnections();
      await hosts.closeAll();
    },
  };
}
