import type { LogEntry } from './types.ts';

/** A journal entry, or the marker for a stretch the follow may have missed. */
export type Line = LogEntry & { gap?: true };

/** all, warnings and worse (priority ≤ 4), or errors and worse (≤ 3). */
export type Severity = 'all' | 'warning' | 'error';

export const GAP_TEXT = '— reconnected, entries may be missing —';

export const gapLine = (): Line => ({ time: new Date().toISOString(), message: GAP_TEXT, priority: null, pid: null, gap: true });

/** Markers always show: hiding them would hide that something is missing. */
export function matches(line: Line, severity: Severity, search: string): boolean {
  if (line.gap) return true;
  // journald's default priority is info (6) when a line carries none.
  const priority = line.priority ?? 6;
  if (severity === 'warning' && priority > 4) return false;
  if (severity === 'error' && priority > 3) return false;
  return !search || line.message.toLowerCase().includes(search.toLowerCase());
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local date and time, to the second: "2025-03-04 17:02:09". */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Saves the lines as `<unit>-<date>.log`, one entry a line with its full timestamp. */
export function download(unit: string, lines: Line[]): void {
  const text = lines.map((l) => `${l.time} ${l.message}\n`).join('');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${unit}-${formatTime(new Date().toISOString()).replace(/[ :]/g, '-')}.log`;
  a.click();
  // Freed later rather than at once: a slow disk may still be reading it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
