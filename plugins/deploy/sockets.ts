import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { socketHandler, type PluginSocket } from '../../core/index.ts';
import { deployErrors } from './errors.ts';
import { FINAL, type RunHistory } from './runs.ts';

const runPayload = z.object({ runId: z.string().uuid() }).strict();

/**
 * `watch { runId }` (viewers too) acknowledges `{ runId, status, steps }`, then sends what the
 * run printed so far and `line`, `step` and `status` as it goes, until it ends; a finished
 * run's log comes whole, then its status.
 */
export function deploySockets(nsp: Namespace, history: RunHistory): void {
  nsp.on('connection', (raw) => {
    const socket = raw as unknown as PluginSocket;
    const serverId = socket.data.server!.id;
    const watching = new Map<string, () => void>();
    const stop = (runId: string) => {
      watching.get(runId)?.();
      watching.delete(runId);
    };

    socket.on(
      'watch',
      socketHandler(runPayload, ({ runId }) => {
        stop(runId);
        const live = history.liveRun(runId);
        // A run that has ended stays live until its log file is whole; it sends no more events.
        if (live && live.record.serverId === serverId && !FINAL.has(live.record.status)) {
          const { status, steps } = live.record;
          // What the run printed so far and what comes meanwhile wait for the acknowledgement,
          // so a watcher always hears `{ runId, status, steps }` first.
          let queued: [string, unknown][] | undefined = [];
          const send = (event: string, payload: unknown) =>
            queued ? queued.push([event, payload]) : socket.emit(event, payload);
          const unwatch = live.watch({
            line: (line) => send('line', { runId, ...line }),
            step: (step) => send('step', { runId, ...step }),
            status: (s) => {
              send('status', { runId, status: s });
              if (FINAL.has(s)) stop(runId);
            },
          });
          watching.set(runId, unwatch);
          setImmediate(() => {
            for (const [event, payload] of queued ?? []) socket.emit(event, payload);
            queued = undefined;
          });
          return { runId, status, steps: structuredClone(steps) };
        }
        const past = history.get(serverId, runId);
        if (!past) throw deployErrors.RUN_NOT_FOUND(`No run ${runId} on ${serverId}.`);
        // After the acknowledgement, as for a live run.
        setImmediate(() => {
          for (const line of past.log) socket.emit('line', { runId, ...line });
          socket.emit('status', { runId, status: past.status });
        });
        return { runId, status: past.status, steps: past.steps };
      }),
    );
    socket.on(
      'unwatch',
      socketHandler(runPayload, ({ runId }) => {
        stop(runId);
        return { runId };
      }),
    );
    socket.on('disconnect', () => {
      for (const runId of [...watching.keys()]) stop(runId);
    });
  });
}
