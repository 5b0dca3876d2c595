import { defineTool, type AgentTool } from '../../core/index.ts';
import type { CommandTool } from './config.ts';
import { commandLine, paramsSchema } from './params.ts';
import { findTool, runTool } from './run.ts';

/**
 * `commands.<id>` for each configured tool, taking its parameters. The core adds the serverId,
 * asks the user before a tool that is not read-only, and audits those.
 */
export function commandsTools(deps: { tools: CommandTool[]; maxOutputKb: number }): AgentTool[] {
  return deps.tools.map((tool) =>
    defineTool({
      name: `commands.${tool.id}`,
      description: `${tool.title}: ${tool.description} Runs \`${commandLine(tool.argv)}\`${
        tool.servers ? `, only on ${tool.servers.join(', ')}` : ''
      }; answers stdout, stderr, exit code and duration.`,
      input: paramsSchema(tool),
      readOnly: tool.readOnly,
      destructive: !tool.readOnly,
      run: (values, call) => {
        findTool(deps.tools, tool.id, call.server!.id);
        return runTool(call.host!, tool, values as Record<string, string>, deps);
      },
    }),
  );
}
