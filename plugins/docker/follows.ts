import type { DockerClient } from './client.ts';
import { dockerErrors } from './errors.ts';
import { followLogs, type LogLine } from './logs.ts';

export interface Listener {
  line(line: LogLine): void;
  /** The container stopped: no more lines will come. */
  end(): void;
  /** The stream broke off after it had opened. */
  error(err: unknown): void;
}

interface Follow {
  listeners: Set<Listener>;
  abort: AbortController;
  opened: Promise<unknown>;
  done: Promise<void>;
}

/**
 * One log stream per server and container, shared by everyone watching it, and at most
 * `perServer` of them per server: each holds a connection to that server's engine.
 */
export class LogFollows {
  private readonly follows = new Map<string, Follow>();

  constructor(private readonly perServer: number) {}

  /**
   * Starts (or joins) the follow; resolves once the engine streams, with the function that
   * leaves it (ending it for the last one out). A follow that cannot open rejects here only.
   */
  async join(serverId: string, engine: DockerClient, id: string, listener: Listener): Promise<() => void> {
    const key = `${serverId}\0${id}`;
    let follow: Follow | undefined = this.follows.get(key);
    if (!follow) {
      const running = [...this.follows.keys()].filter((k) => k.startsWith(`${serverId}\0`)).length;
      if (running >= this.perServer)
        throw dockerErrors.TOO_MANY_FOLLOWS(`Already following ${running} container logs on ${serverId}; close one first.`);
      const abort = new AbortController();
      const listeners = new Set<Listener>();
      const opened = followLogs(engine, id, abort.signal, (l) => listeners.forEach((x) => x.line(l)));
      const done = opened
        .then(
          ({ ended }) =>
            ended.then(
              () => void (abort.signal.aborted || listeners.forEach((x) => x.end())),
              (err: unknown) => void (abort.signal.aborted || listeners.forEach((x) => x.error(err))),
            ),
          () => undefined, // each joiner hears it from join()
        )
        .finally(() => {
          if (this.follows.get(key)?.abort === abort) this.follows.delete(key);
        });
      follow = { listeners, abort, opened, done };
      this.follows.set(key, follow);
    }
    const joined = follow;
    joined.listeners.add(listener);
    const leave = () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size === 0) joined.abort.abort();
    };
    try {
      await joined.opened;
    } catch (err) {
      leave();
      throw err;
    }
    return leave;
  }

  /** At shutdown: ends every follow and waits until each stream has closed. */
  async stopAll(): Promise<void> {
    const all = [...this.follows.values()];
    for (const f of all) f.abort.abort();
    await Promise.all(all.map((f) => f.done));
  }
}
