import { z } from 'zod';
import { routeInput, validate, type PluginRouter } from '../../core/index.ts';
import type { ServicesConfig } from './config.ts';
import { readLogs } from './journal.ts';
import { limitsBody, type LimitsWriter } from './limits.ts';
import { runAction, showUnit, showUnits, type UnitAction } from './systemctl.ts';
import { managedUnit, managedUnits, privilegeOf } from './units.ts';
import type { UsageTracker } from './usage.ts';

const logsQuery = z.object({
  lines: z.coerce.number().int().min(1).max(5000).default(200),
  since: z.iso.datetime({ offset: true }).optional(),
});

export function servicesRoutes(router: PluginRouter, config: ServicesConfig, usage: UsageTracker, applyLimits: LimitsWriter) {
  /** The configured name wins over systemd's Id: for an alias they differ, and actions use ours. */
  const list = async (serverId: string, host: Parameters<typeof showUnits>[0]) => {
    const managed = managedUnits(config, serverId);
    const at = performance.now();
    const statuses = await showUnits(
      host,
      managed.map((u) => u.unit),
    );
    return statuses.map((s, i) => {
      const row = { ...s, ...managed[i]! };
      return { ...row, cpuPercent: usage.cpuPercent(serverId, row, at) };
    });
  };

  router.get('/', async (c) => {
    c.body = await list(c.state.server!.id, c.state.host!);
  });

  router.get('/usage', async (c) => {
    const rows = await list(c.state.server!.id, c.state.host!);
    c.body = rows.map(({ unit, activeState, subState, since, cpuPercent, memoryBytes }) => ({
      unit,
      activeState,
      subState,
      since,
      cpuPercent,
      memoryBytes,
    }));
  });

  router.get('/:unit', async (c) => {
    const unit = managedUnit(config, c.state.server!.id, c.params.unit);
    c.body = { ...(await showUnit(c.state.host!, unit.unit)), ...unit };
  });

  router.post('/:unit/:action', async (c) => {
    const unit = managedUnit(config, c.state.server!.id, c.params.unit);
    const action = validate(z.enum(['start', 'stop', 'restart']), c.params.action) as UnitAction;
    c.state.audit = { action: `services.${action}`, target: unit.unit };
    c.body = await runAction(c.state.host!, unit.unit, action, privilegeOf(config, c.state.server!.id));
  });

  const logsInput = routeInput({ summary: "The unit's journal: the last lines, or since a time.", query: logsQuery });
  router.get('/:unit/logs', logsInput, async (c) => {
    const unit = managedUnit(config, c.state.server!.id, c.params.unit);
    const q = logsInput.query(c);
    c.body = await readLogs(c.state.host!, unit.unit, { lines: q.lines, since: q.since ? new Date(q.since) : undefined });
  });

  const limitsInput = routeInput({ summary: "Sets the unit's CPUQuota and MemoryMax in a drop-in.", body: limitsBody });
  router.put('/:unit/limits', limitsInput, async (c) => {
    const unit = managedUnit(config, c.state.server!.id, c.params.unit);
    const limits = limitsInput.body(c);
    c.state.audit = { action: 'services.limits', target: `${unit.unit} cpu=${limits.cpuQuota} mem=${limits.memoryMax}` };
    c.body = await applyLimits(c.state.host!, unit.unit, limits, privilegeOf(config, c.state.server!.id));
  });
}
