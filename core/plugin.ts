import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import type { AuditEvent } from './audit.ts';
import type { Host, Hosts, ServerInfo } from './hosts/index.ts';
import type { Logger } from './logger.ts';
import type { AuraUser } from './sessions.ts';
import type { StoreSlice } from './store.ts';

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

export interface PluginCondition {
  /** The plugin is unavailable unless this path exists on the machine Aura runs on. */
  pathExists: string;
}

export interface NavEntry {
  title: string;
  /** A short name the UI maps to an icon; unknown names get a generic one. */
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

/** Everything a plugin may use; it reaches for nothing else. */
export interface PluginContext<C = unknown> {
  id: string;
  config: C;
  log: Logger;
  store: StoreSlice;
  hosts: Hosts;
  audit: PluginAudit;
  /** Aborted when Aura shuts down: tie long work (streams, timers) to it. */
  signal: AbortSignal;
  guards: { requireAdmin: Middleware<AuraState> };
}

/** A socket on a plugin's namespace; host-scoped plugins get the resolved host in data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- events are the plugin's own, untyped here
type AnyEvents = Record<string, (...args: any[]) => void>;
export type PluginSocket = Socket<AnyEvents, AnyEvents, AnyEvents, { user: AuraUser; host?: Host; server?: ServerInfo }>;

export interface PluginDefinition<S extends z.ZodType = z.ZodType> {
  /** Lowercase letters, digits and dashes; also the folder name and the URL segment. */
  id: string;
  version: string;
  /** A semver range the core's version must satisfy. */
  coreVersion: string;
  title: string;
  description?: string;
  /** `host`: mounted at /api/servers/:serverId/<id> and works on any server; `global`: /api/<id>. */
  scope: 'host' | 'global';
  dependencies?: string[];
  conditions?: PluginCondition[];
  nav?: NavEntry;
  /** Validates the plugin's own settings under plugins.<id> (everything but `enabled`). */
  config?: S;
  routes?(router: PluginRouter, ctx: PluginContext<z.output<S>>): void;
  sockets?(namespace: Namespace, ctx: PluginContext<z.output<S>>): void;
  /** Socket events a viewer may send (reads, subscriptions); every other event needs admin. */
  readOnlyEvents?: string[];
  tools?(ctx: PluginContext<z.output<S>>): AgentTool[];
  start?(ctx: PluginContext<z.output<S>>): void | Promise<void>;
  stop?(ctx: PluginContext<z.output<S>>): void | Promise<void>;
}

/** Identity at run time; gives a plugin object its types. */
export function definePlugin<S extends z.ZodType>(plugin: PluginDefinition<S>): PluginDefinition<S> {
  return plugin;
}

/** Marks an agent tool's input and run as belonging together, for type inference. */
export function defineTool<I extends z.ZodType>(tool: AgentTool<I>): AgentTool {
  return tool as unknown as AgentTool;
}
