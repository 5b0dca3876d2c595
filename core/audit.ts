import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';

export interface AuditEvent {
  user: string | null;
  action: string;
  result: 'success' | 'failure';
  server?: string | null;
  target?: string | null;
  detail?: string;
  /** Where an anonymous request came from: failures are budgeted per source. Not stored. */
  source?: string;
}

export interface AuditEntry extends Required<Omit<AuditEvent, 'detail' | 'source'>> {
  id: number;
  time: string;
  detail?: string;
}

export interface AuditLog {
  /** Writes the entry; a failure over its budget is only counted (undefined), see below. */
  record(event: AuditEvent): Promise<AuditEntry | undefined>;
  /** Newest first; `before` is an entry id, for the next page. */
  page(opts: { limit: number; before?: number }): Promise<AuditEntry[]>;
  /**
   * Writes the counts of failures over budget whose minute is over (also done on each
   * failure), or all of them with `all` (at shutdown); then waits for every write.
   */
  flush(opts?: { all?: boolean }): Promise<void>;
}

/**
 * Longest text kept per field. Whatever an attacker can put in an entry (a path, an event
 * name, an IdP's error text) is cut to these, so one line stays far below one write.
 */
export const AUDIT_FIELD_LIMITS = { user: 200, action: 120, server: 64, target: 300, detail: 500 } as const;
/** Failures of one kind (user or source, and action) written per minute; the rest are counted. */
export const FAILURES_PER_KIND = 20;
/** Anonymous failures written per minute, all sources together (addresses are cheap). */
export const ANONYMOUS_FAILURES = 100;
const WINDOW_MS = 60_000;

const cap = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const capOrNull = (text: string | null | undefined, max: number) => (text == null ? null : cap(String(text), max));

