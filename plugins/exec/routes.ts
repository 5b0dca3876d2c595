import { z } from 'zod';
import { routeInput, type PluginRouter } from '../../core/index.ts';
import { TIMEOUT_CEILING_SECONDS, type ExecConfig } from './config.ts';
import type { CommandHistory } from './history.ts';
import { runCommand, type Rules } from './run.ts';

export const MAX_COMMAND_LENGTH = 8192;

/** One shell line: what the route and the agent tool take. */
export const execBody = z
  .object({
    command: z
      .string()
      .min(1)
      .max(MAX_COMMAND_LENGTH)
      .refine((c) => !c.includes('\0'), 'must not contain NUL bytes')
      .refine((c) => c.trim().length > 0, 'must not be blank'),
    timeoutSeconds: z.number().int().min(1).max(TIMEOUT_CEILING_SECONDS).optional(),
  })
  .strict();

/** Every route is for admins, reads included: a shell line is root on the box in all but name. */
export function execRoutes(
  router: PluginRouter,
  deps: {
    config: ExecConfig;
    rules: Rules;
    history: CommandHistory;
    requireAdmin: Parameters<PluginRouter['use']>[0];
    redact: (text: string) => string;
  },
): void {
  const input = routeInput({ summary: 'Runs one shell line and answers its output and exit code.', body: execBody });
  router.post('/', deps.requireAdmin, input, async (c) => {
    const { command, timeoutSeconds } = input.body(c);
    // The core writes the entry once the request is over (cut to 300 characters), refused or not.
    c.state.audit = { action: 'exec.run', target: deps.redact(command) };
    c.body = await runCommand(c.state.host!, command, {
      ...deps,
      timeoutSeconds,
      user: c.state.user!.username,
      serverId: c.state.server!.id,
    });
  });

  router.get('/history', deps.requireAdmin, (c) => {
    c.body = deps.history.list(c.state.user!.username, c.state.server!.id);
  });
}
