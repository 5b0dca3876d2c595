import { io, type Socket } from 'socket.io-client';
import { notify } from './toasts.svelte.ts';

/** Sockets that lost their connection; the layout shows a banner while any is down. */
export const connection = $state({ lost: 0 });

/**
 * Opens the plugin's namespace (for a server, when the plugin is host-scoped). socket.io
 * reconnects by itself; while it is away the shell says "Lost connection; retrying…".
 */
export function pluginSocket(pluginId: string, serverId?: string): Socket {
  const socket = io(`/${pluginId}`, { auth: serverId ? { serverId } : {}, transports: ['websocket'] });
  let lost = false;
  const setLost = (value: boolean) => {
    if (value !== lost) connection.lost += value ? 1 : -1;
    lost = value;
  };
  socket.on('connect', () => setLost(false));
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') setLost(true);
  });
  socket.on('connect_error', (err: Error & { data?: { detail?: string; code?: string } }) => {
    if (err.data?.code) {
      notify(`${err.data.detail} (${err.data.code})`, 'error');
      socket.disconnect();
      setLost(false);
    } else setLost(true);
  });
  // Closing on purpose (leaving the panel) is not a lost connection; close is disconnect's alias.
  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = socket.close = () => {
    setLost(false);
    return disconnect();
  };
  return socket;
}
