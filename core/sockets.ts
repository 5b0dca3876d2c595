import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { AuditLog } from './audit.ts';
import type { Auth } from './auth/index.ts';
import { AuraError, type ErrorBody, coreErrors, forbidden, notFound, unauthenticated } from './errors.ts';
import { boundTo, type Host, type ServerInfo } from './hosts/index.ts';
import type { Logger } from './logger.ts';

const bodyOf = (err: AuraError): ErrorBody => ({ detail: err.message, code: err.code });

/** socket.io passes err.data to the client's connect_error: the same {detail, code} as HTTP. */
function refusal(err: AuraError): Error {
  return Object.assign(new Error(err.message), { data: bodyOf(err) });
}

/** The token a socket authenticated with (API clients); browsers use the cookie instead. */
const handshakeToken = (socket: Socket) =>
  typeof socket.handshake.auth.token === 'string' ? (socket.handshake.auth.token as string) : undefined;

export interface SocketHub {
  io: Server;
  /**
   * The namespace `/<pluginId>`, behind auth; host-scoped ones resolve `auth.serverId`
   * (default local). Viewers may send only `readOnlyEvents`; every event re-checks the
   * session, so signing out or expiring ends what a socket may do.
   */
  namespace(pluginId: string, opts: { scope: 'host' | 'global'; readOnlyEvents: string[]; isLive: () => boolean }): Namespace;
  /** Every plugin namespace, for tests that must cover all of them. */
  namespaces(): string[];
  /** Ends every socket whose session has ended; also runs on a timer. */
  recheck(): void;
  close(): Promise<void>;
}

export function createSocketHub(
  server: HttpServer,
  opts: {
    auth: Auth;
    /** The server a host-scoped plugin's socket is for; throws when unknown or the plugin is unavailable there. */
    resolveServer(pluginId: string, serverId: string): Promise<{ host: Host; server: ServerInfo }>;
    audit: AuditLog;
    log: Logger;
    recheckMs?: number;
  },
): SocketHub {
  const io = new Server(server, {
    serveClient: false,
    // Cross-site WebSocket hijacking: a page elsewhere could open a socket with our cookie.
    allowRequest: (req, done) => {
      const ok = opts.auth.isAllowedOrigin(req.headers.origin);
      if (!ok) opts.log.warn({ origin: req.headers.origin }, 'socket handshake refused: origin');
      done(null, ok);
    },
  });
  io.use((_socket, next) => next(refusal(notFound('Connect to a plugin namespace.'))));
  const namespaces: Namespace[] = [];
  const signedOut = (socket: Socket) => !opts.auth.identify(socket.request, handshakeToken(socket)).user;
  const endSession = (socket: Socket) => {
    socket.emit('aura:error', bodyOf(unauthenticated('Your session has ended; sign in again.')));
    socket.disconnect(true);
  };
  // What a plugin pushes (logs, a terminal) must stop reaching someone who signed out or
  // expired even if they send nothing: every socket's session is checked again regularly.
  const recheck = () => {
    for (const nsp of namespaces) for (const socket of nsp.sockets.values()) if (signedOut(socket)) endSession(socket);
  };
  const sweep = setInterval(recheck, opts.recheckMs ?? 15_000);
  sweep.unref();

  return {
    io,
    namespace(pluginId, { scope, readOnlyEvents, isLive }) {
      const readOnly = new Set(readOnlyEvents);
      const nsp = io.of(`/${pluginId}`);
      namespaces.push(nsp);
      nsp.use(async (socket, next) => {
        try {
          if (!isLive()) throw notFound(`Plugin "${pluginId}" is not running.`);
          const { user } = opts.auth.identify(socket.request, handshakeToken(socket));
          if (!user) throw unauthenticated();
          socket.data.user = user;
          if (scope === 'host') {
            const serverId = socket.handshake.auth.serverId ?? 'local';
            if (typeof serverId !== 'string') throw coreErrors.VALIDATION_ERROR('serverId must be a string.');
            const { host, server } = await opts.resolveServer(pluginId, serverId);
            // What the socket starts on the server ends when it disconnects.
            const gone = new AbortController();
            socket.once('disconnect', () => gone.abort());
            Object.assign(socket.data, { host: boundTo(host, gone.signal), server });
          }
          next();
        } catch (err) {
          next(refusal(err instanceof AuraError ? err : coreErrors.INTERNAL('Handshake failed.')));
        }
      });
      nsp.on('connection', (socket) => {
        socket.use((packet, next) => {
          // The name is the client's text: echoed and audited only in part.
          const event = String(packet[0]).slice(0, 100);
          const ack = packet[packet.length - 1];
          const refuse = (err: AuraError) => {
            if (typeof ack === 'function') (ack as (body: ErrorBody) => void)(bodyOf(err));
            socket.emit('aura:error', { ...bodyOf(err), event });
          };
          const { user } = opts.auth.identify(socket.request, handshakeToken(socket));
          if (!user) {
            refuse(unauthenticated('Your session has ended; sign in again.'));
            socket.disconnect(true);
            return;
          }
          socket.data.user = user;
          if (user.role === 'admin' || readOnly.has(String(packet[0]))) return next();
          opts.audit
            .record({
              user: user.username,
              action: 'auth.denied',
              target: `socket ${nsp.name} ${event}`,
              result: 'failure',
              detail: `role ${user.role}`,
            })
            .catch((err: unknown) => opts.log.error({ err }, 'audit: could not record a refused socket event'));
          refuse(forbidden());
        });
      });
      return nsp;
    },
    namespaces: () => namespaces.map((n) => n.name),
    recheck,
    close: () => {
      clearInterval(sweep);
      return new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}
