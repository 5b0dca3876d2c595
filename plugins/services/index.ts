import { definePlugin } from '../../core/index.ts';
import { servicesConfig } from './config.ts';
import { servicesRoutes } from './routes.ts';
import { servicesSockets } from './sockets.ts';
import { servicesTools } from './tools.ts';
import { UsageTracker } from './usage.ts';

const usage = new UsageTracker();

/** systemd units a server runs for its owner: state, control, journal, limits, usage. */
export default definePlugin({
  id: 'services',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Services',
  description: 'Start, stop and watch the systemd services you run, and limit their CPU and memory.',
  scope: 'host',
  nav: { title: 'Services', icon: 'server', order: 10 },
  config: servicesConfig,
  readOnlyEvents: ['follow', 'unfollow'],
  routes: (router, ctx) => servicesRoutes(router, ctx, usage),
  sockets: servicesSockets,
  tools: servicesTools,
});
