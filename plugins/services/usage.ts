import type { UnitStatus } from './systemctl.ts';

/** CPU% comes from the change in CPU time between two looks; the first look has none. */
export class UsageTracker {
  private readonly last = new Map<string, { ns: number; at: number }>();

  /** `at` is when the numbers were asked for (performance.now()), so overlapping looks stay honest. */
  cpuPercent(serverId: string, s: UnitStatus, at: number): number | null {
    const key = `${serverId}\0${s.unit}`;
    const prev = this.last.get(key);
    if (s.cpuUsageNs === null) {
      this.last.delete(key);
      return null;
    }
    this.last.set(key, { ns: s.cpuUsageNs, at });
    if (!prev || at <= prev.at || s.cpuUsageNs < prev.ns) return null;
    return Math.round(((s.cpuUsageNs - prev.ns) / ((at - prev.at) * 1e6)) * 1000) / 10;
  }
}
