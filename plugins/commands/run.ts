import { coreErrors, outputBeforeTimeout, type Host } from '../../core/index.ts';
import type { CommandTool } from './config.ts';
import { commandsErrors } from './errors.ts';
import { fillArgv } from './params.ts';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
  truncated: boolean;
}

/** The tools offered on a server: those without `servers`, and those that name it. */
export const offeredOn = (tool: CommandTool, serverId: string) => !tool.servers || tool.servers.includes(serverId);

/** The tool by id, if it is offered on this server; else 404 saying which of the two is wrong. */
export function findTool(tools: CommandTool[], id: string, serverId: string): CommandTool {
  const tool = tools.find((t) => t.id === id);
  if (!tool) throw commandsErrors.COMMAND_NOT_FOUND(`No tool "${id}" in plugins.commands.tools.`);
  if (!offeredOn(tool, serverId))
    throw commandsErrors.COMMAND_NOT_FOUND(`"${id}" is not offered on ${serverId}; it runs on ${tool.servers!.join(', ')}.`);
  return tool;
}

/**
 * Runs the tool's argv with the values in place, each a whole argument: no shell reads them.
 * A non-zero exit is an answer, not an error; a timeout is 504 with the output so far.
 */
export async function runTool(
  host: Host,
  tool: CommandTool,
  values: Record<string, string>,
  opts: { maxOutputKb: number },
): Promise<ToolResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    const r = await host.run(fillArgv(tool, values), {
      sudo: tool.sudo,
      timeoutMs: tool.timeoutSeconds * 1000,
      maxOutputBytes: opts.maxOutputKb * 1024,
    });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, durationMs: took(), truncated: r.truncated };
  } catch (err) {
    const partial = outputBeforeTimeout(err);
    if (!partial) throw err;
    throw coreErrors.COMMAND_TIMEOUT(
      `"${tool.id}" ran past ${tool.timeoutSeconds} s and was stopped, with everything it started.`,
      {
        ...partial,
        exitCode: null,
        durationMs: took(),
      },
    );
  }
}
