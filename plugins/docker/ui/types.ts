/** What GET …/docker/containers answers per container (all of them, running or not). */
export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  /** Docker's own word: running, exited, created, paused, restarting, dead. */
  state: string;
  /** Docker's sentence: "Up 3 minutes", "Exited (0) 2 hours ago". */
  status: string;
  ports: PortMapping[];
  /** Milliseconds since the epoch. */
  created: number;
  composeProject: string | null;
}

export interface PortMapping {
  privatePort: number;
  publicPort?: number;
  ip?: string;
  type: string;
}

export interface ImageRow {
  id: string;
  tags: string[];
  size: number;
  created: number;
  /** How many containers use it; -1 when the engine did not count. */
  containers: number;
}

/** GET …/containers/:id/stats, for a running container. */
export interface Stats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  rxBytes: number;
  txBytes: number;
}

/** The last figures read, and whether the latest read of them failed (then they are stale). */
export interface LiveStats {
  /** null until a first read succeeds. */
  stats: Stats | null;
  at: number;
  /** Why the latest poll failed; the figures shown are then the ones read at `at`. */
  error: string | null;
}

export type ContainerAction = 'start' | 'stop' | 'restart';

/** GET …/containers/:id/logs */
export interface LogsAnswer {
  lines: { stream: 'stdout' | 'stderr'; time: number; text: string }[];
}
