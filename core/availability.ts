import { coreErrors, type ErrorFactory } from './errors.ts';
import type { Host, Hosts } from './hosts/index.ts';
import type { PluginCondition } from './plugin.ts';

export interface Availability {
  available: boolean;
  /** Why not, in words for the UI; null when available. */
  reason: string | null;
}

const CHECK_TIMEOUT_MS = 10_000;
/** A server whose connection never drops (local) is asked again after this long anyway. */
export const AVAILABILITY_TTL_MS = 5 * 60_000;

/** The first condition the host does not meet, in words, or null when it meets them all. */
export async function unmetCondition<C>(
  conditions: PluginCondition<C>[],
  host: Host,
  signal: AbortSignal,
  config: C,
): Promise<string | null> {
  for (const c of conditions) {
    if ('pathExists' in c) {
      const { exitCode } = await host.run(['test', '-e', c.pathExists], { signal, timeoutMs: CHECK_TIMEOUT_MS });
      if (exitCode !== 0) return c.reason ?? `${c.pathExists} does not exist on ${host.id}`;
    } else {
      const why = await c.check(host, signal, config);
      if (why) return why;
    }
  }
  return null;
}

interface Cached {
  epoch: number;
  at: number;
  result: Promise<Availability>;
}

/**
 * Whether each host-scoped plugin can work on each server (Cockpit checks a package's
 * conditions on each host). Answers are cached per server until its connection is made anew
 * (the host's epoch changes) or the TTL passes; a check that could not run is not cached.
 */
export function availabilityCache(opts: {
  hosts: Hosts;
  conditionsOf(pluginId: string): PluginCondition[];
  /** The plugin's validated settings, handed to its checks. */
  configOf(pluginId: string): unknown;
  /** The plugin's own error for "not here", if it declared one. */
  unavailableErrorOf?(pluginId: string): ErrorFactory | undefined;
  signal: AbortSignal;
  now?: () => number;
}) {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Cached>();

  const check = (pluginId: string, host: Host): Promise<Availability> =>
    unmetCondition(
      opts.conditionsOf(pluginId),
      host,
      AbortSignal.any([opts.signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]),
      opts.configOf(pluginId),
    ).then((reason) => ({ available: reason === null, reason }));

  const of = async (pluginId: string, serverId: string): Promise<Availability> => {
    if (!opts.conditionsOf(pluginId).length) return { available: true, reason: null };
    const host = opts.hosts.get(serverId);
    const key = `${serverId}\0${pluginId}`;
    const hit = cache.get(key);
    if (hit && hit.epoch === host.epoch && now() - hit.at < AVAILABILITY_TTL_MS) return hit.result;
    const entry: Cached = { epoch: host.epoch, at: now(), result: check(pluginId, host) };
    cache.set(key, entry);
    try {
      const result = await entry.result;
      // The connection the check ran on may have been made during it: keep the newer epoch.
      entry.epoch = host.epoch;
      return result;
    } catch (err) {
      if (cache.get(key) === entry) cache.delete(key);
      return { available: false, reason: `Could not check ${serverId}: ${(err as Error).message}` };
    }
  };

  return {
    of,
    /** Throws the plugin's unavailableError, or 503 PLUGIN_UNAVAILABLE, with the reason, where it cannot work. */
    async require(pluginId: string, serverId: string): Promise<void> {
      const { available, reason } = await of(pluginId, serverId);
      if (available) return;
      const error = opts.unavailableErrorOf?.(pluginId) ?? coreErrors.PLUGIN_UNAVAILABLE;
      throw error(reason ?? `"${pluginId}" is not available on ${serverId}.`);
    },
  };
}

export type AvailabilityCache = ReturnType<typeof availabilityCache>;
