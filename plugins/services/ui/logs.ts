import { markerLine, type LogLine } from '@aura/ui';
import type { LogEntry } from './types.ts';

/** A journal entry as the shared drawer shows it; `priority` kept for the severity filter. */
export type Line = LogLine & { priority: number | null };

/** all, warnings and worse (priority ≤ 4), or errors and worse (≤ 3). */
export type Severity = 'all' | 'warning' | 'error';

export const GAP_TEXT = '— reconnected, entries may be missing —';

export const gapLine = (): Line => ({ ...markerLine(GAP_TEXT), priority: null });

export function toLine(e: LogEntry): Line {
  const level = e.priority === null ? undefined : e.priority <= 3 ? 'error' : e.priority === 4 ? 'warning' : undefined;
  return { time: e.time, text: e.message, level, priority: e.priority };
}

/** Markers always show: hiding them would hide that something is missing. */
export function matches(line: Line, severity: Severity): boolean {
  if (line.marker) return true;
  // journald's default priority is info (6) when a line carries none.
  const priority = line.priority ?? 6;
  if (severity === 'warning' && priority > 4) return false;
  return !(severity === 'error' && priority > 3);
}
