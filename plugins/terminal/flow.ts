/**
 * Flow control between a pty and the page showing it, after xterm.js's guide: output is sent
 * in batches, and the page acknowledges what it has written to the screen. Past HIGH
 * characters sent but not acknowledged the pty is paused (the program blocks on a full
 * terminal), and resumed once the page is back under LOW. What the pty had already read when
 * it paused is kept here, not sent, so at most HIGH + one batch is ever in flight. So `yes`
 * cannot grow Aura's memory, and Ctrl-C takes effect as soon as the page has drawn what is in
 * flight.
 */
export const HIGH_WATERMARK = 1024 * 1024;
export const LOW_WATERMARK = 256 * 1024;
/** A batch is sent once this big... */
export const MAX_BATCH = 64 * 1024;
/** ...or, in a stream of output, this many ms after the previous one... */
export const BATCH_MS = 4;
/** ...which was at least this big: a keystroke's echo is small, and goes out at once. */
export const STREAMING_BATCH = 1024;

export interface Outlet {
  send(data: string): void;
}

/**
 * Batches output to the attached page and counts what it has not acknowledged. `onPressure`
 * is told when the pty should pause (true) or may resume (false).
 */
export class FlowControl {
  private pending = '';
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private lastSent = 0;
  private lastSize = 0;
  private unacked = 0;
  private blocked = false;

  constructor(
    private outlet: Outlet | undefined,
    private readonly onPressure: (blocked: boolean) => void,
  ) {}

  /** Output from the pty; dropped while no page is attached (the scrollback has it). */
  write(data: string): void {
    if (!this.outlet) return;
    this.pending += data;
    if (this.blocked) return; // sent once the page has caught up
    if (this.pending.length >= MAX_BATCH) return this.flush();
    if (this.timer) return;
    const wait = this.lastSize >= STREAMING_BATCH ? BATCH_MS - (performance.now() - this.lastSent) : 0;
    this.timer = wait <= 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), wait);
  }

  /** The page has drawn `chars` more characters. */
  ack(chars: number): void {
    this.unacked = Math.max(0, this.unacked - chars);
    if (this.blocked && this.unacked <= LOW_WATERMARK) {
      this.setBlocked(false);
      this.flush();
    }
  }

  /**
   * Sends what is pending now (before a replay, a switch of page), batch by batch until the
   * page is too far behind; `all` sends the rest anyway (at the program's exit, so that its last
   * words arrive before the exit does).
   */
  flush(all = false): void {
    this.cancelTimer();
    if (!this.outlet) return;
    while (this.pending && (all || !this.blocked)) {
      const batch = this.pending.slice(0, MAX_BATCH);
      this.pending = this.pending.slice(MAX_BATCH);
      this.sendNow(batch);
    }
  }

  /** Sends output at once, outside the batching (the replay of the scrollback). */
  sendNow(data: string): void {
    if (!this.outlet || !data) return;
    this.outlet.send(data);
    this.lastSent = performance.now();
    this.lastSize = data.length;
    this.unacked += data.length;
    if (!this.blocked && this.unacked > HIGH_WATERMARK) this.setBlocked(true);
  }

  /** Points the output at another page (or none); what was in flight to the old one is forgotten. */
  switchTo(outlet: Outlet | undefined): void {
    this.cancelTimer();
    this.pending = '';
    this.outlet = outlet;
    this.unacked = 0;
    if (this.blocked) this.setBlocked(false);
  }

  get inFlight(): number {
    return this.unacked;
  }

  private setBlocked(blocked: boolean): void {
    this.blocked = blocked;
    this.onPressure(blocked);
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }
}
