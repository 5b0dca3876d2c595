/** The core's public API: what plugins may import. */
export { definePlugin, defineTool } from './plugin.ts';
export type {
  AgentTool,
  ApiOf,
  AuraState,
  DependencyApis,
  NavEntry,
  PluginApis,
  PluginAudit,
  PluginCommand,
  PluginCondition,
  PluginContext,
  PluginDefinition,
  PluginInstance,
  PluginRouter,
  PluginSocket,
  PluginTools,
  ToolCall,
} from './plugin.ts';
export type {
  CommandOutput,
  Host,
  Hosts,
  PtyOptions,
  PtySession,
  RunOptions,
  RunResult,
  ServerInfo,
  StreamOptions,
} from './hosts/index.ts';
export { outputBeforeTimeout } from './hosts/host.ts';
export { shellQuote } from './hosts/argv.ts';
export type { AuraUser, Role } from './sessions.ts';
export type { StoreSlice } from './store.ts';
export type { ToolInfo } from './tools.ts';
export { AuraError, badRequest, coreErrors, defineErrors, forbidden, notFound, toErrorBody } from './errors.ts';
export type { ErrorCatalogue, ErrorFactory } from './errors.ts';
export { hasControlCharacters, routeInput, validate } from './validate.ts';
export { socketHandler } from './socket-handler.ts';
