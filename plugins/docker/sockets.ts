import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { socketHandler, toErrorBody, type PluginSocket } from '../../core/index.ts';
import type { DockerClient } from './client.ts';
import { containerId } from './containers.ts';
import { dockerErrors } from './errors.ts';
import type { LogFollows } from './follows.ts';

const idPayload = z.object({ id: z.unknown() });

/**
 * `follow {id}` streams a container's new log lines as `log {id, stream, time, text}` until
 * `unfollow {id}`, a disconnect, or the container's end (then `end {id}`); a stream that
 * breaks off says so as `aura:error` with the id.
 */
export function dockerSockets(
  nsp: Namespace,
  deps: { engineFor(serverId: string): DockerClient; follows: LogFollows; signal: AbortSignal },
): void {
  nsp.on('connection', (raw) => {
    const socket = raw as unknown as PluginSocket;
    const serverId = socket.data.server!.id;
    /** Per container followed here: the pending join, then the way out of it. */
    const leave = new Map<string, Promise<() => void>>();
    const drop = (id: string) => {
      const joining = leave.get(id);
      leave.delete(id);
      joining?.then((stop) => stop()).catch(() => undefined);
    };

    socket.on(
      'follow',
      socketHandler(idPayload, async (req) => {
        if (deps.signal.aborted) throw dockerErrors.SHUTTING_DOWN('Aura is stopping.');
        const id = containerId(req.id);
        let joining = leave.get(id);
        if (!joining) {
          // The stream is shared by every watcher: it runs on the server's own engine, not on
          // this socket's host (which ends when this socket goes).
          joining = deps.follows.join(serverId, deps.engineFor(serverId), id, {
            line: (line) => socket.emit('log', { id, ...line }),
            end: () => {
              leave.delete(id);
              socket.emit('end', { id });
            },
            error: (err) => {
              leave.delete(id);
              socket.emit('aura:error', { ...toErrorBody(err).body, id });
            },
          });
          leave.set(id, joining);
          joining.catch(() => leave.get(id) === joining && leave.delete(id));
        }
        await joining;
        return { following: id };
      }),
    );

    socket.on(
      'unfollow',
      socketHandler(idPayload, (req) => {
        drop(containerId(req.id));
        return { following: null };
      }),
    );

    socket.on('disconnect', () => {
      for (const id of [...leave.keys()]) drop(id);
    });
  });
}
