import type { StoreSlice } from '../../core/index.ts';
import type { AgentConfig } from './config.ts';
import { agentErrors } from './errors.ts';

export interface DayUsage {
  tokensIn: number;
  tokensOut: number;
  /** Chats and decisions sent. */
  requests: number;
}

/** Per user, per UTC day (YYYY-MM-DD). */
type Stored = Record<string, Record<string, DayUsage>>;

/** Days of usage kept per user. */
export const USAGE_DAYS = 31;
const today = () => new Date().toISOString().slice(0, 10);

/**
 * What each user may spend: requests per minute (in memory: a restart forgets the last minute)
 * and tokens per day (in the store, with the usage shown on the page).
 */
export class Limits {
  private readonly recent = new Map<string, number[]>();
  private readonly store: StoreSlice<Stored>;

  constructor(
    store: StoreSlice,
    private readonly config: AgentConfig,
  ) {
    this.store = store as StoreSlice<Stored>;
  }

  /** Counts one request, or refuses it; also refuses once today's tokens are spent. */
  async admit(user: string): Promise<void> {
    const now = Date.now();
    const inWindow = (this.recent.get(user) ?? []).filter((t) => now - t < 60_000);
    if (inWindow.length >= this.config.requestsPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((inWindow[0]! + 60_000 - now) / 1000));
      throw agentErrors.AGENT_RATE_LIMITED(
        `At most ${this.config.requestsPerMinute} chats and decisions a minute; try again in ${retryAfter} s.`,
        { retryAfter },
      );
    }
    this.checkBudget(user);
    inWindow.push(now);
    this.recent.set(user, inWindow);
    await this.add(user, { requests: 1 });
  }

  checkBudget(user: string): void {
    const used = this.today(user);
    if (used.tokensIn + used.tokensOut >= this.config.dailyTokenBudget)
      throw agentErrors.AGENT_TOKEN_BUDGET(
        `You have used ${used.tokensIn + used.tokensOut} of your ${this.config.dailyTokenBudget} tokens today (UTC).`,
      );
  }

  today(user: string): DayUsage {
    return this.store.read()?.[user]?.[today()] ?? { tokensIn: 0, tokensOut: 0, requests: 0 };
  }

  /** The user's usage, newest day first. */
  days(user: string): ({ day: string } & DayUsage)[] {
    return Object.entries(this.store.read()?.[user] ?? {})
      .map(([day, u]) => ({ day, ...u }))
      .sort((a, b) => b.day.localeCompare(a.day));
  }

  add(user: string, delta: Partial<DayUsage>): Promise<unknown> {
    const day = today();
    return this.store.update((all = {}) => {
      const mine = { ...all[user] };
      const was = mine[day] ?? { tokensIn: 0, tokensOut: 0, requests: 0 };
      mine[day] = {
        tokensIn: was.tokensIn + (delta.tokensIn ?? 0),
        tokensOut: was.tokensOut + (delta.tokensOut ?? 0),
        requests: was.requests + (delta.requests ?? 0),
      };
      const kept = Object.keys(mine).sort().slice(-USAGE_DAYS);
      return { ...all, [user]: Object.fromEntries(kept.map((d) => [d, mine[d]!])) };
    });
  }
}
