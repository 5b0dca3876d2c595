import { defineTool, type AgentTool, type PluginAudit } from '../../core/index.ts';
import type { ExecConfig } from './config.ts';
import type { CommandHistory } from './history.ts';
import { execBody } from './routes.ts';
import { runCommand, type Rules } from './run.ts';

/**
 * `exec.run`, only with `plugins.exec.agentTool: true`: destructive, so the agent asks before
 * each call; the same guard rail, limits and history as the route. The core audits the call as
 * `tool.exec.run`; the command itself goes in an `exec.run` entry beside it.
 */
export function execTools(deps: {
  config: ExecConfig;
  rules: Rules;
  history: CommandHistory;
  redact: (text: string) => string;
  audit: PluginAudit;
}): AgentTool[] {
  return [
    defineTool({
      name: 'exec.run',
      description:
        "Runs one shell command line on the server with the server user's sh -c and answers its stdout, stderr, exit code and duration. " +
        'Dangerous commands (rm -rf /, mkfs, dd onto a device, shutdown and the like) are refused.',
      input: execBody,
      destructive: true,
      async run(input, call) {
        const entry = { user: call.user.username, server: call.server!.id, action: 'run', target: deps.redact(input.command) };
        let result: Awaited<ReturnType<typeof runCommand>>;
        try {
          result = await runCommand(call.host!, input.command, {
            ...deps,
            timeoutSeconds: input.timeoutSeconds,
            user: call.user.username,
            serverId: call.server!.id,
          });
        } catch (err) {
          await deps.audit.record({ ...entry, result: 'failure', detail: (err as Error).message });
          throw err;
        }
        await deps.audit.record({ ...entry, result: 'success', detail: `exit code ${result.exitCode}` });
        return result;
      },
    }),
  ];
}
