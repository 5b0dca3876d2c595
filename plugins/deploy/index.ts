import { definePlugin } from '../../core/index.ts';
import { deployConfig } from './config.ts';
import { Deployer } from './deployer.ts';
import { deployErrors } from './errors.ts';
import { deployRoutes, deployWebhook } from './routes.ts';
import { RunHistory } from './runs.ts';
import { sandboxCommand } from './sandbox.ts';
import { deploySockets } from './sockets.ts';
import { deployTools } from './tools.ts';

/** git deploys of plain systemd apps: pull, install, build, restart, health check, rollback. */
export default definePlugin({
  id: 'deploy',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Deploy',
  description: 'Deploy your apps from git: fetch, install, build, restart, check, and roll back when it fails.',
  scope: 'host',
  nav: { title: 'Deploy', icon: 'deploy', order: 25 },
  config: deployConfig,
  dependencies: ['services'],
  // Each app names the variable holding its webhook secret.
  secrets: (config) => Object.values(config.apps).flatMap((apps) => apps.flatMap((a) => a.webhookSecretEnv ?? [])),
  readOnlyEvents: ['watch', 'unwatch'],
  errors: deployErrors,
  commands: { sandbox: sandboxCommand },
  async setup(ctx) {
    const history = new RunHistory(ctx.store, ctx.dataDir, ctx.config.keepRuns, ctx.redact);
    await history.markInterrupted();
    const deployer = new Deployer({
      config: ctx.config,
      hosts: ctx.hosts,
      history,
      audit: ctx.audit,
      secrets: ctx.secrets,
      restart: async (serverId, unit) => {
        const { status } = await ctx.deps.services.restart(serverId, unit);
        return { active: status.activeState === 'active', state: `${status.activeState} (${status.subState})` };
      },
      shutdown: ctx.signal,
      onError: (err) => ctx.log.error({ err }, 'deploy: a run failed unexpectedly'),
    });
    return {
      routes: (router) => deployRoutes(router, { deployer, history, requireAdmin: ctx.guards.requireAdmin }),
      publicRoutes: (router) => deployWebhook(router, deployer),
      sockets: (nsp) => deploySockets(nsp, history),
      tools: deployTools(deployer, history),
      // Aura's shutdown has aborted the runs: wait for them to kill their steps and say so.
      stop: () => deployer.settled(),
    };
  },
});
