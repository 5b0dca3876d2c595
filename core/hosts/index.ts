import type { CoreConfig } from '../config.ts';
import { coreErrors } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { DialOptions, DialTarget, Host, RunOptions, StreamOptions } from './host.ts';
import { createLocalHost } from './local.ts';

export type {
  CommandOutput,
  DialOptions,
  DialTarget,
  Host,
  PtyOptions,
  PtySession,
  RunOptions,
  RunResult,
  StreamOptions,
} from './host.ts';

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

/**
 * The same host with `signal` joined to every command's own: what a request, a tool call or a
 * socket starts on a server ends when its caller goes (a client that hangs up, a socket that
 * disconnects), without each plugin passing the signal on.
 */
export function boundTo(host: Host, signal: AbortSignal): Host {
  const join = (own?: AbortSignal) => (own ? AbortSignal.any([signal, own]) : signal);
  return Object.assign(Object.create(host) as Host, {
    run: (argv: string[], opts: RunOptions = {}) => host.run(argv, { ...opts, signal: join(opts.signal) }),
    stream: (argv: string[], opts: StreamOptions) => host.stream(argv, { ...opts, signal: join(opts.signal) }),
    dial: (target: DialTarget, opts: DialOptions = {}) => host.dial(target, { ...opts, signal: join(opts.signal) }),
  });
}

/** Hosts from servers already made: local first, then the rest in order. */
export function hostsFrom(entries: { info: ServerInfo; host: Host }[]): Hosts {
  const servers = new Map(entries.map((e) => [e.info.id, e]));
  const entry = (id: string) => {
    const found = servers.get(id);
    if (!found) throw coreErrors.SERVER_NOT_FOUND(`No server "${id}" is configured.`);
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

/** ssh2 is loaded only when a remote server is configured: most boxes manage just themselves. */
export async function createHosts(config: CoreConfig, rootDir: string, log: Logger): Promise<Hosts> {
  const { createSshHost } = config.servers.length ? await import('./ssh.ts') : { createSshHost: undefined };
  return hostsFrom([
    { info: { id: 'local', name: 'This machine', host: 'localhost', kind: 'local' }, host: createLocalHost() },
    ...config.servers.map((s) => ({
      info: { id: s.id, name: s.name ?? s.id, host: s.host, kind: 'ssh' as const },
      host: createSshHost!({ server: s, rootDir, log: log.child({ server: s.id }) }),
    })),
  ]);
}
