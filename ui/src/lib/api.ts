import { goto, invalidateAll } from '$app/navigation';
import { checkNow } from './connection.svelte.ts';
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
  const method = opts.method ?? 'GET';
  const quiet = opts.quiet ?? method === 'GET';
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(path, {
      method,
      headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
    });
  } catch {
    const err = new ApiError('Aura cannot be reached. Is it running?', 'NETWORK_ERROR', 0);
    void checkNow(); // the banner says so at once
    if (!quiet) notify(err.detail, 'error');
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (res.ok) return data as T;
  const err = new ApiError(
    data?.detail ?? res.statusText,
    data?.code ?? `HTTP_${res.status}`,
    res.status,
    data?.issues,
    data ?? undefined,
  );
  if (res.status === 401 && !path.startsWith('/auth/')) {
    await goto(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  } else {
    if (err.code === 'PLUGIN_UNAVAILABLE') void invalidateAll();
    if (!quiet) notify(`${err.detail} (${err.code})`, 'error');
  }
  throw err;
}
