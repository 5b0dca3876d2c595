import { io, type Socket } from 'socket.io-client';
import { checkNow, connection } from './connection.svelte.ts';
import { notify } from './toasts.svelte.ts';

export { connection };

/**
 * Opens the plugin's namespace (for a server, when the plugin is host-scoped). socket.io
 * reconnects by itself; while it is away `connection.lost` counts it and the heartbeat is
 * asked at once, so the shell's banner appears without waiting for the next beat.
 */
export function pluginSocket(pluginId: string, serverId?: string): Socket {
  const socket = io(`/${pluginId}`, { auth: serverId ? { serverId } : {}, transports: ['websocket'] });
  let lost = false;
  const setLost = (value: boolean) => {
    if (value !== lost) connection.lost += value ? 1 : -1;
    // A dropped socket is the first sign Aura went away: ask the heartbeat now, not in 5 s.
    if (value && !lost) void checkNow();
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
