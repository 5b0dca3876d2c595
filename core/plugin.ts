import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Registry } from 'prom-client';
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import type { AuditEvent } from './audit.ts';
import type { ErrorCatalogue, ErrorFactory } from './errors.ts';
import type { Host, Hosts, ServerInfo } from './hosts/index.ts';
import type { Logger } from './logger.ts';
import type { AuraUser } from './sessions.ts';
import type { StoreSlice } from './store.ts';
import type { ToolInfo } from './tools.ts';

/** What the core puts on ctx.state for every plugin route. */
export interface AuraState {
  requestId: string;
  user?: AuraUser;
  /** Host-scoped plugins: the server named in the URL, already resolved. */
  host?: Host;
  server?: ServerInfo;
  /** Set by a handler to name its audit entry; otherwise the core derives one from the route. */
  audit?: { action: string; target?: string };
}

export type PluginRouter = Router<AuraState>;

/**
 * When a plugin can work. A global plugin's conditions are checked once, on the machine Aura
 * runs on; a host-scoped plugin's on each server, through that server's host. A check answers
 * null when the server qualifies, or the reason it does not; it gets the plugin's settings
 * (the Docker plugin pings the socket path they name).
 */
export type PluginCondition<C = unknown> =
  | { pathExists: string; /** Shown instead of "<path> does not exist". */ reason?: string }
  | { check(host: Host, signal: AbortSignal, config: C): Promise<string | null> };

export interface NavEntry {
  title: string;
  /** A short name the UI maps to an icon (see ui/src/lib/icons.ts); unknown names get a generic one. */
  icon?: string;
  /** Lower comes first. */
  order?: number;
}

export interface ToolCall {
  user: AuraUser;
  signal: AbortSignal;
  /** Host-scoped plugins: the server the call is for (the core adds a serverId input). */
  host?: Host;
  server?: ServerInfo;
}

/** An agent tool, typed by its zod input, with Backstage-style attributes. */
export interface AgentTool<I extends z.ZodType = z.ZodType> {
  /** `<plugin id>.<verb>`, e.g. ports.list. */
  name: string;
  description: string;
  input: I;
  readOnly?: boolean;
  destructive?: boolean;
  run(input: z.output<I>, call: ToolCall): Promise<unknown>;
}

export interface PluginAudit {
  /** The core adds the plugin id to the action: `<plugin>.<action>`. */
  record(event: AuditEvent): Promise<unknown>;
}

/** Every started plugin's agent tools, for a plugin that acts through them (the agent). */
export interface PluginTools {
  list(): ToolInfo[];
  invoke(name: string, input: unknown, call: { user: AuraUser; signal: AbortSignal }): Promise<unknown>;
}

/**
 * The APIs plugins export, by plugin id. A plugin that exports one declares its type here by
 * module augmentation, so that its dependants get it typed without importing its files:
 *
 *   declare module '../../core/index.ts' { interface PluginApis { services: ServicesApi } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging
export interface PluginApis {}

/** The API a plugin id exports: its declared type, or unknown for a plugin that declares none. */
export type ApiOf<Id extends string> = Id extends keyof PluginApis ? PluginApis[Id] : unknown;
/** What a plugin receives from the plugins it depends on, by id. */
export type DependencyApis<D extends readonly string[]> = { readonly [K in D[number]]: ApiOf<K> };

/** Everything a plugin may use; it reaches for nothing else. */
export interface PluginContext<C = unknown, D = Record<string, unknown>> {
  id: string;
  config: C;
  log: Logger;
  store: StoreSlice;
  hosts: Hosts;
  audit: PluginAudit;
  /**
   * The plugin's own folder in Aura's data dir (`<dataDir>/plugins/<id>`, made 0700 before
   * setup) for files that do not belong in the store: recordings, caches.
   */
  dataDir: string;
  /** Aborted when Aura shuts down: tie long work (streams, timers) to it. */
  signal: AbortSignal;
  guards: { requireAdmin: Middleware<AuraState> };
  /** The exported APIs of the plugins named in `dependencies`, started before this one. */
  deps: D;
  /** The environment variables named in `secrets`, and no others. */
  secrets: Readonly<Record<string, string | undefined>>;
  /**
   * Hides secrets in text before it reaches a client, a log or the audit (a command's output,
   * an error): URL credentials, the values of the environment's secret-looking variables and
   * of this plugin's `secrets`.
   */
  redact(text: string): string;
  tools: PluginTools;
  /**
   * The plugin's own prom-client registry, served at GET /metrics while the plugin runs: add
   * gauges and counters (`registers: [ctx.prometheus]`) named `aura_…`, filled in `collect()`.
   */
  prometheus: Registry;
}

