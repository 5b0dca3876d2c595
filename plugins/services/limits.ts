import { z } from 'zod';
import { type Host } from '../../core/index.ts';
import { showUnit, systemdError } from './systemctl.ts';

const CPU_QUOTA = /^([1-9]\d{0,4})%$/;
const MEMORY_MAX = /^(?:[1-9]\d{0,14}[KMGT]?|infinity)$/;

/** Each null removes that limit; anything but these exact shapes is refused before a write. */
export const limitsBody = z
  .object({
    cpuQuota: z
      .string()
      .regex(CPU_QUOTA, 'must be a percentage from 1% to 10000%')
      .refine((v) => Number(CPU_QUOTA.exec(v)?.[1]) <= 10_000, 'must be at most 10000%')
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

/** Fixed names, so a sudoers file can list these exact commands. */
export function limitCommands(unit: string, limits: Limits): string[][] {
  const file = dropInPath(unit);
  const staged = `${file}.new`;
  const write =
    limits.cpuQuota || limits.memoryMax
      ? [
          ['install', '-D', '-m', '0644', '/dev/stdin', staged],
          ['mv', '-f', staged, file],
        ]
      : [['rm', '-f', file]];
  return [...write, ['systemctl', 'daemon-reload'], ['systemctl', 'restart', unit]];
}

/** Writes (or removes) the drop-in, reloads, restarts, and answers with what systemd now reports. */
export async function applyLimits(host: Host, unit: string, limits: Limits) {
  await showUnit(host, unit);
  for (const argv of limitCommands(unit, limits)) {
    const r = await host.run(argv, {
      sudo: true,
      input: argv[0] === 'install' ? dropInContent(limits) : undefined,
      timeoutMs: 90_000,
    });
    if (r.exitCode !== 0) throw systemdError(r, `${argv.join(' ')} failed`);
  }
  const status = await showUnit(host, unit);
  return { cpuQuota: status.cpuQuota, memoryMax: status.memoryMax, dropIns: status.dropIns, status };
}
