import { api } from '@aura/ui';
import { isOnline, type ServiceRow } from './types.ts';

const HISTORY = 30;
const POLL_MS = 2000;
type Usage = Pick<ServiceRow, 'unit' | 'activeState' | 'subState' | 'since' | 'cpuPercent' | 'memoryBytes'>;

/**
 * The managed units of one server, as the panel shows them. Reads are quiet (no toasts): a
 * failed list is `error`, shown as an error card instead of rows; a failed poll is `liveError`,
 * shown beside rows that are now older.
 */
export class ServiceList {
  rows = $state<ServiceRow[] | null>(null);
  error = $state<unknown>(null);
  liveError = $state<unknown>(null);
  loading = $state(false);
  history = $state<Record<string, { cpu: number[]; memory: number[] }>>({});
  /** When the rows were last read, for the `Updated` marker. */
  updatedAt = $state<number | null>(null);
  /** The clock uptimes are counted to; it stands still while nothing new arrives. */
  now = $state(Date.now());
  #sampling = false;

  constructor(readonly base: string) {}

  refresh = async (): Promise<void> => {
    this.loading = true;
    try {
      this.rows = await api<ServiceRow[]>(this.base, { quiet: true });
      this.error = this.liveError = null;
      this.updatedAt = this.now = Date.now();
    } catch (err) {
      this.error = err;
    } finally {
      this.loading = false;
    }
  };

  /** State and usage every 2 s while the panel is open, one request at a time, not while offline. */
  async sample(): Promise<void> {
    if (this.#sampling || !this.rows || this.error || !isOnline()) return;
    this.#sampling = true;
    try {
      const usage = await api<Usage[]>(`${this.base}/usage`, { quiet: true });
      for (const u of usage) {
        const h = (this.history[u.unit] ??= { cpu: [], memory: [] });
        h.cpu = [...h.cpu, u.cpuPercent ?? 0].slice(-HISTORY);
        h.memory = [...h.memory, u.memoryBytes ?? 0].slice(-HISTORY);
        const row = this.rows?.find((s) => s.unit === u.unit);
        if (row) Object.assign(row, u);
      }
      this.liveError = null;
      this.updatedAt = this.now = Date.now();
    } catch (err) {
      this.liveError = err;
    } finally {
      this.#sampling = false;
    }
  }

  /** Reads the list and starts polling; returns the stop. */
  start(): () => void {
    void this.refresh();
    const timer = setInterval(() => void this.sample(), POLL_MS);
    return () => clearInterval(timer);
  }
}
