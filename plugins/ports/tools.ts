import { z } from 'zod';
import { defineTool } from '../../core/index.ts';
import { listPorts } from './ss.ts';

export const portsTools = () => [
  defineTool({
    name: 'ports.list',
    description: 'List the TCP and UDP ports a server listens on, with the owning process and pid.',
    input: z.object({}),
    readOnly: true,
    run: (_input, call) => listPorts(call.host!, call.signal),
  }),
];
