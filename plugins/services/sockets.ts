import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { socketHandler, toErrorBody, type PluginContext, type PluginSocket } from '../../core/index.ts';
import { servicesErrors } from './errors.ts';
import type { ServicesConfig } from './config.ts';
import type { JournalFollows } from './follows.ts';
import { managedUnit } from './units.ts';

const unitPayload = z.object({ unit: z.unknown() });

/**
 * `follow {unit}` streams a unit's new journal entries as `log {unit, entry}` until
 * `unfollow {unit}`, a disconnect, or shutdown; a journalctl that fails says so as `aura:error`.
 */
export function servicesSockets(nsp: Namespace, ctx: PluginContext<ServicesConfig>, follows: JournalFollows): void {
  nsp.on('connection', (raw) => {
    const socket = raw as unknown as PluginSocket;
    const leave = new Map<string, () => void>();

    socket.on(
      'follow',
      socketHandler(unitPayload, (req) => {
        if (ctx.signal.aborted) throw servicesErrors.SHUTTING_DOWN('Aura is stopping.');
        const { unit } = managedUnit(ctx.config, socket.data.server!.id, req.unit);
        if (!leave.has(unit))
          leave.set(
            unit,
            // The journalctl is shared by every watcher: it runs on the server's own host, not
            // on this socket's (which ends when this socket goes).
            follows.join(socket.data.server!.id, ctx.hosts.get(socket.data.server!.id), unit, {
              entry: (entry) => socket.emit('log', { unit, entry }),
              error: (err) => {
                leave.delete(unit);
                socket.emit('aura:error', { ...toErrorBody(err).body, unit });
              },
            }),
          );
        return { following: unit };
      }),
    );

    socket.on(
      'unfollow',
      socketHandler(unitPayload, (req) => {
        if (typeof req.unit !== 'string') throw servicesErrors.INVALID_UNIT('unit must be a unit name like app.service.');
        const unit = req.unit;
        leave.get(unit)?.();
        leave.delete(unit);
        return { following: null };
      }),
    );

    socket.on('disconnect', () => {
      for (const stop of leave.values()) stop();
      leave.clear();
    });
  });
}
