import { goto, invalidateAll } from '$app/navigation';
import { checkNow } from './connection.svelte.ts';
import { readEventStream, type StreamEvent } from './event-stream.ts';
import { notify } from './toasts.svelte.ts';

/** The server's `{detail, code}` error, as an exception. */
export class ApiError extends Error {
  constructor(
    readonly detail: string,
    readonly code: string,
    readonly status: number,
    /** A validation error's fields, as the server named them. */
    readonly issues?: { path: string; message: string }[],
    /** The whole error body: some errors carry more than the detail (a timeout's output so far). */
    readonly body?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

/** A failed request, kept as plain data (load results must be serialisable). */
export interface Failure {
  detail: string;
  code: string;
}

export const failure = (err: unknown): Failure =>
  err instanceof ApiError ? { detail: err.detail, code: err.code } : { detail: String(err), code: 'INTERNAL' };

export interface ApiOptions {
  method?: string;
  body?: unknown;
  /**
   * Do not show a toast; the caller shows the error itself. Toasts are feedback on actions,
   * so reads (GET) are quiet unless `quiet: false`: a view shows a failed read in place.
   */
  quiet?: boolean;
  /** The fetch to use: a SvelteKit load passes its own. */
  fetch?: typeof fetch;
}

/**
 * The one way the UI talks to Aura's HTTP API: JSON in and out, failed actions shown as toasts,
 * a 401 sends the user to the login page, and a 503 PLUGIN_UNAVAILABLE (the plugin stopped
 * working on this server) reloads the shell's availability.
 */
export async function api<T = unknown>(path: string, opts: ApiOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (res.ok) return data as T;
  throw await refused(res, data, path, opts);
}

/**
 * A request answered with a Server-Sent Events stream (`text/event-stream`): `onevent` gets
 * each event as it arrives, and the promise resolves when the stream ends. A refusal before
 * the stream opens (a JSON error) is handled as api() handles it, and thrown. Aborting
 * `signal` closes the stream: the server sees the client leave.
 */
export async function apiEvents(
  path: string,
  opts: ApiOptions & { signal?: AbortSignal; onevent: (e: StreamEvent) => void },
): Promise<void> {
  const res = await send(path, { quiet: false, ...opts });
  if (!res.ok || !res.body || !res.headers.get('content-type')?.startsWith('text/event-stream'))
    throw await refused(res, await res.json().catch(() => null), path, { quiet: false, ...opts });
  await readEventStream(res.body, opts.onevent);
}

async function send(path: string, opts: ApiOptions & { signal?: AbortSignal }): Promise<Response> {
  const method = opts.method ?? 'GET';
  try {
    return await (opts.fetch ?? fetch)(path, {
      method,
      headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (cause) {
    if (opts.signal?.aborted) throw cause;
    const err = new ApiError('Aura cannot be reached. Is it running?', 'NETWORK_ERROR', 0);
    void checkNow(); // the banner says so at once
    if (!(opts.quiet ?? method === 'GET')) notify(err.detail, 'error');
    throw err;
  }
}

/** The error a refused request becomes, after the UI has reacted to it (login, reload, toast). */
async function refused(res: Response, data: Record<string, unknown> | null, path: string, opts: ApiOptions): Promise<ApiError> {
  const err = new ApiError(
    typeof data?.detail === 'string' ? data.detail : res.statusText,
    typeof data?.code === 'string' ? data.code : `HTTP_${res.status}`,
    res.status,
    data?.issues as ApiError['issues'],
    data ?? undefined,
  );
  if (res.status === 401 && !path.startsWith('/auth/')) {
    await goto(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  } else {
    if (err.code === 'PLUGIN_UNAVAILABLE') void invalidateAll();
    if (!(opts.quiet ?? (opts.method ?? 'GET') === 'GET')) notify(`${err.detail} (${err.code})`, 'error');
  }
  return err;
}
