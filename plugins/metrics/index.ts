import { definePlugin } from '../../core/index.ts';
import { metricsConfig } from './config.ts';
import { metricsErrors } from './errors.ts';
import { registerHostMetrics } from './prometheus.ts';
import { metricsRoutes } from './routes.ts';
import { Samplers } from './samplers.ts';
import { metricsSockets } from './sockets.ts';
import { metricsTools } from './tools.ts';

/** Live CPU, memory, disks, network and top processes per server: one shared sampler each. */
export default definePlugin({
  id: 'metrics',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Metrics',
  description: 'Live CPU, memory, disk and network figures, an hour and a day of history, and the top processes.',
  scope: 'host',
  nav: { title: 'Metrics', icon: 'chart', order: 5 },
  config: metricsConfig,
  readOnlyEvents: ['subscribe', 'unsubscribe'],
  errors: metricsErrors,
  setup(ctx) {
    const samplers = new Samplers({
      hosts: ctx.hosts,
      intervalMs: ctx.config.intervalSeconds * 1000,
      now: Date.now,
      log: ctx.log,
    });
    const known = new Set(ctx.hosts.list().map((s) => s.id));
    for (const serverId of ctx.config.alwaysSample) {
      if (known.has(serverId)) samplers.of(serverId).pin();
      else ctx.log.warn({ server: serverId }, 'metrics: alwaysSample names a server that is not configured');
    }
    registerHostMetrics(ctx.prometheus, samplers);
    return {
      routes: (router) => metricsRoutes(router, samplers),
      sockets: (nsp) => metricsSockets(nsp, samplers),
      tools: metricsTools(samplers),
      api: samplers,
      stop: () => samplers.stopAll(),
    };
  },
});
