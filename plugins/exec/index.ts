import { definePlugin } from '../../core/index.ts';
import { execConfig } from './config.ts';
import { execErrors } from './errors.ts';
import { CommandHistory } from './history.ts';
import { execRoutes } from './routes.ts';
import { rulesOf } from './run.ts';
import { execTools } from './tools.ts';

/** One shell line on a server, with its output and exit code, behind a guard rail. */
export default definePlugin({
  id: 'exec',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Run command',
  description: 'Run one command on a server and read its output and exit code, with a guard rail against accidents.',
  scope: 'host',
  nav: { title: 'Run command', icon: 'code', order: 31 },
  config: execConfig,
  errors: execErrors,
  setup(ctx) {
    const rules = rulesOf(ctx.config);
    const history = new CommandHistory(ctx.store);
    const deps = { config: ctx.config, rules, history, redact: ctx.redact };
    return {
      routes: (router) => execRoutes(router, { ...deps, requireAdmin: ctx.guards.requireAdmin }),
      tools: ctx.config.agentTool ? execTools({ ...deps, audit: ctx.audit }) : [],
    };
  },
});
