import { z } from 'zod';
import { defineTool, type PluginContext } from '../../core/index.ts';
import { UNIT_NAME, type ServicesConfig } from './config.ts';
import { readLogs } from './journal.ts';
import { runAction, showUnit, showUnits } from './systemctl.ts';
import { managedUnit, managedUnits, privilegeOf } from './units.ts';

const unitInput = z.object({ unit: z.string().regex(UNIT_NAME) });

export const servicesTools = (ctx: PluginContext<ServicesConfig>) => [
  defineTool({
    name: 'services.list',
    description: 'List the systemd services Aura manages on a server, with state, CPU and memory.',
    input: z.object({}),
    readOnly: true,
    run: (_input, call) =>
      showUnits(
        call.host!,
        managedUnits(ctx.config, call.server!.id).map((u) => u.unit),
      ),
  }),
  defineTool({
    name: 'services.status',
    description: 'Show the status of one managed systemd service.',
    input: unitInput,
    readOnly: true,
    run: ({ unit }, call) => showUnit(call.host!, managedUnit(ctx.config, call.server!.id, unit).unit),
  }),
  defineTool({
    name: 'services.logs',
    description: 'Read the last lines of a managed service journal.',
    input: unitInput.extend({ lines: z.number().int().min(1).max(500).default(50) }),
    readOnly: true,
    run: ({ unit, lines }, call) => readLogs(call.host!, managedUnit(ctx.config, call.server!.id, unit).unit, { lines }),
  }),
  defineTool({
    name: 'services.restart',
    description: 'Restart a managed systemd service.',
    input: unitInput,
    destructive: true,
    run: ({ unit }, call) =>
      runAction(
        call.host!,
        managedUnit(ctx.config, call.server!.id, unit).unit,
        'restart',
        privilegeOf(ctx.config, call.server!.id),
      ),
  }),
];
