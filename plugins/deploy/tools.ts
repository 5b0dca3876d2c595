import { z } from 'zod';
import { defineTool, type AgentTool } from '../../core/index.ts';
import type { Deployer } from './deployer.ts';
import type { RunHistory } from './runs.ts';

export function deployTools(deployer: Deployer, history: RunHistory): AgentTool[] {
  return [
    defineTool({
      name: 'deploy.apps',
      description: "The server's deployable apps: branch, unit, current commit and the last run's result.",
      input: z.object({}).strict(),
      readOnly: true,
      run: (_input, call) => deployer.apps(call.server!.id, call.signal),
    }),
    defineTool({
      name: 'deploy.history',
      description: 'Past deploy runs on the server, newest first, optionally of one app: status, commits, who, when.',
      input: z.object({ app: z.string().max(80).optional(), limit: z.number().int().min(1).max(50).default(10) }).strict(),
      readOnly: true,
      run: (input, call) => {
        if (input.app !== undefined) deployer.app(call.server!.id, input.app);
        return Promise.resolve(history.list(call.server!.id, input.app, input.limit));
      },
    }),
    defineTool({
      name: 'deploy.run',
      description:
        'Deploys an app: git fetch and fast-forward (or an earlier commit of its branch), install, build, restart, health check; rolls back on failure. Answers the run id at once.',
      input: z.object({ app: z.string().max(80), commit: z.string().max(64).optional() }).strict(),
      destructive: true,
      run: async (input, call) => {
        const run = await deployer.start(
          call.server!.id,
          input.app,
          { user: call.user.username, trigger: 'agent' },
          input.commit,
        );
        return { runId: run.id };
      },
    }),
  ];
}
