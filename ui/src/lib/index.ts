/** What plugin panels import as '@aura/ui'. */
export { api, apiEvents, ApiError, failure, type ApiOptions, type Failure } from './api.ts';
export type { StreamEvent } from './event-stream.ts';
export { pluginSocket, connection } from './socket.svelte.ts';
export { notify } from './toasts.svelte.ts';
export { confirmAction, type ConfirmRequest } from './confirm.svelte.ts';
export { default as ErrorCard } from './ErrorCard.svelte';
export { default as Updated } from './Updated.svelte';
export { default as CommandOutput } from './CommandOutput.svelte';
export { timedOutResult, type CommandResult } from './command-result.ts';
export { default as LogsDrawer } from './LogsDrawer.svelte';
export { appendLines, markerLine, MAX_LOG_LINES, type LogLine } from './logs.ts';
export { signedIn, isAdmin, pluginStarted } from './signed-in.svelte.ts';
export { askAgent, agentAvailable, takeAgentQuestion, type AgentQuestion } from './ask-agent.ts';
export { formatBytes } from './format.ts';
