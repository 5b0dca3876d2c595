/** The core's public API: what plugins may import. */
export { definePlugin, defineTool } from './plugin.ts';
export type {
  AgentTool,
  AuraState,
  NavEntry,
  PluginContext,
  PluginDefinition,
  PluginRouter,
  PluginSocket,
  ToolCall,
} from './plugin.ts';
export type { Host, PtyOptions, PtySession, RunOptions, RunResult, ServerInfo, StreamOptions } from './hosts/index.ts';
export type { AuraUser, Role } from './sessions.ts';
export { AuraError, badRequest, forbidden, notFound, toErrorBody } from './errors.ts';
export { validate } from './validate.ts';
export { socketHandler } from './socket-handler.ts';
