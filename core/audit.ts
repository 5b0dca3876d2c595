import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';

export interface AuditEvent {
  user: string | null;
  action: string;
  result: 'success' | 'failure';
  server?: string | null;
  target?: string | null;
  detail?: string;
}

export interface AuditEntry extends Required<Omit<AuditEvent, 'detail'>> {
  id: number;
  time: string;
  detail?: string;
}

export interface AuditLog {
  record(event: AuditEvent): Promise<AuditEntry>;
  /** Newest first; `before` is an entry id, for the next page. */
  page(opts: { limit: number; before?: number }): Promise<AuditEntry[]>;
}

/** Append-only JSONL, rotated by size into audit.jsonl.1 … .N (N = keepFiles). */
export async function openAuditLog(dir: string, opts: { maxBytes: number; keepFiles: number }): Promise<AuditLog> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'audit.jsonl');
  const files = () => [file, ...Array.from({ length: opts.keepFiles }, (_, i) => `${file}.${i + 1}`)];

  const readEntries = async (f: string): Promise<AuditEntry[]> => {
    if (!existsSync(f)) return [];
    const text = await readFile(f, 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
  };

  let lastId = 0;
  for (const f of files()) {
    const entries = await readEntries(f);
    if (entries.length) {
      lastId = entries[entries.length - 1]!.id;
      break;
    }
  }

  const rotate = async () => {
    const all = files();
    for (let i = all.length - 1; i > 0; i--) if (existsSync(all[i - 1]!)) await rename(all[i - 1]!, all[i]!);
  };

  let queue: Promise<unknown> = Promise.resolve();
  return {
    record(event) {
      const entry: AuditEntry = {
        id: ++lastId,
        time: new Date().toISOString(),
        user: event.user,
        server: event.server ?? null,
        action: event.action,
        target: event.target ?? null,
        result: event.result,
        ...(event.detail ? { detail: event.detail } : {}),
      };
      const line = `${JSON.stringify(entry)}\n`;
      const write = queue.then(async () => {
        const size = existsSync(file) ? (await stat(file)).size : 0;
        if (size > 0 && size + line.length > opts.maxBytes) await rotate();
        await appendFile(file, line, { mode: 0o600 });
      });
      queue = write.catch(() => undefined);
      return write.then(() => entry);
    },
    async page({ limit, before }) {
      await queue;
      const out: AuditEntry[] = [];
      for (const f of files()) {
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
