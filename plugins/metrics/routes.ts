import { z } from 'zod';
import { routeInput, type PluginRouter } from '../../core/index.ts';
import type { Samplers } from './samplers.ts';

const historyQuery = z.object({ range: z.enum(['1h', '24h']).default('1h') });

export function metricsRoutes(router: PluginRouter, samplers: Samplers): void {
  router.get('/', async (ctx) => {
    const gone = new AbortController(); // a client that hangs up stops waiting for the next tick
    ctx.res.once('close', () => ctx.res.writableFinished || gone.abort());
    ctx.body = await samplers.current(ctx.state.server!.id, gone.signal);
  });
  const historyInput = routeInput({ summary: 'Samples over the last hour or day.', query: historyQuery });
  router.get('/history', historyInput, (ctx) => {
    const { range } = historyInput.query(ctx);
    ctx.body = samplers.history(ctx.state.server!.id, range);
  });
}
