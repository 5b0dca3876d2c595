import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { AuditLog } from './audit.ts';
import { PUBLIC_ROUTES, type Auth } from './auth/index.ts';
import type { AvailabilityCache } from './availability.ts';
import type { CoreConfig } from './config.ts';
import { coreErrors } from './errors.ts';
import { boundTo, type Hosts } from './hosts/index.ts';
import { isApiPath, isMutating, requestPipeline, securityHeaders } from './http.ts';
import type { PluginRecord } from './loader.ts';
import type { Logger } from './logger.ts';
import type { DocumentedRoute } from './openapi.ts';
import type { AuraState, PluginRouter } from './plugin.ts';
import type { PluginMount } from './plugin-host.ts';
import { createSocketHub } from './sockets.ts';
import type { ToolRegistry } from './tools.ts';
import { inlineScriptHashes, serveUi } from './ui.ts';
import { ROUTE_INPUT } from './validate.ts';

/** Router layers are cloned when nested, but keep their handler functions: those mark a public (or viewer) route. */
const layerHasHandlerIn = (publicHandlers: Set<unknown>, layer: { stack: unknown[] }) =>
  layer.stack.some((handler) => publicHandlers.has(handler));

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** PROPFIND, TRACE, LOCK and the like are scanners' noise: 405 as JSON, logged at debug. */
const refuseUnknownMethods: Middleware<AuraState> = (ctx, next) => {
  if (KNOWN_METHODS.has(ctx.method)) return next();
  ctx.set('Allow', [...KNOWN_METHODS].join(', '));
  throw coreErrors.METHOD_NOT_ALLOWED(`Aura does not answer ${ctx.method.slice(0, 20)} requests.`);
};

export interface RouteInfo {
  method: string;
  path: string;
  /** Open without signing in: the core's sign-in routes and plugins' publicRoutes. */
  public: boolean;
  /** A change a viewer may send too (a plugin's viewerRoutes): it touches only the caller's own things. */
  viewer: boolean;
}

export interface WebOptions {
  config: CoreConfig;
  log: Logger;
  auth: Auth;
  hosts: Hosts;
  audit: AuditLog;
  tools: ToolRegistry;
  availability: AvailabilityCache;
  uiOutDir: string;
  /** Sign cookies (Koa's ctx.cookies). */
  keys: string[];
  /** The core's own routers; only their routes in PUBLIC_ROUTES are open to strangers. */
  coreRouters: PluginRouter[];
  socketRecheckMs?: number;
}

/**
 * The HTTP server, socket.io and the Koa app with its one router. Plugins mount into it
 * through `mount`; `listen()` composes everything once all is registered.
 */
