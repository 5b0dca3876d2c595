import type { Namespace } from 'socket.io';
import { unmetCondition } from './availability.ts';
import type { Host } from './hosts/index.ts';
import { orderByDependencies, type PluginFailure, type PluginRecord } from './loader.ts';
import type { Logger } from './logger.ts';
import type { Redact } from './redact.ts';
import type { AgentTool, PluginContext, PluginInstance, PluginRouter } from './plugin.ts';

/** Where the core mounts what a started plugin contributes. */
export interface PluginMount {
  /**
   * The plugin's router. Routes are behind sign-in except those whose handlers are added to
   * `publicHandlers` (what its publicRoutes hook registered); viewers may send changes to those
   * whose handlers are in `viewerHandlers` (its viewerRoutes hook).
   */
  router(record: PluginRecord): { router: PluginRouter; publicHandlers: Set<unknown>; viewerHandlers: Set<unknown> };
  namespace(record: PluginRecord): Namespace;
  /** Makes routes and tools reachable; may throw (a tool name taken), then nothing is. */
  commit(record: PluginRecord, router: PluginRouter, tools: AgentTool[]): void;
}

export interface PluginHostOptions {
  /** How long setup and stop may take, each. */
  timeoutMs: number;
  log: Logger;
  /** Hides secrets in failure messages before they are kept and shown. */
  redact: Redact;
  /** The machine Aura runs on: global plugins' conditions are checked there. */
  localHost: Host;
  /** Aborted at shutdown; also ends condition checks in progress. */
  signal: AbortSignal;
  /** The context for one plugin, given the APIs of its dependencies. */
  context(record: PluginRecord, deps: Record<string, unknown>): PluginContext;
  mount: PluginMount;
}

class HookFailure extends Error {
  constructor(
    readonly hook: string,
    reason: unknown,
    readonly code?: PluginFailure,
  ) {
    super((reason as Error)?.message ?? String(reason));
  }
}

/**
 * Starts plugins in dependency order and stops them in exactly the reverse order (avvio's
 * close queue). Each setup and each stop gets `timeoutMs`: a plugin that takes longer is
 * marked failed with PLUGIN_TIMEOUT and Aura goes on without it.
 */
export function createPluginHost(opts: PluginHostOptions) {
  const running: { record: PluginRecord; instance: PluginInstance }[] = [];
  const seconds = opts.timeoutMs / 1000;

  /** Settles like `work`, or fails with PLUGIN_TIMEOUT; `late` gets a result that came too late. */
  function within<T>(hook: string, work: () => T | Promise<T>, late?: (value: T) => void): Promise<T> {
    const attempt = Promise.resolve().then(work);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (late) void attempt.then(late, () => undefined);
        reject(new HookFailure(hook, new Error(`did not finish within ${seconds} s`), 'PLUGIN_TIMEOUT'));
      }, opts.timeoutMs);
    });
    return Promise.race([attempt.catch((err: unknown) => Promise.reject(new HookFailure(hook, err))), timeout]).finally(() =>
      clearTimeout(timer),
    );
  }

  const stopInstance = (record: PluginRecord, instance: PluginInstance) =>
    within('stop', () => instance.stop?.()).catch((err: HookFailure) => {
      const error = opts.redact(`[${record.id}] stop: ${err.message}`);
      Object.assign(record, { error, ...(err.code ? { code: err.code } : {}) });
      opts.log.error({ plugin: record.id, code: err.code }, error);
    });

  async function startOne(record: PluginRecord): Promise<void> {
    const def = record.definition!;
    const deps: Record<string, unknown> = {};
    for (const id of def.dependencies ?? []) {
      const dep = running.find((r) => r.record.id === id);
      if (!dep) {
        Object.assign(record, { state: 'failed', code: 'DEPENDENCY_MISSING', error: `depends on "${id}", which did not start` });
        return;
      }
      deps[id] = dep.instance.api;
    }
    let instance: PluginInstance | undefined;
    try {
      if (def.scope === 'global' && def.conditions?.length) {
        const why = await within('conditions', () => unmetCondition(def.conditions!, opts.localHost, opts.signal, record.config));
        if (why) return void Object.assign(record, { state: 'unavailable', error: why });
      }
      const ctx = opts.context(record, deps);
      // A setup that finishes after its timeout is stopped at once: nothing of it is mounted.
      instance = await within(
        'setup',
        () => def.setup(ctx),
        (late) => void Promise.resolve(late?.stop?.()).catch(() => undefined),
      );
      const inst = instance;
      const { router, publicHandlers, viewerHandlers } = opts.mount.router(record);
      await within('routes', () => {
        inst.routes?.(router);
        const mark = (hook: ((r: PluginRouter) => void) | undefined, handlers: Set<unknown>) => {
          const before = router.stack.length;
          hook?.(router);
          for (const layer of router.stack.slice(before)) for (const handler of layer.stack) handlers.add(handler);
        };
        mark(inst.publicRoutes?.bind(inst), publicHandlers);
        mark(inst.viewerRoutes?.bind(inst), viewerHandlers);
      });
      const tools = inst.tools ?? [];
      await within('tools', () => {
        for (const t of tools)
          if (!t.name.startsWith(`${def.id}.`)) throw new Error(`tool "${t.name}" must be named "${def.id}.<verb>"`);
      });
      await within('sockets', () => inst.sockets?.(opts.mount.namespace(record)));
      await within('mount', () => opts.mount.commit(record, router, tools));
      record.state = 'started';
      running.push({ record, instance: inst });
    } catch (err) {
      const failure = err as HookFailure;
      Object.assign(record, {
        state: 'failed',
        error: opts.redact(`[${record.id}] ${failure.hook}: ${failure.message}`),
        ...(failure.code ? { code: failure.code } : {}),
      });
      if (instance) await stopInstance(record, instance);
    }
  }

  return {
    /** Starts every loaded plugin that may start, dependencies first. */
    async start(records: PluginRecord[]): Promise<void> {
      for (const record of orderByDependencies(records)) {
        await startOne(record);
        if (record.state === 'failed') opts.log.error({ plugin: record.id, code: record.code }, record.error);
      }
    },
    /** The started plugins, in the order they started. */
    started: () => running.map((r) => r.record),
    /** Stops every started plugin, last started first. */
    async stop(): Promise<void> {
      while (running.length) {
        const { record, instance } = running.pop()!;
        await stopInstance(record, instance);
      }
    },
  };
}

export type PluginHost = ReturnType<typeof createPluginHost>;
