import { defineTool, definePlugin } from '../../core/index.ts';
import { execConfig } from './config.ts';
import { execErrors } from './errors.ts';
import { CommandHistory } from './history.ts';
import { execBody, execRoutes } from './routes.ts';
import { rulesOf, runCommand } from './run.ts';

/** One shell line on a server, with its output and exit code, behind a guard rail. */
export default definePlugin({
  id: 'exec',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  title: 'Run command',
  description: 'Run one command on a server and read its output and exit code, with a guard rail against accidents.',
  scope: 'host',
  nav: { title: 'Run command', icon: 'terminal', order: 31 },
  config: execConfig,
  errors: execErrors,
  setup(ctx) {
    const rules = rulesOf(ctx.config);
    const history = new CommandHistory(ctx.store);
    return {
      routes: (router) => execRoutes(router, { config: ctx.config, rules, history, requireAdmin: ctx.guards.requireAdmin }),
      tools: ctx.config.agentTool
        ? [
            defineTool({
              name: 'exec.run',
              description:
                "Runs one shell command line on the server with the server user's sh -c and answers its stdout, stderr and exit code.",
              input: execBody,
              destructive: true,
              run: (input, call) =>
                runCommand(call.host!, input.command, {
                  config: ctx.config,
                  rules,
                  history,
                  timeoutSeconds: input.timeoutSeconds,
                  user: call.user.username,
                  serverId: call.server!.id,
                }),
            }),
          ]
        : [],
    };
  },
});
