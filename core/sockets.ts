import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import type { Auth } from './auth/index.ts';
import { AuraError } from './errors.ts';
import type { Hosts } from './hosts/index.ts';
import type { Logger } from './logger.ts';

/** socket.io passes err.data to the client's connect_error: the same {detail, code} as HTTP. */
function refusal(err: AuraError): Error {
  return Object.assign(new Error(err.message), { data: { detail: err.message, code: err.code } });
}

export interface SocketHub {
  io: Server;
  /** The namespace `/<pluginId>`, behind auth; host-scoped ones resolve `auth.serverId` (default local). */
  namespace(pluginId: string, scope: 'host' | 'global', isLive: () => boolean): Namespace;
  close(): Promise<void>;
}

export function createSocketHub(
  server: HttpServer,
  opts: { auth: Auth; hosts: Hosts; allowedOrigins(): Set<string>; log: Logger },
): SocketHub {
  const io = new Server(server, {
    serveClient: false,
    // Cross-site WebSocket hijacking: a page elsewhere could open a socket with our cookie.
    allowRequest: (req, done) => {
      const origin = req.headers.origin;
      const ok = !!origin && opts.allowedOrigins().has(origin);
      if (!ok) opts.log.warn({ origin }, 'socket handshake refused: origin');
      done(null, ok);
    },
  });
  io.use((_socket, next) => next(refusal(new AuraError(404, 'NOT_FOUND', 'Connect to a plugin namespace.'))));

  return {
    io,
    namespace(pluginId, scope, isLive) {
      const nsp = io.of(`/${pluginId}`);
      nsp.use((socket, next) => {
        try {
          if (!isLive()) throw new AuraError(404, 'NOT_FOUND', `Plugin "${pluginId}" is not running.`);
          const token = typeof socket.handshake.auth.token === 'string' ? socket.handshake.auth.token : undefined;
          const { user } = opts.auth.identify(socket.request, token);
          if (!user) throw new AuraError(401, 'UNAUTHENTICATED', 'Sign in to continue.');
          socket.data.user = user;
          if (scope === 'host') {
            const serverId = socket.handshake.auth.serverId ?? 'local';
            if (typeof serverId !== 'string') throw new AuraError(400, 'VALIDATION_ERROR', 'serverId must be a string.');
            socket.data.host = opts.hosts.get(serverId);
            socket.data.server = opts.hosts.info(serverId);
          }
          next();
        } catch (err) {
          next(refusal(err instanceof AuraError ? err : new AuraError(500, 'INTERNAL', 'Handshake failed.')));
        }
      });
      return nsp;
    },
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}