/** The first entry id in a file, from its first line alone; undefined when it has none. */
async function firstId(file: string): Promise<number | undefined> {
  if (!existsSync(file)) return undefined;
  const stream = createReadStream(file, { start: 0, end: 4095, encoding: 'utf8' });
  let head = '';
  for await (const chunk of stream) head += chunk as string;
  const m = /^\{"id":(\d+),/.exec(head);
  return m ? Number(m[1]) : undefined;
}

/**
 * Append-only JSONL, rotated by size into audit.jsonl.1 … .N (N = keepFiles). Reading
 * tolerates damaged lines (a write cut by a crash or a full disk): they are skipped and
 * reported, never fatal. Failures are budgeted per kind and for strangers as a whole, so a
 * flood of refused requests cannot rotate the security history away.
 */
export async function openAuditLog(
  dir: string,
  opts: { maxBytes: number; keepFiles: number; now?: () => number; onDamaged?: (file: string, lines: number) => void },
): Promise<AuditLog> {
  await mkdir(dir, { recursive: true });
  const now = opts.now ?? Date.now;
  const file = path.join(dir, 'audit.jsonl');
  const files = () => [file, ...Array.from({ length: opts.keepFiles }, (_, i) => `${file}.${i + 1}`)];

  const readEntries = async (f: string): Promise<AuditEntry[]> => {
    if (!existsSync(f)) return [];
    const entries: AuditEntry[] = [];
    let damaged = 0;
    for (const line of (await readFile(f, 'utf8')).split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as AuditEntry;
        if (Number.isInteger(e?.id)) entries.push(e);
        else damaged++;
      } catch {
        damaged++;
      }
    }
    if (damaged) opts.onDamaged?.(f, damaged);
    return entries;
  };

  let lastId = 0;
  for (const f of files()) {
    const entries = await readEntries(f);
    if (entries.length) {
      lastId = Math.max(...entries.map((e) => e.id));
      break;
    }
  }

  // A line cut by a crash must not swallow the next one: end it before appending.
  if (existsSync(file)) {
    const text = await readFile(file);
    if (text.length && text[text.length - 1] !== 0x0a) await appendFile(file, '\n');
  }

  const rotate = async () => {
    const all = files();
    for (let i = all.length - 1; i > 0; i--) if (existsSync(all[i - 1]!)) await rename(all[i - 1]!, all[i]!);
  };

  let queue: Promise<unknown> = Promise.resolve();
  const write = (event: Omit<AuditEvent, 'source'>): Promise<AuditEntry> => {
    const entry: AuditEntry = {
      id: ++lastId,
      time: new Date(now()).toISOString(),
      user: capOrNull(event.user, AUDIT_FIELD_LIMITS.user),
      server: capOrNull(event.server, AUDIT_FIELD_LIMITS.server),
      action: cap(event.action, AUDIT_FIELD_LIMITS.action),
      target: capOrNull(event.target, AUDIT_FIELD_LIMITS.target),
      result: event.result,
      ...(event.detail ? { detail: cap(event.detail, AUDIT_FIELD_LIMITS.detail) } : {}),
    };
    const line = `${JSON.stringify(entry)}\n`;
    const written = queue.then(async () => {
      const size = existsSync(file) ? (await stat(file)).size : 0;
      if (size > 0 && size + line.length > opts.maxBytes) await rotate();
      await appendFile(file, line, { mode: 0o600 });
    });
    queue = written.catch(() => undefined);
    return written.then(() => entry);
  };

  /** Per user (or stranger's address) and action: failures written in the current window, and dropped. */
  const budgets = new Map<string, { since: number; written: number; dropped: number; event: AuditEvent }>();
  /** Strangers' failures over budget, per action: one count whatever the number of addresses. */
  const strangers = new Map<string, { dropped: number; sources: Set<string> }>();
  let anonymous = { since: now(), written: 0 };

  let lastSweep = now();
  const summaries = async (all = false) => {
    // A flood must not make each record walk every budget: look at most once a second.
    if (!all && now() - lastSweep < 1000) return;
    lastSweep = now();
    const over = (since: number) => all || now() - since >= WINDOW_MS;
    for (const [key, b] of budgets)
      if (b.dropped && over(b.since)) {
        budgets.delete(key);
        await write({
          user: b.event.user,
          server: b.event.server,
          action: b.event.action,
          result: 'failure',
          detail: `${b.dropped} more failures like this within a minute were counted, not recorded`,
        });
      } else if (over(b.since)) budgets.delete(key);
    if (!over(anonymous.since)) return;
    for (const [action, s] of strangers)
      await write({
        user: null,
        action,
        result: 'failure',
        target: `from ${s.sources.size}${s.sources.size >= 1000 ? '+' : ''} addresses`,
        detail: `${s.dropped} more failures like this within a minute were counted, not recorded (e.g. from ${[...s.sources][0]})`,
      });
    strangers.clear();
    anonymous = { since: now(), written: 0 };
  };

  /** Whether this failure may be written; windows that are over are closed first, with their counts. */
  const admit = async (event: AuditEvent): Promise<boolean> => {
    await summaries();
    const key = `${event.user ?? `anonymous ${event.source ?? ''}`}\0${event.action}`;
    let b = budgets.get(key);
    // A stranger's address gets a budget only while strangers as a whole have room, so a
    // flood from many addresses keeps this map small.
    const room = event.user !== null || anonymous.written < ANONYMOUS_FAILURES;
    if (!b && room) budgets.set(key, (b = { since: now(), written: 0, dropped: 0, event }));
    if (event.user === null) {
      if (b && b.written < FAILURES_PER_KIND && room) {
        b.written++;
        anonymous.written++;
        return true;
      }
      const s = strangers.get(event.action) ?? { dropped: 0, sources: new Set<string>() };
      s.dropped++;
      if (s.sources.size < 1000) s.sources.add(event.source ?? 'unknown');
      strangers.set(event.action, s);
      return false;
    }
    const mine = b!; // a signed-in user always has a budget
    if (mine.written < FAILURES_PER_KIND) {
      mine.written++;
      return true;
    }
    mine.dropped++;
    return false;
  };

  return {
    async record(event) {
      if (event.result === 'failure' && !(await admit(event))) return undefined;
      return write(event);
    },
    async flush({ all = false } = {}) {
      await summaries(all);
      await queue;
    },
    async page({ limit, before }) {
      await queue;
      // Ids run on across files, newest file first: skip, unread, the files that hold only
      // ids at or after `before`, judged by the first line of the next newer file.
      const all = files();
      let start = 0;
      if (before !== undefined)
        while (start < all.length - 1) {
          const first = await firstId(all[start]!);
          if (first === undefined || first < before) break;
          start++;
        }
      const out: AuditEntry[] = [];
      for (const f of all.slice(start)) {
        const entries = await readEntries(f);
        for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
          const e = entries[i]!;
          if (before === undefined || e.id < before) out.push(e);
        }
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}
