import { z } from 'zod';
import { defineTool } from '../../core/index.ts';
import type { Samplers } from './samplers.ts';

export const metricsTools = (samplers: Samplers) => [
  defineTool({
    name: 'metrics.snapshot',
    description:
      "A server's CPU (total, per core, load), memory (used = total - available), disks, network rates, uptime, and its top 10 processes by CPU and by memory.",
    input: z.object({}),
    readOnly: true,
    run: (_input, call) => samplers.current(call.server!.id, call.signal),
  }),
];
