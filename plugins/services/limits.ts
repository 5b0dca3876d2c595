import { z } from 'zod';
import type { Host } from '../../core/index.ts';
import { servicesErrors } from './errors.ts';
import { ACTION_TIMEOUT_MS, showUnit, systemdError } from './systemctl.ts';

const CPU_QUOTA = /^([1-9]\d{0,4})%$/;
const MEMORY_MAX = /^(?:[1-9]\d{0,14}[KMGT]?|infinity)$/;

/** Each null removes that limit; anything but these exact shapes is refused before a write. */
export const limitsBody = z
  .object({
    cpuQuota: z
      .string()
      .regex(CPU_QUOTA, 'must be a percentage from 1% to 10000%')
      // Only for values of the right shape: "lots" gets one message, not two.
      .refine((v) => !CPU_QUOTA.test(v) || Number(CPU_QUOTA.exec(v)![1]) <= 10_000, 'must be at most 10000%')
      .nullable(),
    memoryMax: z.string().regex(MEMORY_MAX, 'must be bytes with an optional K, M, G or T suffix, or infinity').nullable(),
  })
  .strict();

export type Limits = z.infer<typeof limitsBody>;

/** Aura's own drop-in: the packaged unit file is never edited, so upgrades keep working. */
export const dropInPath = (unit: string) => `/etc/systemd/system/${unit}.d/50-aura-limits.conf`;

export function dropInContent(limits: Limits): string {
  return [
    '# Written by Aura. Delete this file and run `systemctl daemon-reload` to drop these limits.',
    '[Service]',
    ...(limits.cpuQuota ? [`CPUQuota=${limits.cpuQuota}`] : []),
    ...(limits.memoryMax ? [`MemoryMax=${limits.memoryMax}`] : []),
    '',
  ].join('\n');
}

/** Writes the drop-in (or removes it), reloads and restarts. Fixed names, so sudoers can list them. */
export function dropInCommands(unit: string, present: boolean): string[][] {
  const file = dropInPath(unit);
  const staged = `${file}.new`;
  const write = present
    ? [
        ['install', '-D', '-m', '0644', '/dev/stdin', staged],
        ['mv', '-f', staged, file],
      ]
    : [['rm', '-f', file]];
  return [...write, ['systemctl', 'daemon-reload'], ['systemctl', 'restart', unit]];
}

export const limitCommands = (unit: string, limits: Limits) => dropInCommands(unit, !!(limits.cpuQuota || limits.memoryMax));

async function runAll(host: Host, commands: string[][], content: string): Promise<void> {
  for (const argv of commands) {
    const r = await host.run(argv, {
      sudo: true,
      input: argv[0] === 'install' ? content : undefined,
      timeoutMs: ACTION_TIMEOUT_MS,
    });
    if (r.exitCode !== 0) throw systemdError(r, `${argv.join(' ')} failed`);
  }
}

/**
 * Writes (or removes) the drop-in, reloads, restarts, and answers with what systemd now
 * reports. If a step fails, the drop-in that was there before is put back. One change per
 * unit at a time (they share the staged file's name): one writer per plugin instance.
 */
export const limitsWriter = () => {
  const busy = new Map<string, Promise<unknown>>();
  return (host: Host, unit: string, limits: Limits) => applyLimits(busy, host, unit, limits);
};

export type LimitsWriter = ReturnType<typeof limitsWriter>;

async function applyLimits(busy: Map<string, Promise<unknown>>, host: Host, unit: string, limits: Limits) {
  if (!unit.endsWith('.service'))
    throw servicesErrors.LIMITS_NOT_SUPPORTED('CPU and memory limits apply to .service units only.');
  const key = `${host.id}\0${unit}`;
  const previous = busy.get(key) ?? Promise.resolve();
  const change = previous
    .catch(() => undefined)
    .then(async () => {
      await showUnit(host, unit);
      const before = await host.readFile(dropInPath(unit)).then(
        (b) => b.toString(),
        () => undefined,
      );
      try {
        await runAll(host, limitCommands(unit, limits), dropInContent(limits));
      } catch (err) {
        const restore = before === undefined ? { cpuQuota: null, memoryMax: null } : { cpuQuota: '1%', memoryMax: null };
        await runAll(host, limitCommands(unit, restore), before ?? '').catch(() => undefined);
        throw err;
      }
      const status = await showUnit(host, unit);
      return { cpuQuota: status.cpuQuota, memoryMax: status.memoryMax, dropIns: status.dropIns, status };
    });
  busy.set(key, change);
  try {
    return await change;
  } finally {
    if (busy.get(key) === change) busy.delete(key);
  }
}
