import { definePlugin, type PluginContext } from '../../core/index.ts';
import { servicesConfig, type ServicesConfig } from './config.ts';
import { JournalFollows } from './follows.ts';
import { servicesRoutes } from './routes.ts';
import { servicesSockets } from './sockets.ts';
import { servicesTools } from './tools.ts';
import { UsageTracker } from './usage.ts';

/** Journal follows per server: each holds one SSH session of the ten sshd allows by default. */
const FOLLOWS_PER_SERVER = 3;

/** State of one running instance (one Aura may run beside another in a test process). */
const instances = new WeakMap<PluginContext<ServicesConfig>, { usage: UsageTracker; follows: JournalFollows }>();
const stateOf = (ctx: PluginContext<ServicesConfig>) => {
  let state = instances.get(ctx);
  if (!state) instances.set(ctx, (state = { usage: new UsageTracker(), follows: new JournalFollows(FOLLOWS_PER_SERVER) }));
  return state;
};

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
  routes: (router, ctx) => servicesRoutes(router, ctx, stateOf(ctx).usage),
  sockets: (nsp, ctx) => servicesSockets(nsp, ctx, stateOf(ctx).follows),
  tools: servicesTools,
  stop: (ctx) => stateOf(ctx).follows.stopAll(),
});
