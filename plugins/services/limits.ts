import { z } from 'zod';
import type { Host } from '../../core/index.ts';
import type { Privilege } from './config.ts';
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

/**
 * The polkit way: one `systemctl set-property`, which systemd applies to the running unit and
 * keeps in /etc/systemd/system.control/ itself; an empty CPUQuota= and MemoryMax=infinity
 * remove the limits. One command, so there is nothing half-done to put back.
 */
export const setPropertyArgv = (unit: string, limits: Limits) => [
  'systemctl',
  'set-property',
  unit,
  `CPUQuota=${limits.cpuQuota ?? ''}`,
  `MemoryMax=${limits.memoryMax ?? 'infinity'}`,
];

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
 * Sets the unit's limits and answers with what systemd now reports. Through sudo: writes (or
 * removes) Aura's drop-in, reloads and restarts, putting back the drop-in that was there if a
 * step fails. Through polkit: one set-property. One change per unit at a time (the sudo way's
 * steps share the staged file's name): one writer per plugin instance.
 */
export const limitsWriter = () => {
  const busy = new Map<string, Promise<unknown>>();
  return async (host: Host, unit: string, limits: Limits, privilege: Privilege) => {
    if (!unit.endsWith('.service'))
      throw servicesErrors.LIMITS_NOT_SUPPORTED('CPU and memory limits apply to .service units only.');
    const key = `${host.id}\0${unit}`;
    const change = (busy.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        await showUnit(host, unit);
        await (privilege === 'polkit' ? setProperty(host, unit, limits) : writeDropIn(host, unit, limits));
        const status = await showUnit(host, unit);
        return { cpuQuota: status.cpuQuota, memoryMax: status.memoryMax, dropIns: status.dropIns, status };
      });
    busy.set(key, change);
    try {
      return await change;
    } finally {
      if (busy.get(key) === change) busy.delete(key);
    }
  };
};

export type LimitsWriter = ReturnType<typeof limitsWriter>;

async function setProperty(host: Host, unit: string, limits: Limits): Promise<void> {
  const r = await host.run(setPropertyArgv(unit, limits), { timeoutMs: ACTION_TIMEOUT_MS });
  if (r.exitCode !== 0) throw systemdError(r, `systemctl set-property ${unit} failed`);
}

async function writeDropIn(host: Host, unit: string, limits: Limits): Promise<void> {
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
}
