import { api, connection } from '@aura/ui';
import type { AppView, RunRecord } from './types.ts';

export const POLL_MS = 10_000;
const HISTORY_LIMIT = 50;

/**
 * One server's apps and run history, as the panel shows them. Reads are quiet (no toasts): a
 * first read that fails is `error` (or `runsError`), shown as an error card instead of a list;
 * a later one is `liveError`, shown beside what is now older.
 */
export class DeployState {
  apps = $state<AppView[] | null>(null);
  runs = $state<RunRecord[] | null>(null);
  error = $state<unknown>(null);
  runsError = $state<unknown>(null);
  liveError = $state<unknown>(null);
  updatedAt = $state<number | null>(null);
  loading = $state(false);

  constructor(readonly base: string) {}

  refresh = async (): Promise<void> => {
    if (this.loading) return;
    this.loading = true;
    const [apps, runs] = await Promise.allSettled([
      api<AppView[]>(`${this.base}/apps`, { quiet: true }),
      api<RunRecord[]>(`${this.base}/runs?limit=${HISTORY_LIMIT}`, { quiet: true }),
    ]);
    if (apps.status === 'fulfilled') [this.apps, this.error] = [apps.value, null];
    else if (this.apps && !this.error) this.liveError = apps.reason;
    else this.error = apps.reason;
    if (runs.status === 'fulfilled') [this.runs, this.runsError] = [runs.value, null];
    else if (this.runs && !this.runsError) this.liveError = runs.reason;
    else this.runsError = runs.reason;
    if (apps.status === 'fulfilled' && runs.status === 'fulfilled') {
      this.liveError = null;
      this.updatedAt = Date.now();
    }
    this.loading = false;
  };

  app(id: string): AppView | undefined {
    return this.apps?.find((a) => a.id === id);
  }

  /**
   * Reads now and every 10 s while someone can see the page and Aura answers (runs started by
   * a webhook or someone else show up); returns the stop.
   */
  start(): () => void {
    void this.refresh();
    const due = () => !document.hidden && connection.online;
    const timer = setInterval(() => due() && void this.refresh(), POLL_MS);
    const onvisible = () => due() && void this.refresh();
    document.addEventListener('visibilitychange', onvisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onvisible);
    };
  }
}