export function createWeb(opts: WebOptions) {
  const { config, log, auth, hosts, audit, availability } = opts;
  // maxIpsCount 1: only the address our proxy appended to X-Forwarded-For, never one the client wrote.
  const app = new Koa<AuraState>({ proxy: config.trustProxy, maxIpsCount: 1, keys: opts.keys });
  let handle: ReturnType<Koa['callback']> | undefined;
  // socket.io must attach before Koa's handler to take its own requests; Koa's is made last.
  const server: Server = createServer((req, res) => handle!(req, res));
  const sockets = createSocketHub(server, {
    auth,
    resolveServer: async (pluginId, serverId) => {
      const resolved = hosts.resolve(serverId);
      await availability.require(pluginId, serverId);
      return resolved;
    },
    audit,
    log,
    recheckMs: opts.socketRecheckMs,
  });
  const pluginRouters: PluginRouter[] = [];
  /** Per plugin router, the handlers of the routes its publicRoutes hook added. */
  const publicByRouter = new Map<PluginRouter, Set<unknown>>();
  /** Per plugin router, the handlers of the routes its viewerRoutes hook added. */
  const viewerByRouter = new Map<PluginRouter, Set<unknown>>();

  /**
   * Runs before each plugin route (only when one matched): sign-in and role unless the route
   * is public, the server and the plugin's availability there for host-scoped plugins, and an
   * audit entry for whatever mutates.
   */
  const pluginGate =
    (record: PluginRecord, publicHandlers: Set<unknown>, viewerHandlers: Set<unknown>): Middleware<AuraState> =>
    (ctx, next) => {
      const matched = (ctx.matched ?? []) as { methods: string[]; stack: unknown[] }[];
      const routeIn = (handlers: Set<unknown>) =>
        matched.some((l) => l.methods.includes(ctx.method) && layerHasHandlerIn(handlers, l));
      const isPublic = routeIn(publicHandlers);
      const gated: Middleware<AuraState> = async (c, n) => {
        if (record.definition!.scope === 'host') {
          const { host, server } = hosts.resolve(c.params.serverId!);
          await availability.require(record.id, server.id);
          // What the request starts on the server ends when the client hangs up.
          const gone = new AbortController();
          c.res.once('close', () => c.res.writableFinished || gone.abort());
          Object.assign(c.state, { host: boundTo(host, gone.signal), server });
        }
        if (!isMutating(c.method)) return n();
        try {
          await n();
        } finally {
          await audit.record({
            user: c.state.user?.username ?? null,
            source: c.ip,
            server: c.state.server?.id ?? null,
            action: c.state.audit?.action ?? `${record.id}.${c.method} ${c._matchedRoute ?? c.path}`,
            target: c.state.audit?.target ?? null,
            result: c.status < 400 ? 'success' : 'failure',
          });
        }
      };
      if (isPublic) return gated(ctx, next);
      const signIn = routeIn(viewerHandlers) ? auth.requireMember : auth.requireUser;
      return signIn(ctx, () => gated(ctx, next));
    };

  const mount: PluginMount = {
    router(record) {
      const prefix = record.definition!.scope === 'host' ? `/api/servers/:serverId/${record.id}` : `/api/${record.id}`;
      const router = new Router<AuraState>({ prefix });
      const publicHandlers = new Set<unknown>();
      const viewerHandlers = new Set<unknown>();
      router.use(pluginGate(record, publicHandlers, viewerHandlers));
      publicByRouter.set(router, publicHandlers);
      viewerByRouter.set(router, viewerHandlers);
      return { router, publicHandlers, viewerHandlers };
    },
    namespace: (record) =>
      sockets.namespace(record.id, {
        scope: record.definition!.scope,
        readOnlyEvents: record.definition!.readOnlyEvents ?? [],
        isLive: () => record.state === 'started',
      }),
    commit(record, router, tools) {
      opts.tools.add(record.id, record.definition!.scope, tools); // may throw: then nothing is mounted
      pluginRouters.push(router);
      recordOf.set(router, record);
    },
  };

  const allRouters = () => [...opts.coreRouters, ...pluginRouters];
  const recordOf = new Map<PluginRouter, PluginRecord>();
  /** Each route's layers with what the OpenAPI document needs: who may call it, its plugin, its input. */
  const routeLayers = () =>
    allRouters().flatMap((router) =>
      router.stack
        .filter((l) => l.methods.length)
        .flatMap((l) =>
          l.methods
            .filter((m) => m !== 'HEAD')
            .map((method) => ({
              method,
              path: String(l.path),
              public: isPublicRoute(router, l, method, String(l.path)),
              viewer: layerHasHandlerIn(viewerByRouter.get(router) ?? new Set(), l),
              router,
              layer: l,
            })),
        ),
    );
  const isPublicRoute = (router: PluginRouter, layer: { stack: unknown[] }, method: string, routePath: string) =>
    publicByRouter.has(router)
      ? layerHasHandlerIn(publicByRouter.get(router)!, layer)
      : PUBLIC_ROUTES.has(`${method} ${routePath}`);

  function compose() {
    // One router: nested routers are flattened into it, so a request is matched once.
    const root = new Router<AuraState>();
    for (const router of allRouters()) root.use(router.routes());
    const parseJson = bodyParser({
      enableTypes: ['json'],
      jsonLimit: `${config.bodyLimitKb}kb`,
      encoding: 'utf-8',
      onError(err) {
        const status = (err as { status?: number }).status;
        if (status === 413) throw coreErrors.PAYLOAD_TOO_LARGE(`The body is larger than ${config.bodyLimitKb} KiB.`);
        throw coreErrors.VALIDATION_ERROR('The body is not valid JSON.');
      },
    });
    // Registered before callback(), so Koa's own onerror (plain-text stack traces) never runs.
    app.on('error', (err: NodeJS.ErrnoException) => {
      // A client that hangs up mid-response is not our error.
      if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE')
        log.debug({ code: err.code }, 'client hung up mid-response');
      else log.error({ err }, 'response failed');
    });
    app.use(requestPipeline(log));
    app.use(refuseUnknownMethods);
    app.use(securityHeaders(inlineScriptHashes(opts.uiOutDir)));
    app.use((ctx, next) => (isMutating(ctx.method) ? parseJson(ctx, next) : next()));
    app.use(root.routes()).use(root.allowedMethods({ throw: true }));
    // An unknown API path: strangers learn nothing (401), the signed-in get a 404.
    app.use((ctx, next) => (isApiPath(ctx.path) ? auth.requireUser(ctx, () => Promise.resolve()) : next()));
    app.use(serveUi(opts.uiOutDir));
    handle = app.callback();
  }

  return {
    server,
    mount,
    namespaces: () => sockets.namespaces(),
    recheckSockets: () => sockets.recheck(),
    /** Every HTTP route as `METHOD path`, marked public or not, for tests that must cover all. */
    routes: (): RouteInfo[] =>
      routeLayers().map(({ method, path, public: open, viewer }) => ({ method, path, public: open, viewer })),
    /** Every HTTP route with its plugin and its declared input (routeInput), for GET /api/openapi.json. */
    documentedRoutes: (): DocumentedRoute[] =>
      routeLayers().map(({ method, path, public: open, viewer, router, layer }) => {
        const def = recordOf.get(router)?.definition;
        const input = (layer.stack as unknown[]).find((h) => typeof h === 'function' && ROUTE_INPUT in h) as
          { [ROUTE_INPUT]: DocumentedRoute['input'] } | undefined;
        return {
          method,
          path,
          public: open,
          viewer,
          adminOnly: (layer.stack as unknown[]).includes(auth.requireAdmin),
          plugin: def
            ? { id: def.id, title: def.title, description: def.description, scope: def.scope, errors: def.errors }
            : null,
          input: input?.[ROUTE_INPUT],
        };
      }),
    /** Composes the app from what was registered, then listens; resolves with Aura's own URL. */
    async listen(): Promise<string> {
      compose();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.listen.port, config.listen.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
      return `http://${host}:${port}`;
    },
    /** Stops taking requests and closes every socket. */
    async close(): Promise<void> {
      server.close();
      await sockets.close();
      server.closeAllConnections();
    },
  };
}
