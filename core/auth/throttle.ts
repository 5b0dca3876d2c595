import { createHash } from 'node:crypto';
import type { AuthConfig } from '../config.ts';

/** Counters kept at once (about 150 bytes each); past this the ones that failed longest ago go first. */
export const MAX_KEYS = 50_000;
/** The wait after the first failure past an allowance; each further failure doubles it. */
const FIRST_DELAY_MS = 1000;

interface Failures {
  count: number;
  /** When the last counted attempt was made. */
  last: number;
}

/**
 * Sign-in failures are counted per client address, and per account name from that address:
 * never per account alone, so that nobody can keep the admin out from somewhere else. Within
 * its allowance (`failuresPerIp`, `failuresPerAccount`) a counter costs nothing; past it, each
 * failure doubles the wait before the next attempt: 1 s, 2 s, 4 s … up to `windowMinutes`. An
 * attempt made too soon is refused whatever the password, and is not counted. A counter is
 * forgotten `windowMinutes` after its address may try again, and a success forgets both.
 *
 * Attempts are counted before the password is checked, so guesses sent in parallel cannot
 * slip past the allowance; a success then takes its attempt back.
 */
export function loginThrottle(config: AuthConfig['throttle'], now: () => number) {
  const windowMs = config.windowMinutes * 60_000;
  /** In the order of their last attempt, oldest first. */
  const counters = new Map<string, Failures>();
  /** The account part is a digest: a key stays small whatever was typed as the username. */
  const keysFor = (ip: string, name: string): [string, number][] => [
    [`ip\0${ip}`, config.failuresPerIp],
    [
      `account\0${ip}\0${createHash('sha256').update(name.trim().toLowerCase()).digest('base64url').slice(0, 22)}`,
      config.failuresPerAccount,
    ],
  ];

  const nextAttemptAt = (f: Failures, allowance: number) =>
    f.count < allowance ? f.last : f.last + Math.min(FIRST_DELAY_MS * 2 ** (f.count - allowance), windowMs);

  const read = (key: string, allowance: number, t: number): Failures | undefined => {
    const f = counters.get(key);
    if (f && t >= nextAttemptAt(f, allowance) + windowMs) counters.delete(key);
    return counters.get(key);
  };

  /** Drops counters certainly forgotten (the longest wait is one window), and the oldest past MAX_KEYS. */
  const prune = (t: number) => {
    for (const [key, f] of counters) {
      if (counters.size <= MAX_KEYS && t < f.last + 2 * windowMs) break;
      counters.delete(key);
    }
  };

  return {
    /**
     * 0 when this attempt may go ahead (it is counted as a failure until `succeeded`);
     * otherwise the seconds to wait, and nothing is counted.
     */
    attempt(ip: string, name: string): number {
      const t = now();
      prune(t);
      const keys = keysFor(ip, name);
      const waitMs = Math.max(
        0,
        ...keys.map(([key, allowance]) => {
          const f = read(key, allowance, t);
          return f ? nextAttemptAt(f, allowance) - t : 0;
        }),
      );
      if (waitMs > 0) return Math.ceil(waitMs / 1000);
      for (const [key] of keys) {
        const count = (counters.get(key)?.count ?? 0) + 1;
        counters.delete(key);
        counters.set(key, { count, last: t });
      }
      return 0;
    },
    succeeded(ip: string, name: string): void {
      for (const [key] of keysFor(ip, name)) counters.delete(key);
    },
    /** How many counters are kept: what a flood of addresses costs in memory. */
    size: () => counters.size,
  };
}
