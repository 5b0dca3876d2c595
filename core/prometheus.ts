import { collectDefaultMetrics, Registry } from 'prom-client';

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
