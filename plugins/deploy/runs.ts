import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { StoreSlice } from '../../core/index.ts';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'rolled-back' | 'cancelled' | 'interrupted';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'interrupted';
export const FINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'rolled-back', 'cancelled', 'interrupted']);

export interface Step {
  name: string;
  status: StepStatus;
  startedAt: string;
  durationMs: number | null;
}

export interface LogLine {
  step: string;
  stream: 'stdout' | 'stderr' | 'aura';
  text: string;
}

export interface RunRecord {
  id: string;
  serverId: string;
  app: string;
  status: RunStatus;
  trigger: 'manual' | 'webhook' | 'agent';
  user: string;
  fromCommit: string | null;
  toCommit: string | null;
  startedAt: string;
  finishedAt: string | null;
  reason?: string;
  steps: Step[];
}

/** What a watcher is told as a run goes. */
export interface RunListener {
  line(line: LogLine): void;
  step(step: Step): void;
  status(status: RunStatus): void;
}

/** A line longer than this is cut (a minified bundle printed whole must not fill the log). */
const MAX_LINE = 4000;
/** A run's log stops growing here, with a line saying so. */
const MAX_LOG_LINES = 20_000;

/**
 * A run under way: its record, its log (in memory and appended to its file as it comes), and
 * whoever watches it. Everything a run says passes `redact` first.
 */
export class LiveRun {
  readonly lines: LogLine[] = [];
  private readonly listeners = new Set<RunListener>();
  private readonly file: WriteStream;
  readonly abort = new AbortController();
  /** Settles once the log file has all the lines (or could not be written): then it may be read instead. */
  readonly written: Promise<void>;

  constructor(
    readonly record: RunRecord,
    logFile: string,
    private readonly redact: (text: string) => string,
    private readonly save: (record: RunRecord) => void,
  ) {
    this.file = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    this.file.on('error', () => undefined); // the log on disk is a copy; the run goes on without it
    this.written = new Promise((resolve) => this.file.once('close', resolve));
  }

  print(step: string, stream: LogLine['stream'], text: string): void {
    if (this.lines.length > MAX_LOG_LINES) return;
    const line: LogLine = {
      step,
      stream,
      text: this.lines.length === MAX_LOG_LINES ? '… the log stops here (too long)' : this.redact(text).slice(0, MAX_LINE),
    };
    this.lines.push(line);
    this.file.write(`${JSON.stringify(line)}\n`);
    for (const l of this.listeners) l.line(line);
  }

  startStep(name: string): Step {
    const step: Step = { name, status: 'running', startedAt: new Date().toISOString(), durationMs: null };
    this.record.steps.push(step);
    this.changed(step);
    return step;
  }

  endStep(step: Step, status: StepStatus): void {
    step.status = status;
    step.durationMs = Date.now() - Date.parse(step.startedAt);
    this.changed(step);
  }

  setStatus(status: RunStatus, reason?: string): void {
    this.record.status = status;
    if (reason) this.record.reason = this.redact(reason).slice(0, MAX_LINE);
    if (FINAL.has(status)) {
      this.record.finishedAt = new Date().toISOString();
      this.file.end();
    }
    this.save(this.record);
    for (const l of this.listeners) l.status(status);
  }

  /** Adds a watcher: it gets what was printed so far at once, then the rest as it comes. */
  watch(listener: RunListener): () => void {
    for (const line of this.lines) listener.line(line);
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(step: Step): void {
    this.save(this.record);
    for (const l of this.listeners) l.step(step);
  }
}

interface Stored {
  runs: RunRecord[];
}

/**
 * Run records in the plugin's store, newest first, the last `keep` per app; logs as JSON lines
 * in `<dataDir>/runs/<id>.jsonl`, removed with their record.
 */
export class RunHistory {
  private readonly dir: string;
  private readonly live = new Map<string, LiveRun>();

  private readonly store: StoreSlice<Stored>;

  constructor(
    store: StoreSlice,
    dataDir: string,
    private readonly keep: number,
    private readonly redact: (text: string) => string,
  ) {
    this.store = store as StoreSlice<Stored>;
    this.dir = path.join(dataDir, 'runs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Runs an earlier Aura left running were cut off by its end: say so. */
  async markInterrupted(): Promise<void> {
    const stale = (this.store.read()?.runs ?? []).filter((r) => !FINAL.has(r.status));
    if (!stale.length) return;
    await this.store.update((s) => ({
      runs: (s?.runs ?? []).map((r) =>
        FINAL.has(r.status)
          ? r
          : {
              ...r,
              status: 'interrupted',
              finishedAt: new Date().toISOString(),
              reason: 'Aura stopped during the run.',
              steps: r.steps.map((step) => (step.status === 'running' ? { ...step, status: 'interrupted' } : step)),
            },
      ),
    }));
  }

  active(serverId: string, app: string): LiveRun | undefined {
    return [...this.live.values()].find(
      (r) => r.record.serverId === serverId && r.record.app === app && !FINAL.has(r.record.status),
    );
  }

  liveRun(id: string): LiveRun | undefined {
    return this.live.get(id);
  }

  start(fields: Pick<RunRecord, 'serverId' | 'app' | 'trigger' | 'user'>): LiveRun {
    const record: RunRecord = {
      id: randomUUID(),
      ...fields,
      status: 'queued',
      fromCommit: null,
      toCommit: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      steps: [],
    };
    const run = new LiveRun(record, this.logFile(record.id), this.redact, (r) => this.save(r));
    this.live.set(record.id, run);
    this.save(record);
    return run;
  }

  /**
   * The run is over. Its lines are served from memory until its file has them all: a reader
   * that comes at once (the page, a script polling the status) must not get a log cut short.
   */
  finished(run: LiveRun): void {
    void run.written.then(() => this.live.delete(run.record.id));
  }

  list(serverId: string, app?: string, limit = 50): RunRecord[] {
    return (this.store.read()?.runs ?? []).filter((r) => r.serverId === serverId && (!app || r.app === app)).slice(0, limit);
  }

  get(serverId: string, id: string): (RunRecord & { log: LogLine[] }) | undefined {
    const live = this.live.get(id);
    if (live && live.record.serverId === serverId) return { ...live.record, log: [...live.lines] };
    const record = (this.store.read()?.runs ?? []).find((r) => r.id === id && r.serverId === serverId);
    return record && { ...record, log: this.readLog(id) };
  }

  private readLog(id: string): LogLine[] {
    try {
      return readFileSync(this.logFile(id), 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as LogLine];
          } catch {
            return []; // a line cut by a crash
          }
        });
    } catch {
      return [];
    }
  }

  private logFile(id: string): string {
    return path.join(this.dir, `${id}.jsonl`);
  }

  private save(record: RunRecord): void {
    let pruned: RunRecord[] = [];
    void this.store
      .update((s) => {
        const others = (s?.runs ?? []).filter((r) => r.id !== record.id);
        const runs = [structuredClone(record), ...others].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
        const perApp = new Map<string, number>();
        const kept = runs.filter((r) => {
          const key = `${r.serverId}/${r.app}`;
          const n = (perApp.get(key) ?? 0) + 1;
          perApp.set(key, n);
          return n <= this.keep || this.live.has(r.id);
        });
        pruned = runs.filter((r) => !kept.includes(r));
        return { runs: kept };
      })
      .then(() => {
        for (const r of pruned) rmSync(this.logFile(r.id), { force: true });
      })
      .catch(() => undefined);
  }
}
