import type { Host } from '../../core/index.ts';
import { servicesErrors } from './errors.ts';
import { followLogs, type LogEntry } from './journal.ts';

interface Follow {
  listeners: Set<Listener>;
  abort: AbortController;
  done: Promise<void>;
}

export interface Listener {
  entry(e: LogEntry): void;
  error(err: unknown): void;
}

/**
 * One `journalctl --follow` per server and unit, shared by everyone watching it, and at most
 * `perServer` of them per server: each holds an SSH session, and sshd allows only a few.
 */
export class JournalFollows {
  private readonly follows = new Map<string, Follow>();

  constructor(private readonly perServer: number) {}

  /** Starts (or joins) the follow; the returned function leaves it, ending it for the last one out. */
  join(serverId: string, host: Host, unit: string, listener: Listener): () => void {
    const key = `${serverId}\0${unit}`;
    let follow = this.follows.get(key);
    if (!follow) {
      const running = [...this.follows.keys()].filter((k) => k.startsWith(`${serverId}\0`)).length;
      if (running >= this.perServer)
        throw servicesErrors.TOO_MANY_FOLLOWS(`Already following ${running} journals on ${serverId}; close one first.`);
      const abort = new AbortController();
      const listeners = new Set<Listener>();
      const done = followLogs(host, unit, abort.signal, (e) => listeners.forEach((l) => l.entry(e)))
        .catch((err: unknown) => listeners.forEach((l) => l.error(err)))
        .finally(() => {
          if (this.follows.get(key)?.abort === abort) this.follows.delete(key);
        });
      follow = { listeners, abort, done };
      this.follows.set(key, follow);
    }
    const joined = follow;
    joined.listeners.add(listener);
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size === 0) joined.abort.abort();
    };
  }

  /** At shutdown: ends every follow and waits until each journalctl has been stopped. */
  async stopAll(): Promise<void> {
    const all = [...this.follows.values()];
    for (const f of all) f.abort.abort();
    await Promise.all(all.map((f) => f.done));
  }
}
