/**
 * One line of a log, whatever its source (a journal entry, a container's output): each plugin
 * maps its own entries to these for the shared LogsDrawer.
 */
export interface LogLine {
  /** When it was logged: milliseconds since the epoch, or an ISO date. */
  time: number | string;
  text: string;
  /** A short word shown before the text (a stream such as `stderr`, a priority): not colour alone. */
  tag?: string;
  /** Colours the line; say the same in `tag` where it matters. */
  level?: 'error' | 'warning';
  /**
   * A note about the stream itself rather than a logged line ("reconnected, lines may be
   * missing"): shown centred and never hidden by a search, since hiding it would hide a gap.
   */
  marker?: boolean;
}

/** At most this many lines are kept: a log followed for hours must not fill the tab's memory. */
export const MAX_LOG_LINES = 2000;

/** A marker line, stamped now. */
export const markerLine = (text: string): LogLine => ({ time: Date.now(), text, marker: true });

/** Adds lines at the end, dropping the oldest past MAX_LOG_LINES (in place, for $state arrays). */
export function appendLines(lines: LogLine[], more: LogLine[]): void {
  lines.push(...more);
  if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
}

/** The lines whose text contains `search` (any case), and every marker. */
export function searchLines<L extends LogLine>(lines: L[], search: string): L[] {
  const needle = search.trim().toLowerCase();
  return needle ? lines.filter((l) => l.marker || l.text.toLowerCase().includes(needle)) : lines;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local date and time, to the second: "2025-03-04 17:02:09". */
export function formatLogTime(time: number | string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return String(time);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** The machine-readable form for <time datetime> and the downloaded file. */
export function isoTime(time: number | string): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? String(time) : d.toISOString();
}

/** Saves the lines as `<name>-<date>.log`, one a line with its full timestamp (and tag). */
export function downloadLines(name: string, lines: LogLine[]): void {
  const text = lines.map((l) => `${isoTime(l.time)}${l.tag ? ` [${l.tag}]` : ''} ${l.text}\n`).join('');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name.replace(/[^\w.-]+/g, '_')}-${formatLogTime(Date.now()).replace(/[ :]/g, '-')}.log`;
  a.click();
  // Freed later rather than at once: a slow disk may still be reading it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
