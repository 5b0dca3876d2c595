/** What plugin panels import as '@aura/ui'. */
export { api, ApiError, type ApiOptions } from './api.ts';
export { pluginSocket, connection } from './socket.svelte.ts';
export { notify } from './toasts.svelte.ts';
export { confirmAction, type ConfirmRequest } from './confirm.svelte.ts';
export { default as ErrorCard } from './ErrorCard.svelte';
export { default as Updated } from './Updated.svelte';
export { default as LogsDrawer } from './LogsDrawer.svelte';
export { appendLines, markerLine, MAX_LOG_LINES, type LogLine } from './logs.ts';
export { signedIn, isAdmin } from './signed-in.svelte.ts';
export { formatBytes } from './format.ts';
