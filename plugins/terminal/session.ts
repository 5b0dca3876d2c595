import { randomUUID } from 'node:crypto';
import type { PtySession } from '../../core/index.ts';
import { FlowControl } from './flow.ts';
import type { Recording } from './recording.ts';
import { Scrollback } from './scrollback.ts';

/** Where an attached session's output goes: one socket. */
export interface Page {
  /** The socket's id: only the page a session is attached to may detach it. */
  id: string;
  output(data: string): void;
  exit(exitCode: number): void;
  /** Another page took the session over. */
  detached(): void;
}

export interface SessionInfo {
  sessionId: string;
  serverId: string;
  createdAt: string;
  cols: number;
  rows: number;
  attached: boolean;
}

/**
 * One shell on a pty, which outlives the pages that show it (tmux's detach and reattach): its
 * output is kept in a scrollback and sent to the attached page, if any, under flow control.
 */
export class TerminalSession {
  readonly id = randomUUID();
  readonly createdAt = new Date();
  private page: Page | undefined;
  private readonly scrollback: Scrollback;
  private readonly flow: FlowControl;
  /** Why the pty is paused: the page is behind, or the recording's disk is. */
  private readonly holds = new Set<'page' | 'disk'>();
  private recording: Recording | undefined;
  private ended = false;

  constructor(
    readonly owner: string,
    readonly serverId: string,
    private readonly pty: PtySession,
    public cols: number,
    public rows: number,
    opts: { scrollbackChars: number; onExit(exitCode: number): void },
  ) {
    this.scrollback = new Scrollback(opts.scrollbackChars);
    this.flow = new FlowControl(undefined, (blocked) => this.hold('page', blocked));
    pty.onData((data) => {
      this.scrollback.push(data);
      this.recording?.output(data);
      this.flow.write(data);
    });
    pty.onExit((exitCode) => {
      if (this.ended) return;
      this.ended = true;
      this.flow.flush(true);
      this.page?.exit(exitCode);
      void this.recording?.end();
      opts.onExit(exitCode);
    });
  }

  record(recording: Recording): void {
    this.recording = recording;
  }

  /** Hold the pty back while the recording's disk catches up. */
  diskBehind(behind: boolean): void {
    this.hold('disk', behind);
  }

  info(): SessionInfo {
    return {
      sessionId: this.id,
      serverId: this.serverId,
      createdAt: this.createdAt.toISOString(),
      cols: this.cols,
      rows: this.rows,
      attached: this.page !== undefined,
    };
  }

  get attachedTo(): string | undefined {
    return this.page?.id;
  }

  /** Shows the session on `page`: the kept output first, then what comes. A page showing it before is told. */
  attach(page: Page, replay: boolean): void {
    const previous = this.page;
    this.page = page;
    this.flow.switchTo({ send: (data) => page.output(data) });
    if (previous && previous.id !== page.id) previous.detached();
    if (replay) for (const piece of this.scrollback.pieces(64 * 1024)) this.flow.sendNow(piece);
  }

  /** The page went away (or let go): the session runs on, unseen. */
  detach(pageId: string): boolean {
    if (this.page?.id !== pageId) return false;
    this.page = undefined;
    this.flow.switchTo(undefined);
    return true;
  }

  input(data: string): void {
    this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.pty.resize(cols, rows);
    this.recording?.resize(cols, rows);
  }

  ack(pageId: string, chars: number): void {
    if (this.page?.id === pageId) this.flow.ack(chars);
  }

  /** Characters sent to the page and not yet acknowledged. */
  get inFlight(): number {
    return this.flow.inFlight;
  }

  /** Hangs up: the shell and its jobs get SIGHUP. */
  kill(): void {
    this.pty.kill();
  }

  private hold(reason: 'page' | 'disk', on: boolean): void {
    const wasHeld = this.holds.size > 0;
    if (on) this.holds.add(reason);
    else this.holds.delete(reason);
    if (!wasHeld && this.holds.size) this.pty.pause();
    else if (wasHeld && !this.holds.size) this.pty.resume();
  }
}
