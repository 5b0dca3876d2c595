import type { Hosts, PluginContext } from '../../core/index.ts';
import { ServerSampler, type SampleListener } from './sampler.ts';
import type { MetricsHistory, MetricsSample } from './types.ts';

/** How long a GET keeps a server sampled, so that a page polling it gets fresh figures at once. */
export const LEASE_MS = 60_000;

/**
 * What other plugins may ask of this one (the services panel shows host totals; a dashboard
 * card reads the same numbers): the shared samplers, so nothing samples a server twice.
 */
export interface MetricsApi {
  /** A sample no older than two ticks, waiting for the next one if need be. */
  current(serverId: string, signal?: AbortSignal): Promise<MetricsSample>;
  /** Every sample (and failed read) of the server until the returned function is called. */
  watch(serverId: string, listener: SampleListener): () => void;
  history(serverId: string, range: '1h' | '24h'): MetricsHistory;
}

declare module '../../core/index.ts' {
  interface PluginApis {
    metrics: MetricsApi;
  }
}

/** One sampler per server, made on first use. */
export class Samplers implements MetricsApi {
  private readonly byServer = new Map<string, ServerSampler>();
  private readonly slowEvery: number;

  constructor(
    private readonly opts: {
      hosts: Hosts;
      intervalMs: number;
      now: () => number;
      log: PluginContext['log'];
    },
  ) {
    // Processes and disks every five seconds, whatever the tick.
    this.slowEvery = Math.max(1, Math.round(5000 / opts.intervalMs));
  }

  /** Throws 404 SERVER_NOT_FOUND for a server that is not configured. */
  of(serverId: string): ServerSampler {
    let sampler = this.byServer.get(serverId);
    if (!sampler) {
      // The server's own host, not a request's: the sampler outlives every request and socket.
      const host = this.opts.hosts.get(serverId);
      sampler = new ServerSampler({ ...this.opts, host, serverId, slowEvery: this.slowEvery });
      this.byServer.set(serverId, sampler);
    }
    return sampler;
  }

  current = (serverId: string, signal?: AbortSignal) => this.of(serverId).current(LEASE_MS, signal);
  watch = (serverId: string, listener: SampleListener) => this.of(serverId).watch(listener);
  history = (serverId: string, range: '1h' | '24h') => this.of(serverId).history.get(range, this.opts.now());

  /** Servers being sampled now, with their newest sample. */
  sampled(): { serverId: string; sampler: ServerSampler; latest: MetricsSample }[] {
    return [...this.byServer]
      .filter(([, s]) => s.active && s.latest)
      .map(([serverId, sampler]) => ({ serverId, sampler, latest: sampler.latest! }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.byServer.values()].map((s) => s.stop()));
  }
}
