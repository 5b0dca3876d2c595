import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { socketHandler, type PluginSocket } from '../../core/index.ts';
import type { Samplers } from './samplers.ts';

const noPayload = z.union([z.undefined(), z.null(), z.object({}).strict()]);

/**
 * `subscribe` sends `sample` every tick (and `sample-error` when a read fails) until
 * `unsubscribe` or a disconnect. Subscribers of a server share a room, and the room one
 * watcher of the server's sampler: each sample is encoded once, however many watch.
 */
export function metricsSockets(nsp: Namespace, samplers: Samplers): void {
  const watching = new Map<string, () => void>();
  const roomOf = (serverId: string) => `server:${serverId}`;

  const join = (socket: PluginSocket, serverId: string) => {
    const room = roomOf(serverId);
    const sampler = samplers.of(serverId);
    // The newest figures at once, if any: a page need not wait a tick to show something.
    if (sampler.active && sampler.latest) socket.emit('sample', sampler.latest);
    void socket.join(room);
    if (!watching.has(serverId))
      watching.set(
        serverId,
        sampler.watch({
          sample: (s) => nsp.to(room).emit('sample', s),
          error: (e) => nsp.to(room).emit('sample-error', e),
        }),
      );
  };
  const leave = (socket: PluginSocket, serverId: string) => {
    void socket.leave(roomOf(serverId));
    if (nsp.adapter.rooms.get(roomOf(serverId))?.size) return;
    watching.get(serverId)?.();
    watching.delete(serverId);
  };

  nsp.on('connection', (raw) => {
    const socket = raw as unknown as PluginSocket;
    const serverId = socket.data.server!.id;
    socket.on(
      'subscribe',
      socketHandler(noPayload, () => {
        if (!socket.rooms.has(roomOf(serverId))) join(socket, serverId);
        return { subscribed: true };
      }),
    );
    socket.on(
      'unsubscribe',
      socketHandler(noPayload, () => {
        leave(socket, serverId);
        return { subscribed: false };
      }),
    );
    // socket.io has already taken the socket out of its rooms when 'disconnect' fires.
    socket.on('disconnect', () => leave(socket, serverId));
  });
}
