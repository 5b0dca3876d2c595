import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

/** A recording past this size stops, with a marker saying so: a flood must not fill the disk. */
export const MAX_RECORDING_BYTES = 100 * 1024 * 1024;

/**
 * A session's output as an asciicast v2 file (`asciinema play <file>` replays it): a header
 * line, then one `[seconds, "o", text]` line per output and `[seconds, "r", "COLSxROWS"]` per
 * resize. Keystrokes are never recorded.
 */
export class Recording {
  private readonly file: WriteStream;
  private readonly started = performance.now();
  private written = 0;
  private full = false;

  constructor(
    dir: string,
    sessionId: string,
    header: { cols: number; rows: number; title: string },
    /** Told when the disk falls behind (true) and when it has caught up (false). */
    private readonly onBacklog: (behind: boolean) => void,
  ) {
    this.file = createWriteStream(path.join(dir, `${sessionId}.cast`), { flags: 'wx', mode: 0o600 });
    this.file.on('drain', () => this.onBacklog(false));
    this.file.on('error', () => undefined); // a recording that cannot be written must not end the session
    this.line({
      version: 2,
      width: header.cols,
      height: header.rows,
      timestamp: Math.floor(Date.now() / 1000),
      title: header.title,
      env: { TERM: 'xterm-256color' },
    });
  }

  get path(): string {
    return this.file.path.toString();
  }

  output(data: string): void {
    this.event('o', data);
  }

  resize(cols: number, rows: number): void {
    this.event('r', `${cols}x${rows}`);
  }

  end(): Promise<void> {
    return new Promise((resolve) => this.file.end(resolve));
  }

  private event(kind: 'o' | 'r' | 'm', data: string): void {
    if (this.full) return;
    const seconds = Number(((performance.now() - this.started) / 1000).toFixed(6));
    if (this.written > MAX_RECORDING_BYTES) {
      this.full = true;
      this.line([seconds, 'm', `recording stopped at ${MAX_RECORDING_BYTES} bytes`]);
      return;
    }
    this.line([seconds, kind, data]);
  }

  private line(value: unknown): void {
    const text = `${JSON.stringify(value)}\n`;
    this.written += Buffer.byteLength(text);
    if (!this.file.write(text)) this.onBacklog(true);
  }
}
