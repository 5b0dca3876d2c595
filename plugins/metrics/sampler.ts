import { AuraError, toErrorBody, type Host, type PluginContext } from '../../core/index.ts';
import { metricsErrors } from './errors.ts';
import { History } from './history.ts';
import {
  busyPercent,
  parseCpuTimes,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseUptime,
  topProcesses,
  type CpuTimes,
} from './proc.ts';
import { readFast, readSlow, type SlowReading } from './read.ts';
import type { MetricsSample } from './types.ts';

export interface SampleListener {
  sample(sample: MetricsSample): void;
  /** A tick that could not read the server: the body a client sees, and when. */
  error(error: { detail: string; code: string; time: number }): void;
}

export interface SamplerOptions {
  host: Host;
  serverId: string;
  intervalMs: number;
  /** Processes and disks are read on every n-th tick. */
  slowEvery: number;
  now: () => number;
  log: PluginContext['log'];
}

interface FastReading {
  time: number;
  cpu: { all: CpuTimes; cores: CpuTimes[] };
  net: Map<string, { rx: number; tx: number }>;
}

/**
 * One server's sampler, shared by everyone who watches it: a tick a second while anyone
 * wants it (a watcher, a recent GET, or alwaysSample), none otherwise. Its cost does not
 * depend on how many watch.
 */
export class ServerSampler {
  readonly history: History;
  latest: MetricsSample | undefined;
  /** Bytes received and sent so far per interface, as the kernel counts them (for Prometheus). */
  totals = new Map<string, { rx: number; tx: number }>();
  private readonly listeners = new Set<SampleListener>();
  private pinned = false;
  private leaseUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  private ticks = 0;
  private fast: FastReading | undefined;
  private slow: SlowReading | undefined;
  private processes: MetricsSample['processes'] = { byCpu: [], byMemory: [] };
  private failing = false;
  private lastError: AuraError | undefined;

  constructor(private readonly opts: SamplerOptions) {
    this.history = new History(opts.intervalMs / 1000);
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** Samples from now on; the returned function stops this listener. */
  watch(listener: SampleListener): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
      this.stopIfUnwanted();
    };
  }

  /** Keep sampling whether or not anyone watches (alwaysSample). */
  pin(): void {
    this.pinned = true;
    this.start();
  }

  /** A sample no older than two ticks: the newest, or the next one. Keeps sampling a while. */
  async current(leaseMs: number, signal?: AbortSignal): Promise<MetricsSample> {
    this.leaseUntil = Math.max(this.leaseUntil, this.opts.now() + leaseMs);
    this.start();
    if (this.latest && this.opts.now() - this.latest.time <= 2 * this.opts.intervalMs) return this.latest;
    return new Promise<MetricsSample>((resolve, reject) => {
      const done = () => {
        this.listeners.delete(listener);
        signal?.removeEventListener('abort', aborted);
      };
      const listener: SampleListener = {
        sample: (s) => (done(), resolve(s)),
        error: (e) => (done(), reject(this.lastError ?? metricsErrors.METRICS_UNREADABLE(e.detail))),
      };
      const aborted = () => (done(), reject(signal!.reason));
      signal?.addEventListener('abort', aborted, { once: true });
      this.listeners.add(listener);
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running;
    // A later start takes a new baseline: rates over the pause would mean nothing.
    this.fast = undefined;
    this.slow = undefined;
    this.ticks = 0;
  }

  private start(): void {
    if (this.timer) return;
    this.abort = new AbortController();
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.tick();
  }

  private stopIfUnwanted(): void {
    if (!this.pinned && this.listeners.size === 0 && this.opts.now() >= this.leaseUntil) void this.stop();
  }

  /** A slow server skips ticks rather than piling reads up. */
  private tick(): void {
    if (this.running) return;
    const signal = this.abort.signal;
    this.running = this.read(signal)
      .catch((err: unknown) => {
        if (!signal.aborted) this.failed(err);
      })
      .finally(() => {
        this.running = undefined;
        if (this.timer) this.stopIfUnwanted();
      });
  }

  private async read(signal: AbortSignal): Promise<void> {
    const { host, now, slowEvery } = this.opts;
    const slowTick = this.ticks % slowEvery === 0 || (this.ticks === 1 && slowEvery > 1);
    this.ticks++;
    const [sources, slow] = await Promise.all([
      readFast(host, signal),
      slowTick ? readSlow(host, signal, now, this.slow?.processes) : undefined,
    ]);
    if (signal.aborted) return;
    const fast: FastReading = { time: now(), cpu: parseCpuTimes(sources.stat), net: parseNetDev(sources.netdev) };
    const before = this.fast;
    this.fast = fast;
    this.totals = fast.net;
    if (slow) {
      this.processes = topProcesses(this.slow?.processes, slow.processes);
      this.slow = slow;
    }
    if (!before) return; // the baseline: rates need two readings
    const seconds = Math.max(0.001, (fast.time - before.time) / 1000);
    const rate = (a: number, b: number | undefined) => (b === undefined || a < b ? 0 : Math.round((a - b) / seconds));
    const sample: MetricsSample = {
      time: fast.time,
      uptimeSeconds: parseUptime(sources.uptime),
      cpu: {
        percent: busyPercent(before.cpu.all, fast.cpu.all),
        perCore: fast.cpu.cores.map((core, i) => busyPercent(before.cpu.cores[i], core)),
        load: parseLoadavg(sources.loadavg),
      },
      memory: parseMeminfo(sources.meminfo),
      disks: this.slow?.disks ?? [],
      network: [...fast.net].map(([iface, { rx, tx }]) => ({
        iface,
        rxBytesPerSec: rate(rx, before.net.get(iface)?.rx),
        txBytesPerSec: rate(tx, before.net.get(iface)?.tx),
      })),
      processes: this.processes,
    };
    this.latest = sample;
    this.history.add(sample);
    if (this.failing) this.opts.log.info({ server: this.opts.serverId }, 'metrics: the server can be read again');
    this.failing = false;
    for (const l of [...this.listeners]) l.sample(sample);
  }

  private failed(err: unknown): void {
    const error =
      err instanceof AuraError
        ? err
        : metricsErrors.METRICS_UNREADABLE(`Could not read ${this.opts.serverId}: ${(err as Error).message ?? String(err)}`);
    // Once per failing streak: a server that is down would otherwise log every second.
    if (!this.failing) this.opts.log.warn({ server: this.opts.serverId, err: error.message }, 'metrics: cannot read the server');
    this.failing = true;
    this.lastError = error;
    const { body } = toErrorBody(error);
    for (const l of [...this.listeners]) l.error({ detail: body.detail, code: body.code, time: this.opts.now() });
  }
}