/** A socket on a plugin's namespace; host-scoped plugins get the resolved host in data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- events are the plugin's own, untyped here
type AnyEvents = Record<string, (...args: any[]) => void>;
export type PluginSocket = Socket<AnyEvents, AnyEvents, AnyEvents, { user: AuraUser; host?: Host; server?: ServerInfo }>;

/**
 * What one running instance of a plugin contributes, made together in its setup closure so
 * that its state lives there and nowhere else. Every member is optional.
 */
export interface PluginInstance<A = unknown> {
  /** Routes behind sign-in, at /api/servers/:serverId/<id> (host) or /api/<id> (global). */
  routes?(router: PluginRouter): void;
  /**
   * Routes open to strangers, at the same prefix: the plugin authenticates them itself (a
   * webhook's HMAC signature). They are listed in the route table like every other route.
   */
  publicRoutes?(router: PluginRouter): void;
  /**
   * Routes a viewer may call although they are not reads, at the same prefix: they change only
   * the caller's own things in the plugin (the agent's conversations), or decide per object and
   * let a viewer do only what is read-only (the commands plugin's read-only tools), checking the
   * role for the rest before anything else. Still behind sign-in, and a cookie still needs
   * Aura's own Origin.
   */
  viewerRoutes?(router: PluginRouter): void;
  /** Listeners on the namespace `/<id>`; wrap each in socketHandler(). */
  sockets?(namespace: Namespace): void;
  tools?: AgentTool[];
  /** What dependants receive as ctx.deps[<id>]. Declare its type in PluginApis. */
  api?: A;
  /** Undo what setup started; runs in the reverse of the start order, with a timeout. */
  stop?(): void | Promise<void>;
}

/** A command-line helper, run as `npm run aura -- <plugin> <command> [args]`. */
export interface PluginCommand<C = unknown> {
  description: string;
  run(args: string[], ctx: { config: C; out: NodeJS.WritableStream }): void | Promise<void>;
}

export interface PluginDefinition<
  S extends z.ZodType = z.ZodType,
  Id extends string = string,
  D extends readonly string[] = readonly string[],
> {
  /** Lowercase letters, digits and dashes; also the folder name and the URL segment. */
  id: Id;
  version: string;
  /** A semver range the core's version must satisfy. */
  coreVersion: string;
  title: string;
  description?: string;
  /** `host`: mounted at /api/servers/:serverId/<id> and works on any server; `global`: /api/<id>. */
  scope: 'host' | 'global';
  /** Plugins that start first and whose APIs this one receives in ctx.deps. */
  dependencies?: D;
  conditions?: PluginCondition<z.output<S>>[];
  /**
   * What a request, socket or tool gets where a condition is not met: one of the plugin's own
   * errors (a 503 DOCKER_UNAVAILABLE says more than the core's PLUGIN_UNAVAILABLE). The detail
   * is the condition's reason.
   */
  unavailableError?: ErrorFactory;
  nav?: NavEntry;
  /** Validates the plugin's own settings under plugins.<id> (everything but `enabled`). */
  config?: S;
  /** Socket events a viewer may send (reads, subscriptions); every other event needs admin. */
  readOnlyEvents?: string[];
  /**
   * Environment variables the plugin reads (e.g. GEMINI_API_KEY); it gets these and no others.
   * A function of the plugin's settings names them from there (each app's webhook secret).
   */
  secrets?: string[] | ((config: z.output<S>) => string[]);
  /** The error codes the plugin answers with (see defineErrors). */
  errors?: ErrorCatalogue;
  commands?: Record<string, PluginCommand<z.output<S>>>;
  /** Builds the running instance. Aura waits for it at most `pluginTimeoutSeconds`. */
  setup(ctx: PluginContext<z.output<S>, DependencyApis<D>>): PluginInstance<ApiOf<Id>> | Promise<PluginInstance<ApiOf<Id>>>;
}

/** Identity at run time; gives a plugin object its types. */
export function definePlugin<S extends z.ZodType, const Id extends string, const D extends readonly string[] = []>(
  plugin: PluginDefinition<S, Id, D>,
): PluginDefinition<S, Id, D> {
  return plugin;
}

/** Marks an agent tool's input and run as belonging together, for type inference. */
export function defineTool<I extends z.ZodType>(tool: AgentTool<I>): AgentTool {
  return tool as unknown as AgentTool;
}
