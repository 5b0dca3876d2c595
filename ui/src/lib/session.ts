import { views } from 'virtual:aura-views';
import { api, ApiError } from './api.ts';

export interface PluginInfo {
  id: string;
  title: string;
  scope: 'host' | 'global' | null;
  nav: { title: string; icon?: string; order?: number } | null;
  state: string;
  enabled: boolean;
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

type Fetch = typeof fetch;

/** Who is signed in, which plugins run and which servers exist; null when nobody is signed in. */
export async function fetchSession(fetch: Fetch): Promise<{ user: User; plugins: PluginInfo[]; servers: ServerInfo[] } | null> {
  const me = await api<{ user: User }>('/auth/me', { quiet: true, fetch }).catch(() => null);
  if (!me) return null;
  const [plugins, servers] = await Promise.all([
    api<PluginInfo[]>('/api/plugins', { fetch }),
    api<ServerInfo[]>('/api/servers', { fetch }),
  ]);
  return { user: me.user, plugins, servers };
}

/** Each started plugin's availability on the server, by id; an unknown server answers its error. */
export async function fetchAvailability(fetch: Fetch, serverId: string) {
  try {
    const list = await api<Availability[]>(`/api/servers/${encodeURIComponent(serverId)}/plugins`, { fetch });
    return { availability: Object.fromEntries(list.map((a) => [a.id, a])), serverError: null };
  } catch (err) {
    return { availability: {} as Record<string, Availability>, serverError: err instanceof ApiError ? err.detail : String(err) };
  }
}

/** Where a plugin's nav link goes: its own page when it has one, else its panel on the server. */
export function viewHref(p: PluginInfo, serverId: string): string | null {
  if (views[p.id]?.page) return `/p/${p.id}`;
  if (views[p.id]?.panel) return `/s/${encodeURIComponent(serverId)}/${p.id}`;
  return null;
}

/** Started plugins with a nav entry and a panel or page in this build, in their declared order. */
export function navPlugins(plugins: PluginInfo[]): PluginInfo[] {
  return plugins
    .filter((p) => p.state === 'started' && p.nav && viewHref(p, ''))
    .sort((a, b) => (a.nav!.order ?? 100) - (b.nav!.order ?? 100) || a.id.localeCompare(b.id));
}
