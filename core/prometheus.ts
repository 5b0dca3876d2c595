import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

/**
 * Node's and the process's own figures (CPU, memory, event loop, handles). One set per
 * process however many Auras it runs, made on the first scrape: its event-loop monitor
 * costs nothing until someone asks.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // prom-client counts CPU from the moment it registers; Prometheus means since the process
    // started. Without this, the first scrape of a long-running Aura says it has used no CPU.
    // Read after registering, so the count is never short (it is over by what registering took).
    const before = process.cpuUsage();
    const counted = (name: string, micros: number) =>
      (processRegistry!.getSingleMetric(name) as Counter | undefined)?.inc(micros / 1e6);
    counted('process_cpu_user_seconds_total', before.user);
    counted('process_cpu_system_seconds_total', before.system);
    counted('process_cpu_seconds_total', before.user + before.system);
  }
  return processRegistry;
}

/**
 * GET /metrics in Prometheus' text format: the process's defaults, and what each started
 * plugin put in its own registry (ctx.prometheus). A name two registries share is a bug
 * that the merge reports at once.
 */
export function createPrometheus() {
  const byPlugin = new Map<string, Registry>();
  return {
    /** A plugin's own registry: its gauges and counters, read at each scrape. */
    registryFor(pluginId: string): Registry {
      const registry = new Registry();
      byPlugin.set(pluginId, registry);
      return registry;
    },
    async exposition(isStarted: (pluginId: string) => boolean): Promise<{ contentType: string; text: string }> {
      const plugins = [...byPlugin].filter(([id]) => isStarted(id)).map(([, r]) => r);
      const merged = Registry.merge([processMetrics(), ...plugins]);
      return { contentType: merged.contentType, text: await merged.metrics() };
    },
  };
}

export type Prometheus = ReturnType<typeof createPrometheus>;
