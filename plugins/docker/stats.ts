import type Dockerode from 'dockerode';
import type { DockerClient } from './client.ts';
import { dockerErrors } from './errors.ts';

export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  rxBytes: number;
  txBytes: number;
}

/**
 * `docker stats`' own arithmetic: the container's CPU time over the machine's between the two
 * samples the engine took, times the CPUs, so 100 is one CPU busy; memory without the page
 * cache the kernel can drop (inactive_file on cgroup v2, total_inactive_file on v1).
 */
export function statsFrom(s: Dockerode.ContainerStats): ContainerStats {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const memory = s.memory_stats ?? {};
  const stats = (memory.stats ?? {}) as Record<string, number | undefined>;
  const cache = stats.inactive_file ?? stats.total_inactive_file ?? 0;
  const usage = memory.usage ?? 0;
  let rxBytes = 0;
  let txBytes = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rxBytes += n.rx_bytes;
    txBytes += n.tx_bytes;
  }
  return {
    cpuPercent: Math.round(cpuPercent * 100) / 100,
    memoryBytes: cache < usage ? usage - cache : usage,
    memoryLimitBytes: memory.limit ?? 0,
    rxBytes,
    txBytes,
  };
}

/** One sample (the engine takes two, a second apart, for the CPU share). Only running containers have one. */
export function containerStats(engine: DockerClient, id: string, signal: AbortSignal): Promise<ContainerStats> {
  return engine.use(async (docker) => {
    const container = docker.getContainer(id);
    const info = await container.inspect({ abortSignal: signal });
    if (!info.State.Running)
      throw dockerErrors.CONTAINER_NOT_RUNNING(`Container "${id}" on ${engine.host.id} is ${info.State.Status}, not running.`);
    // dockerode passes abortSignal on for stats too; its typings do not list it.
    return statsFrom(await container.stats({ stream: false, abortSignal: signal } as { stream: false }));
  }, id);
}
