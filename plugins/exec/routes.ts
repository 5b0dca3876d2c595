import { z } from 'zod';
import { validate, type PluginRouter } from '../../core/index.ts';
import type { ExecConfig } from './config.ts';
import type { CommandHistory } from './history.ts';
import { runCommand, type rulesOf } from './run.ts';

export const execBody = z
  .object({
    command: z
      .string()
      .min(1)
      .max(8192)
      .refine((c) => !c.includes('\0'), 'must not contain NUL bytes')
      .refine((c) => c.trim().length > 0, 'must not be blank'),
    timeoutSeconds: z.number().int().min(1).max(600).optional(),
  })
  .strict();

/** Every route is for admins: a shell line is root on the box in all but name. */
export function execRoutes(
  router: PluginRouter,
  deps: {
    config: ExecConfig;
    rules: ReturnType<typeof rulesOf>;
    history: CommandHistory;
    requireAdmin: Parameters<PluginRouter['use']>[0];
  },
): void {
  router.use(deps.requireAdmin);

  router.post('/', async (c) => {
    const { command, timeoutSeconds } = validate(execBody, c.request.body);
    c.state.audit = { action: 'exec.run', target: command };
    c.body = await runCommand(c.state.host!, command, {
      ...deps,
      timeoutSeconds,
      user: c.state.user!.username,
      serverId: c.state.server!.id,
    });
  });

  router.get('/history', (c) => {
    c.body = deps.history.list(c.state.user!.username, c.state.server!.id);
  });
}
