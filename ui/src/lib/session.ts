import { views } from 'virtual:aura-views';
import { api, ApiError, failure, type Failure } from './api.ts';

export interface PluginInfo {
  id: string;
  title: string;
  scope: 'host' | 'global' | null;
  nav: { title: string; icon?: string; order?: number } | null;
  state: string;
  enabled: boolean;
  /** Why it failed: shown to admins only (null for viewers and for plugins that run). */
  error?: string | null;
  code?: string | null;
}

export interface ServerInfo {
  id: string;
  name: string;
  host: string;
  kind: 'local' | 'ssh';
}

export interface User {
  username: string;
  role: string;
}

/** Whether a started plugin can work on a server, and if not, why (GET /api/servers/:id/plugins). */
export interface Availability {
  id: string;
  available: boolean;
  reason: string | null;
}

export { failure, type Failure };

type Fetch = typeof fetch;

/**
 * Who is signed in, which plugins run and which servers exist; null when nobody is signed in.
 * Any other failure (Aura down, a 500) throws: it is not a reason to go to the login page.
 */
export async function fetchSession(fetch: Fetch): Promise<{ user: User; plugins: PluginInfo[]; servers: ServerInfo[] } | null> {
  const me = await api<{ user: User }>('/auth/me', { fetch }).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  });
  if (!me) return null;
  const [plugins, servers] = await Promise.all([
    api<PluginInfo[]>('/api/plugins', { fetch }),
    api<ServerInfo[]>('/api/servers', { fetch }),
  ]);
  return { user: me.user, plugins, servers };
}

/**
 * Each started plugin's availability on the server, by id; an unknown server answers its error.
 * Aura being unreachable throws, so the shell can say that instead of "not available".
 */
export async function fetchAvailability(fetch: Fetch, serverId: string) {
  try {
    const list = await api<Availability[]>(`/api/servers/${encodeURIComponent(serverId)}/plugins`, { fetch });
    return { availability: Object.fromEntries(list.map((a) => [a.id, a])), serverError: null };
  } catch (err) {
    if (err instanceof ApiError && err.status === 0) throw err;
    return { availability: {} as Record<string, Availability>, serverError: failure(err) as Failure | null };
  }
}

/**
 * Where a plugin's nav link goes: its panel on the server, or its own page with the server in
 * `?server=` (the URL is the one place the chosen server lives).
 */
export function viewHref(p: PluginInfo, serverId: string): string | null {
  if (views[p.id]?.page) return withServer(`/p/${p.id}`, serverId);
  if (views[p.id]?.panel) return `/s/${encodeURIComponent(serverId)}/${p.id}`;
  return null;
}

/** A page whose path names no server, with the chosen one in its query. */
export function withServer(path: string, serverId: string): string {
  return serverId ? `${path}?server=${encodeURIComponent(serverId)}` : path;
}

/** The nav's order, used by the sidebar and the home page alike: nav.order, then id. */
export function byNavOrder(a: PluginInfo, b: PluginInfo): number {
  return (a.nav?.order ?? 100) - (b.nav?.order ?? 100) || a.id.localeCompare(b.id);
}

/** Started plugins with a nav entry and a panel or page in this build, in their declared order. */
export function navPlugins(plugins: PluginInfo[]): PluginInfo[] {
  return plugins.filter((p) => p.state === 'started' && p.nav && viewHref(p, '')).sort(byNavOrder);
}

const LAST_SERVER = 'aura.server';

/** The server chosen last, for pages whose URL names none; remembered across reloads. */
export const lastServer = {
  get: (): string | null => {
    try {
      return localStorage.getItem(LAST_SERVER);
    } catch {
      return null; // storage may be disabled: then the first server it is
    }
  },
  set: (id: string): void => {
    try {
      localStorage.setItem(LAST_SERVER, id);
    } catch {
      // as above
    }
  },
};

/**
 * Why a plugin has no view of this kind to show, as a failure the ErrorCard can show, or null
 * when it has one: not installed, turned off, failed (with its error, for admins), or no such view.
 */
export function missingView(plugins: PluginInfo[], id: string, kind: 'panel' | 'page'): Failure | null {
  const p = plugins.find((x) => x.id === id);
  if (!p) return { detail: `No plugin "${id}" is installed.`, code: 'PLUGIN_NOT_FOUND' };
  if (p.state !== 'started') {
    const why = p.error ? `: ${p.error}` : '.';
    return { detail: `The plugin "${p.title}" is ${p.state}${why}`, code: p.code ?? `PLUGIN_${p.state.toUpperCase()}` };
  }
  if (!views[id]?.[kind]) return { detail: `The plugin "${p.title}" has no ${kind}.`, code: 'NO_VIEW' };
  return null;
}
