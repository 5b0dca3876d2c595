import type { StoreSlice } from '../../core/index.ts';

export interface HistoryEntry {
  command: string;
  /** null when it did not end by itself: timed out, could not start, or the client left. */
  exitCode: number | null;
  at: string;
  durationMs: number;
}

/** Per user, per server, newest first. */
type Stored = Record<string, Record<string, HistoryEntry[]>>;

export const HISTORY_LENGTH = 100;

/** Each user's last commands per server, for the panel's ↑ and ↓. */
export class CommandHistory {
  private readonly store: StoreSlice<Stored>;

  constructor(store: StoreSlice) {
    this.store = store as StoreSlice<Stored>;
  }

  list(user: string, serverId: string): HistoryEntry[] {
    return this.store.read()?.[user]?.[serverId] ?? [];
  }

  add(user: string, serverId: string, entry: HistoryEntry): Promise<unknown> {
    return this.store.update((all = {}) => {
      const mine = all[user] ?? {};
      mine[serverId] = [entry, ...(mine[serverId] ?? [])].slice(0, HISTORY_LENGTH);
      return { ...all, [user]: mine };
    });
  }
}
