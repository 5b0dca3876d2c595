import type { Namespace } from 'socket.io';
import { AuraError, type PluginContext, type PluginSocket } from '../../core/index.ts';
import type { ServicesConfig } from './config.ts';
import { followLogs } from './journal.ts';
import { managedUnit } from './units.ts';

/**
 * `follow {unit}` streams a unit's new journal entries as `log {unit, entry}` until
 * `unfollow {unit}`, a disconnect, or shutdown; then journalctl is stopped.
 */
export function servicesSockets(nsp: Namespace, ctx: PluginContext<ServicesConfig>): void {
  nsp.on('connection', (raw) => {
    const socket = raw as unknown as PluginSocket;
    const follows = new Map<string, AbortController>();
    const stopAll = () => {
      for (const ac of follows.values()) ac.abort();
      follows.clear();
    };
    const reply = (ack: unknown, body: unknown) => typeof ack === 'function' && (ack as (b: unknown) => void)(body);
    const fail = (ack: unknown, err: unknown) =>
      reply(
        ack,
        err instanceof AuraError ? { detail: err.message, code: err.code } : { detail: 'Following failed.', code: 'INTERNAL' },
      );

    socket.on('follow', (req: { unit?: unknown }, ack?: unknown) => {
      try {
        const { unit } = managedUnit(ctx.config, socket.data.server!.id, req?.unit);
        if (!follows.has(unit)) {
          const ac = new AbortController();
          follows.set(unit, ac);
          const stop = () => ac.abort();
          ctx.signal.addEventListener('abort', stop, { once: true });
          void followLogs(socket.data.host!, unit, ac.signal, (entry) => socket.emit('log', { unit, entry }))
            .catch((err: unknown) =>
              socket.emit('aura:error', { detail: (err as Error).message, code: (err as AuraError).code ?? 'INTERNAL' }),
            )
            .finally(() => {
              ctx.signal.removeEventListener('abort', stop);
              if (follows.get(unit) === ac) follows.delete(unit);
            });
        }
        reply(ack, { following: unit });
      } catch (err) {
        fail(ack, err);
      }
    });

    socket.on('unfollow', (req: { unit?: unknown }, ack?: unknown) => {
      const unit = typeof req?.unit === 'string' ? req.unit : '';
      follows.get(unit)?.abort();
      follows.delete(unit);
      reply(ack, { following: null });
    });

    socket.on('disconnect', stopAll);
  });
}
