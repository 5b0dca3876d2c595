import { StringDecoder } from 'node:string_decoder';
import type { DockerClient } from './client.ts';
import { dockerErrors } from './errors.ts';

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  stream: LogStream;
  /** ms since the epoch, from the engine's own timestamp. */
  time: number;
  text: string;
}

/** Docker's frame header on a non-TTY container's logs: stream type, 3 zero bytes, payload size. */
const HEADER_BYTES = 8;
/** A line without an end (a TTY's progress bar) is handed over at this length all the same. */
const MAX_LINE_CHARS = 16 * 1024;
const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?(.*)$/s;

/**
 * Splits what the engine sends for `logs?timestamps=1` into lines. A TTY container's logs are
 * plain text, all of it "stdout"; any other's are multiplexed in frames (a header, then that
 * many bytes), which may arrive cut anywhere.
 */
export class LogParser {
  #pending: Buffer = Buffer.alloc(0);
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  readonly #partial = { stdout: '', stderr: '' };

  constructor(
    private readonly tty: boolean,
    private readonly onLine: (line: LogLine) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.tty) return this.#text('stdout', chunk);
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    let at = 0;
    while (this.#pending.length - at >= HEADER_BYTES) {
      const size = this.#pending.readUInt32BE(at + 4);
      if (this.#pending.length - at - HEADER_BYTES < size) break;
      // 1 is stdout, 2 stderr; 0 (stdin) is never logged.
      const stream: LogStream = this.#pending[at] === 2 ? 'stderr' : 'stdout';
      this.#text(stream, this.#pending.subarray(at + HEADER_BYTES, at + HEADER_BYTES + size));
      at += HEADER_BYTES + size;
    }
    this.#pending = this.#pending.subarray(at);
  }

  /** Hands over what is left without a final newline. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.#partial[stream] + this.#decoders[stream].end();
      this.#partial[stream] = '';
      if (rest) this.#emit(stream, rest);
    }
  }

  #text(stream: LogStream, bytes: Buffer): void {
    const lines = (this.#partial[stream] + this.#decoders[stream].write(bytes)).split('\n');
    let rest = lines.pop()!;
    for (const line of lines) this.#emit(stream, line);
    if (rest.length > MAX_LINE_CHARS) {
      this.#emit(stream, rest);
      rest = '';
    }
    this.#partial[stream] = rest;
  }

  #emit(stream: LogStream, raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw; // a TTY ends lines with \r\n
    const m = TIMESTAMPED.exec(line);
    // Asked for timestamps, the engine prefixes every line; were one missing, now is the best guess.
    this.onLine({ stream, time: m ? Date.parse(m[1]!) : Date.now(), text: m ? m[2]! : line });
  }
}

const LOG_STREAMS = { stdout: true, stderr: true, timestamps: true } as const;

/** The last `tail` lines of both streams, in the order the engine logged them. */
export function readLogs(engine: DockerClient, id: string, tail: number, signal: AbortSignal): Promise<{ lines: LogLine[] }> {
  return engine.use(async (docker) => {
    const container = docker.getContainer(id);
    const { Config } = await container.inspect({ abortSignal: signal });
    const raw: unknown = await container.logs({ ...LOG_STREAMS, tail, follow: false, abortSignal: signal });
    const lines: LogLine[] = [];
    const parser = new LogParser(Config.Tty, (l) => lines.push(l));
    // docker-modem hands over text it could parse as JSON parsed; a timestamped log never is.
    parser.push(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    parser.end();
    return { lines };
  }, id);
}

/**
 * Opens a follow of the container's new lines; resolves once the engine streams them, with
 * `ended`: resolved when the container stops (the engine then ends the stream) or `signal`
 * aborts, rejected when the stream breaks off.
 */
export async function followLogs(
  engine: DockerClient,
  id: string,
  signal: AbortSignal,
  onLine: (line: LogLine) => void,
): Promise<{ ended: Promise<void> }> {
  const { stream, tty } = await engine.use(async (docker) => {
    const container = docker.getContainer(id);
    const { Config } = await container.inspect({ abortSignal: signal });
    const s = await container.logs({ ...LOG_STREAMS, tail: 0, follow: true, abortSignal: signal });
    return { stream: s as NodeJS.ReadableStream & { destroy(): void }, tty: Config.Tty };
  }, id);
  const parser = new LogParser(tty, onLine);
  const ended = new Promise<void>((resolve, reject) => {
    const stop = () => {
      stream.destroy();
      resolve();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    stream.on('data', (chunk: Buffer) => parser.push(chunk));
    stream.once('end', () => {
      parser.end();
      resolve();
    });
    stream.once('close', () => {
      signal.removeEventListener('abort', stop);
      // After 'end' or an abort this settles nothing; otherwise the stream broke off.
      reject(dockerErrors.DOCKER_ERROR(`The log stream of "${id}" on ${engine.host.id} broke off.`));
    });
    stream.once('error', (err: unknown) => reject(engine.explain(err, id)));
  });
  return { ended };
}
