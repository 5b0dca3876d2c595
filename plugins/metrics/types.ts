/** One process in a top-10 list. cpuPercent is of one core, as top shows it (may exceed 100). */
export interface ProcessSample {
  pid: number;
  name: string;
  user: string;
  cpuPercent: number;
  rssBytes: number;
}

/** What GET /api/servers/:serverId/metrics answers and the `/metrics` socket sends as `sample`. */
export interface MetricsSample {
  /** When it was taken, ms since the epoch. */
  time: number;
  uptimeSeconds: number;
  cpu: {
    /** 0–100: all cores together. */
    percent: number;
    /** 0–100 per core, in the kernel's order. */
    perCore: number[];
    load: [number, number, number];
  };
  /** Bytes. used = total − available (what the kernel could hand out without swapping). */
  memory: { total: number; used: number; available: number; swapTotal: number; swapUsed: number };
  /** Bytes; one entry per file system (bind mounts of the same device once). fs is df's "Filesystem". */
  disks: { mount: string; fs: string; size: number; used: number }[];
  /** Per interface, loopback included; rates over the last tick. */
  network: { iface: string; rxBytesPerSec: number; txBytesPerSec: number }[];
  /** Refreshed every 5th tick; the same lists until then. */
  processes: { byCpu: ProcessSample[]; byMemory: ProcessSample[] };
}

/** GET .../metrics/history?range=1h|24h */
export interface MetricsHistory {
  range: '1h' | '24h';
  stepSeconds: number;
  /** Oldest first; network sums every interface but loopback. A gap in time is a gap in watching. */
  points: { time: number; cpuPercent: number; memoryUsed: number; rxBytesPerSec: number; txBytesPerSec: number }[];
}
