import { api } from './api.ts';

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

/** What the shell knows after sign-in: who, which plugins run, which servers exist. */
export const session = $state({
  user: null as { username: string; role: string } | null,
  plugins: [] as PluginInfo[],
  servers: [] as ServerInfo[],
});

export async function loadSession(): Promise<boolean> {
  try {
    const me = await api<{ user: { username: string; role: string } }>('/auth/me', { quiet: true });
    const [plugins, servers] = await Promise.all([api<PluginInfo[]>('/api/plugins'), api<ServerInfo[]>('/api/servers')]);
    Object.assign(session, { user: me.user, plugins, servers });
    return true;
  } catch {
    return false;
  }
}
