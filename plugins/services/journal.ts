import { AuraError, type Host } from '../../core/index.ts';
import { servicesErrors } from './errors.ts';
import { systemdError } from './systemctl.ts';

export interface LogEntry {
  time: string;
  message: string;
  priority: number | null;
  pid: number | null;
}

export function journalArgv(unit: string, opts: { lines: number; since?: Date; follow?: boolean }): string[] {
  return [
    'journalctl',
    '--unit',
    unit,
    '--output=json',
    '--no-pager',
    `--lines=${opts.lines}`,
    ...(opts.since ? [`--since=@${Math.floor(opts.since.getTime() / 1000)}`] : []),
    ...(opts.follow ? ['--follow'] : []),
  ];
}

/** One line of `journalctl -o json`; MESSAGE is an array of bytes when it is not UTF-8. */
export function parseEntry(line: string): LogEntry | undefined {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const us = Number(j.__REALTIME_TIMESTAMP);
  const raw = j.MESSAGE;
  const message = Array.isArray(raw) ? Buffer.from(raw as number[]).toString('utf8') : String(raw ?? '');
  return {
    time: new Date(Number.isFinite(us) ? us / 1000 : 0).toISOString(),
    message,
    priority: j.PRIORITY === undefined ? null : Number(j.PRIORITY),
    pid: j._PID === undefined ? null : Number(j._PID),
  };
}

/** journalctl run by someone outside systemd-journal shows nothing, and says so on stderr. */
const NOT_READABLE = /not seeing messages from other users and the system/i;

export async function readLogs(host: Host, unit: string, opts: { lines: number; since?: Date }): Promise<LogEntry[]> {
  // No sudo: the journal is readable to members of systemd-journal, and journalctl's varying
  // arguments could not be listed exactly in sudoers.
  const r = await host.run(journalArgv(unit, opts));
  if (r.exitCode !== 0) throw systemdError(r, `journalctl for ${unit} failed`);
  if (NOT_READABLE.test(r.stderr))
    throw servicesErrors.JOURNAL_NOT_READABLE(
      `The user Aura runs as on ${host.id} cannot read the journal: add it to the systemd-journal group.`,
    );
  return r.stdout
    .split('\n')
    .map(parseEntry)
    .filter((e): e is LogEntry => !!e);
}

/** Follows a unit's journal until `signal` aborts; a journalctl that stops early is an error. */
export async function followLogs(host: Host, unit: string, signal: AbortSignal, onEntry: (e: LogEntry) => void): Promise<void> {
  const stderr: string[] = [];
  try {
    const { exitCode } = await host.stream(journalArgv(unit, { lines: 0, follow: true }), {
      signal,
      onLine: (line, source) => {
        if (source === 'stderr') return void stderr.push(line);
        const entry = parseEntry(line);
        if (entry) onEntry(entry);
      },
    });
    throw systemdError(
      { exitCode: exitCode || 1, stdout: '', stderr: stderr.join('\n'), truncated: false },
      `Following the journal of ${unit} stopped`,
    );
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    throw err instanceof AuraError ? err : servicesErrors.SYSTEMD_ERROR((err as Error).message);
  }
}
