import { z } from 'zod';
import { defineTool, type ToolCall } from '../../core/index.ts';
import type { DockerClient } from './client.ts';
import { CONTAINER_ID, containerAction, listContainers } from './containers.ts';
import { readLogs } from './logs.ts';

const idInput = z.object({ id: z.string().regex(CONTAINER_ID).describe('A container id (or its start) or name.') });

export const dockerTools = (engineFor: (serverId: string) => DockerClient) => {
  const engine = (call: ToolCall) => engineFor(call.server!.id);
  return [
    defineTool({
      name: 'docker.list',
      description: "List a server's Docker containers, running or not, with image, state, ports and compose project.",
      input: z.object({}),
      readOnly: true,
      run: (_input, call) => listContainers(engine(call), call.signal),
    }),
    defineTool({
      name: 'docker.logs',
      description: "Read the last lines of a Docker container's stdout and stderr.",
      input: idInput.extend({ tail: z.number().int().min(1).max(1000).default(100) }),
      readOnly: true,
      run: ({ id, tail }, call) => readLogs(engine(call), id, tail, call.signal),
    }),
    defineTool({
      name: 'docker.restart',
      description: 'Restart a Docker container (it gets 10 s to stop before it is killed).',
      input: idInput,
      destructive: true,
      run: ({ id }, call) => containerAction(engine(call), id, 'restart', call.signal),
    }),
  ];
};
