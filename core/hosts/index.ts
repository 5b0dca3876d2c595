import type { CoreConfig } from '../config.ts';
import { AuraError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Host } from './host.ts';
import { createLocalHost } from './local.ts';

export type { Host, PtyOptions, PtySession, RunOptions, RunResult, StreamOptions } from './host.ts';

export interface ServerInfo {
  id: string;
  name: string;
  host: string;
  kind: 'local' | 'ssh';
}

export interface Hosts {
  /** Throws 404 SERVER_NOT_FOUND for an unknown id. */
  get(serverId: string): Host;
  /** The host and what to show of it; throws 404 SERVER_NOT_FOUND for an unknown id. */
  resolve(serverId: string): { host: Host; server: ServerInfo };
  list(): ServerInfo[];
  closeAll(): Promise<void>;
}

/** ssh2 is loaded only when a remote server is configured: most boxes manage just themselves. */
export async function createHosts(config: CoreConfig, rootDir: string, log: Logger): Promise<Hosts> {
  const { createSshHost } = config.servers.length ? await import('./ssh.ts') : { createSshHost: undefined };
  const servers = new Map<string, { info: ServerInfo; host: Host }>();
  servers.set('local', {
    info: { id: 'local', name: 'This machine', host: 'localhost', kind: 'local' },
    host: createLocalHost(),
  });
  for (const s of config.servers) {
    servers.set(s.id, {
      info: { id: s.id, name: s.name ?? s.id, host: s.host, kind: 'ssh' },
      host: createSshHost!({ server: s, rootDir, log: log.child({ server: s.id }) }),
    });
  }
  const entry = (id: string) => {
    const found = servers.get(id);
    if (!found) throw new AuraError(404, 'SERVER_NOT_FOUND', `No server "${id}" is configured.`);
    return found;
  };
  return {
    get: (id) => entry(id).host,
    resolve: (id) => {
      const { host, info } = entry(id);
      return { host, server: info };
    },
    list: () => [...servers.values()].map((s) => s.info),
    closeAll: async () => void (await Promise.all([...servers.values()].map((s) => s.host.close()))),
  };
}
