import { definePlugin } from '../../core/index.ts';
import { servicesApi } from './api.ts';
import { servicesConfig } from './config.ts';
import { servicesErrors } from './errors.ts';
import { JournalFollows } from './follows.ts';
import { limitsWriter } from './limits.ts';
import { servicesRoutes } from './routes.ts';
import { servicesSockets } from './sockets.ts';
import { polkitCommand } from './polkit.ts';
import { sudoersCommand } from './sudoers.ts';
import { servicesTools } from './tools.ts';
import { UsageTracker } from './usage.ts';

/** Journal follows per server: each holds one SSH session of the ten sshd allows by default. */
const FOLLOWS_PER_SERVER = 3;

/** systemd units a server runs for its owner: state, control, journal, limits, usage. */
export default definePlugin({
  id: 'services',
  version: '0.2.0',
  coreVersion: '^0.1.0',
  title: 'Services',
  description: 'Start, stop and watch the systemd services you run, and limit their CPU and memory.',
  scope: 'host',
  nav: { title: 'Services', icon: 'server', order: 10 },
  config: servicesConfig,
  // sd_booted()'s own test: systemd is PID 1 exactly when this folder exists.
  conditions: [
    {
      pathExists: '/run/systemd/system',
      reason: 'This server does not run systemd (its PID 1 is something else), so it has no services to manage.',
    },
  ],
  readOnlyEvents: ['follow', 'unfollow'],
  errors: servicesErrors,
  commands: { sudoers: sudoersCommand, polkit: polkitCommand },
  setup(ctx) {
    const usage = new UsageTracker();
    const follows = new JournalFollows(FOLLOWS_PER_SERVER);
    const applyLimits = limitsWriter();
    return {
      routes: (router) => servicesRoutes(router, ctx.config, usage, applyLimits),
      sockets: (nsp) => servicesSockets(nsp, ctx, follows),
      tools: servicesTools(ctx),
      api: servicesApi(ctx.hosts, ctx.config),
      stop: () => follows.stopAll(),
    };
  },
});
