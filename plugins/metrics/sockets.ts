import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { socketHandler, type PluginSocket } from '../../core/index.ts';
import type { Samplers } from './samplers.ts';

const noPayload = z.union([z.undefined(), z.null(), z.object({}).strict()]);

/**
 * `subscribe` sends `sample` every tick (and `sample-error` when a read fails) until
 * `unsubscribe` or a disconnect. Every socket of a server shares its one sampler.
 */
export function metricsSockets(nsp: Namespace, samplers: Samplers): void {
  nsp.on('connection', (raw) => {
    const socket = raw as unknown as PluginSocket;
    const serverId = socket.data.server!.id;
    let leave: (() => void) | undefined;

    socket.on(
      'subscribe',
      socketHandler(noPayload, () => {
        if (!leave) {
          const sampler = samplers.of(serverId);
          // The newest figures at once, if any: a page need not wait a tick to show something.
          if (sampler.active && sampler.latest) socket.emit('sample', sampler.latest);
          leave = sampler.watch({
            sample: (s) => socket.emit('sample', s),
            error: (e) => socket.emit('sample-error', e),
          });
        }
        return { subscribed: true };
      }),
    );
    const stop = () => {
      leave?.();
      leave = undefined;
    };
    socket.on(
      'unsubscribe',
      socketHandler(noPayload, () => {
        stop();
        return { subscribed: false };
      }),
    );
    socket.on('disconnect', stop);
  });
}
