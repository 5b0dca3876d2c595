import type { ConfirmRequest } from '@aura/ui';
import type { RunRecord, RunStatus, Step } from './types.ts';

/** The first 7 hex digits, as git shows a commit; "—" when there is none. */
export const shortSha = (sha: string | null | undefined): string => (sha ? sha.slice(0, 7) : '—');

/** "0.4 s", "12 s", "3 min 5 s"; "—" while unknown. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** How long a run took, or has been going. */
export function runDuration(run: Pick<RunRecord, 'startedAt' | 'finishedAt'>, now: number): string {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return duration(end - Date.parse(run.startedAt));
}

const two = (n: number) => String(n).padStart(2, '0');

/** When a run started, in local time: "21:05" today, "2026-12-03 21:05" before. */
export function when(iso: string, now: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return d.toDateString() === new Date(now).toDateString()
    ? time
    : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}

export const isFinal = (status: RunStatus): boolean => status !== 'queued' && status !== 'running';

/** The badge's colour class; the status is always written out too. */
export function statusClass(status: RunStatus | Step['status']): string {
  if (status === 'succeeded') return 'ok';
  if (status === 'failed' || status === 'rolled-back') return 'bad';
  if (status === 'cancelled' || status === 'interrupted') return 'warn';
  if (status === 'running' || status === 'queued') return 'live';
  return 'idle';
}

/** A step's header: its name, with its status and duration once known. */
export interface StepGroup<L> {
  name: string;
  step: Pick<Step, 'status' | 'durationMs'> | null;
  lines: L[];
}

/**
 * The log under one header per step, in the order the steps printed (and, for a step that
 * printed nothing, where it ran): lines carry their step's name, steps their status.
 */
export function groupBySteps<L extends { step: string }>(
  lines: L[],
  steps: Pick<Step, 'name' | 'status' | 'durationMs'>[],
): StepGroup<L>[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const groups: StepGroup<L>[] = [];
  const index = new Map<string, StepGroup<L>>();
  for (const l of lines) {
    let g = index.get(l.step);
    if (!g) {
      g = { name: l.step, step: byName.get(l.step) ?? null, lines: [] };
      index.set(l.step, g);
      groups.push(g);
    }
    g.lines.push(l);
  }
  steps.forEach((s, i) => {
    if (index.has(s.name)) return;
    const g: StepGroup<L> = { name: s.name, step: s, lines: [] };
    const before = steps
      .slice(0, i)
      .reverse()
      .find((p) => index.has(p.name));
    groups.splice(before ? groups.indexOf(index.get(before.name)!) + 1 : 0, 0, g);
    index.set(s.name, g);
  });
  return groups;
}

/** Asked before a cancel: the app, the server, and the rollback it starts. */
export function cancelConfirmation(app: string, server: string, fromCommit: string | null): ConfirmRequest {
  const back = fromCommit ? `the commit it started from (${shortSha(fromCommit)})` : 'the commit it started from';
  return {
    title: `Cancel the deploy of ${app} on ${server}?`,
    body: `The step running now is stopped, and if the tree has moved, ${app} is rolled back to ${back}: its old dependencies, a restart and a health check again.`,
    confirm: 'Cancel the deploy',
    danger: true,
  };
}

/** Asked before deploying an earlier commit again. */
export function redeployConfirmation(app: string, server: string, commit: string, unit: string | null): ConfirmRequest {
  return {
    title: `Redeploy ${app} at ${shortSha(commit)} on ${server}?`,
    body: `${app} is reset to that commit and built${unit ? `, and ${unit} is restarted` : ''}. If a step fails, it goes back to the commit it runs now.`,
    confirm: 'Redeploy',
  };
}

/** Where GitHub sends an app's pushes: this Aura's address, as the browser reached it. */
export function webhookUrl(origin: string, serverId: string, app: string): string {
  return `${origin}/api/servers/${encodeURIComponent(serverId)}/deploy/apps/${encodeURIComponent(app)}/webhook`;
}

/** An error as the server said it: its detail and, in brackets, its code. */
export function errorWords(err: unknown): string {
  const e = (err ?? {}) as { detail?: string; code?: string; message?: string };
  return `${e.detail ?? e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
}
