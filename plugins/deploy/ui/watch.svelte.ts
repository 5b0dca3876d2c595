import { api, pluginSocket } from '@aura/ui';
import type { Socket } from 'socket.io-client';
import { parseAnsi, type Segment } from './ansi.ts';
import { errorWords, isFinal } from './format.ts';
import type { LineEvent, LogLine, RunRecord, RunStatus, StatusEvent, Step, StepEvent } from './types.ts';

/** A log line with its colours read: what the panel renders. */
export interface ShownLine {
  step: string;
  stream: LogLine['stream'];
  segments: Segment[];
}

/**
 * The one run the panel shows: its record (GET …/runs/:id) and its log over the `/deploy`
 * socket (`watch`: what was printed so far, then each line, step and status as they come).
 * After a reconnect the run is watched again from its start, so nothing is missing or twice.
 */
export class RunWatch {
  runId = $state<string | null>(null);
  record = $state<RunRecord | null>(null);
  lines = $state<ShownLine[]>([]);
  steps = $state<Step[]>([]);
  status = $state<RunStatus | null>(null);
  problem = $state<string | null>(null);
  #socket: Socket | null = null;
  /** The colours each stream ended its last line with: a colour may span lines. */
  #styles: Record<string, ReturnType<typeof parseAnsi>['end']> = {};

  constructor(
    readonly serverId: string,
    readonly base: string,
    /** Told when the watched run ends, to read the apps and the history again. */
    private readonly onended: () => void,
  ) {}

  /** Opens the socket; returns the stop. */
  start(): () => void {
    const socket = pluginSocket('deploy', this.serverId);
    this.#socket = socket;
    socket.on('connect', () => this.#watch());
    socket.on('line', (l: LineEvent) => l.runId === this.runId && this.#line(l));
    socket.on('step', (s: StepEvent) => s.runId === this.runId && this.#step(s));
    socket.on('status', (s: StatusEvent) => s.runId === this.runId && this.#status(s.status));
    return () => {
      socket.close();
      this.#socket = null;
    };
  }

  /** Shows a run: its record now, its log as the socket sends it. */
  open(runId: string): void {
    if (this.runId && this.runId !== runId) this.#socket?.emit('unwatch', { runId: this.runId });
    this.runId = runId;
    this.record = null;
    this.status = null;
    this.steps = [];
    this.lines = [];
    this.problem = null;
    void this.#read(runId);
    if (this.#socket?.connected) this.#watch();
  }

  close(): void {
    if (this.runId) this.#socket?.emit('unwatch', { runId: this.runId });
    this.runId = this.record = this.status = null;
    this.lines = [];
    this.steps = [];
  }

  async #read(runId: string): Promise<void> {
    try {
      const { log: _log, ...record } = await api<RunRecord & { log: unknown }>(`${this.base}/runs/${runId}`, { quiet: true });
      if (runId !== this.runId) return;
      this.record = record;
      // Steps the socket announced meanwhile are newer than the record's.
      const live = (name: string) => this.steps.find((s) => s.name === name);
      this.steps = [
        ...record.steps.map((s) => live(s.name) ?? s),
        ...this.steps.filter((s) => !record.steps.some((r) => r.name === s.name)),
      ];
      if (!this.status || isFinal(record.status)) this.status = record.status;
    } catch (err) {
      if (runId === this.runId) this.problem = `The run could not be read: ${errorWords(err)}`;
    }
  }

  #watch(): void {
    const runId = this.runId;
    if (!runId || !this.#socket) return;
    // The server sends the whole log again: start it afresh.
    this.lines = [];
    this.#styles = {};
    this.#socket.emit('watch', { runId }, (ack: { status?: RunStatus; detail?: string; code?: string }) => {
      if (runId !== this.runId) return;
      if (ack?.code) this.problem = `The log could not be followed: ${errorWords(ack)}`;
      else if (ack?.status && !this.status) this.status = ack.status;
    });
  }

  #line(l: LineEvent): void {
    const key = `${l.step}\n${l.stream}`;
    const { segments, end } = parseAnsi(l.text, this.#styles[key]);
    this.#styles[key] = end;
    this.lines.push({ step: l.step, stream: l.stream, segments });
  }

  #step(s: StepEvent): void {
    const { runId: _runId, ...step } = s;
    const i = this.steps.findLastIndex((x) => x.name === s.name);
    if (i >= 0) this.steps[i] = step;
    else this.steps.push(step);
  }

  #status(status: RunStatus): void {
    // A past run's log ends with its status too: only an end seen happening changes the lists.
    const ended = isFinal(status) && !(this.status && isFinal(this.status));
    this.status = status;
    if (!ended) return;
    // The record's end (reason, commits, finish time) is read again, then the panel's lists.
    if (this.runId) void this.#read(this.runId);
    this.onended();
  }
}
