import { api, connection } from '@aura/ui';
import { errorWords } from './format.ts';
import type { ContainerRow, ImageRow, LiveStats, Stats } from './types.ts';

export const POLL_MS = 5000;

/** Whether Aura can be reached; a shell without `connection.online` counts as online. */
export const isOnline = (): boolean => (connection as { online?: boolean }).online !== false;

/**
 * One server's containers and images, as the panel shows them. Reads are quiet (no toasts): a
 * first read that fails is `error`, shown as an error card instead of a list; a later one is
 * `liveError`, shown beside rows that are now older. Stats that fail keep their last figures,
 * marked stale.
 */
export class DockerState {
  rows = $state<ContainerRow[] | null>(null);
  error = $state<unknown>(null);
  liveError = $state<unknown>(null);
  updatedAt = $state<number | null>(null);
  loading = $state(false);
  stats = $state<Record<string, LiveStats>>({});
  images = $state<ImageRow[] | null>(null);
  imagesError = $state<unknown>(null);
  imagesAt = $state<number | null>(null);

  constructor(readonly base: string) {}

  /** The list, then the figures of every running container; one round at a time. */
  refresh = async (): Promise<void> => {
    if (this.loading) return;
    this.loading = true;
    try {
      const rows = await api<ContainerRow[]>(`${this.base}/containers`, { quiet: true });
      this.rows = rows;
      this.error = this.liveError = null;
      this.updatedAt = Date.now();
      // The images failed with the list (Docker was down): now the list is back, so may they be.
      if (this.imagesError) void this.readImages();
      await this.sample(rows);
    } catch (err) {
      if (this.rows && !this.error) this.liveError = err;
      else this.error = err;
    } finally {
      this.loading = false;
    }
  };

  async sample(rows: ContainerRow[]): Promise<void> {
    const running = rows.filter((r) => r.state === 'running').map((r) => r.id);
    // A container that stopped has no figures: old ones would look like live ones.
    for (const id of Object.keys(this.stats)) if (!running.includes(id)) delete this.stats[id];
    await Promise.all(running.map((id) => this.sampleOne(id)));
  }

  async sampleOne(id: string): Promise<void> {
    try {
      const stats = await api<Stats>(`${this.base}/containers/${encodeURIComponent(id)}/stats`, { quiet: true });
      this.stats[id] = { stats, at: Date.now(), error: null };
    } catch (err) {
      const last = this.stats[id];
      this.stats[id] = { stats: last?.stats ?? null, at: last?.at ?? 0, error: errorWords(err) };
    }
  }

  readImages = async (): Promise<void> => {
    try {
      this.images = await api<ImageRow[]>(`${this.base}/images`, { quiet: true });
      this.imagesError = null;
      this.imagesAt = Date.now();
    } catch (err) {
      this.imagesError = err;
    }
  };

  /** An action's answer is the container's new list entry: shown at once, figures read again. */
  replace(row: ContainerRow): void {
    const i = this.rows?.findIndex((r) => r.id === row.id) ?? -1;
    if (this.rows && i >= 0) this.rows[i] = row;
    void this.sample(this.rows ?? []);
  }

  /**
   * Reads now and every 5 s while someone can see the page and Aura answers (a hidden tab does
   * not keep asking the server); returns the stop.
   */
  start(): () => void {
    void this.refresh();
    void this.readImages();
    const due = () => !document.hidden && isOnline() && (this.updatedAt === null || Date.now() - this.updatedAt >= POLL_MS - 500);
    const timer = setInterval(() => due() && void this.refresh(), POLL_MS);
    const onvisible = () => due() && void this.refresh();
    document.addEventListener('visibilitychange', onvisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onvisible);
    };
  }
}
