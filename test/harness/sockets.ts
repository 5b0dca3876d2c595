import { io, type Socket } from 'socket.io-client';

/**
 * A connected socket.io client on Aura's `/<namespace>`, as a page there opens it: over
 * WebSocket, with Aura's Origin (or `origin`), signed with `token` for `serverId`, trusting `ca`. A refused
 * handshake rejects with the `{ detail, code }` Aura sent, and the socket is closed.
 */
export async function connectSocket(
  url: string,
  namespace: string,
  opts: { token?: string; serverId?: string; origin?: string; ca?: string } = {},
): Promise<Socket> {
  const socket = io(`${url}/${namespace.replace(/^\//, '')}`, {
    transports: ['websocket'],
    extraHeaders: { origin: opts.origin ?? url },
    auth: { token: opts.token, serverId: opts.serverId },
    reconnection: false,
    forceNew: true,
    // A certificate to trust, for a TLS front with a certificate of its own (the installer's Nginx).
    ...(opts.ca ? { ca: opts.ca } : {}),
  });
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      reject(Object.assign(err, err.data ?? {}));
    }),
  );
  return socket;
}
