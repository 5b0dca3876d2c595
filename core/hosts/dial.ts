import { addAbortSignal, Duplex } from 'node:stream';
import { coreErrors } from '../errors.ts';
import { checkArgv } from './argv.ts';
import { KILL_GRACE_MS, type OutputSink, type Running } from './commands.ts';
import type { DialTarget } from './host.ts';
import { abortError } from './output.ts';

/** How much of a failed command's stderr its error quotes. */
const STDERR_TAIL = 1000;

/** Rejects a target that names neither or both kinds, or that no host could carry. */
export function checkDialTarget(target: DialTarget): void {
  const t = (target ?? {}) as { unixSocket?: unknown; argv?: unknown };
  if ((t.unixSocket === undefined) === (t.argv === undefined))
    throw coreErrors.INVALID_COMMAND('A stream needs either a unix socket path or an argv.');
  if (t.argv !== undefined) return checkArgv(t.argv as string[]);
  if (typeof t.unixSocket !== 'string' || !t.unixSocket.startsWith('/') || t.unixSocket.includes('\0'))
    throw coreErrors.INVALID_COMMAND('A unix socket path must be absolute and without NUL bytes.');
}

/** Why a unix socket could not be opened, from connect(2)'s errno, the same on every host kind. */
export function socketError(socketPath: string, errno: string | undefined, hint = ''): Error {
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return coreErrors.FILE_NOT_FOUND(`No such socket: ${socketPath}`);
  if (errno === 'EACCES' || errno === 'EPERM') return coreErrors.FILE_PERMISSION_DENIED(`Permission denied: ${socketPath}`);
  const why = errno === 'ECONNREFUSED' ? 'nothing listens there' : errno === 'ENOTSOCK' ? 'it is not a socket' : errno;
  return coreErrors.DIAL_FAILED(`Cannot connect to ${socketPath}: ${why ?? 'unknown error'}${hint}`);
}

/** What a host kind hands HostStream: a started command (or an opened channel) and its two ends. */
export interface Pipe extends Running {
  /** Writes to the command's stdin; `done` is called even when the command has gone. */
  write(chunk: Buffer, done: () => void): void;
  /** Closes the command's stdin. */
  end(): void;
  /** Flow control of what the sink receives. */
  pause(): void;
  resume(): void;
}

/**
 * A command as a Duplex (or an SSH channel to a socket, which "exits" 0 when the socket
 * ends): its stdout to read, its stdin to write. It ends once the command has exited (an
 * exit code other than 0 destroys it with an error quoting stderr), and destroying it kills
 * the command, TERM then KILL, emitting 'close' once the command is gone.
 */
export class HostStream extends Duplex {
  #pipe: Pipe | undefined;
  #paused = false;
  #exitCode: number | undefined;
  #stderr = Buffer.alloc(0);
  readonly #name: string;
  readonly #fail: (detail: string) => Error;

  /** Where the host kind delivers the command's output. */
  readonly sink: OutputSink = {
    stdout: (chunk) => {
      if (this.destroyed || this.push(chunk)) return;
      this.#paused = true;
      this.#pipe?.pause();
    },
    stderr: (chunk) => void (this.#stderr = Buffer.concat([this.#stderr, chunk]).subarray(-STDERR_TAIL)),
  };

  constructor(name: string, fail: (detail: string) => Error) {
    super({ allowHalfOpen: false });
    this.#name = name;
    this.#fail = fail;
  }

  attach(pipe: Pipe): this {
    this.#pipe = pipe;
    if (this.#paused) pipe.pause();
    void pipe.exited.then((code) => {
      this.#exitCode = code;
      if (this.destroyed) return;
      if (code === 0) return void this.push(null);
      const said = this.#stderr
        .toString('utf8')
        .replace(/^\uFFFD/, '')
        .trim();
      this.destroy(this.#fail(`"${this.#name}" exited with code ${code}${said ? `: ${said}` : ''}`));
    });
    return this;
  }

  override _read(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#pipe?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.#pipe && this.#exitCode === undefined) this.#pipe.write(chunk, () => done());
    else done();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.#pipe?.end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const pipe = this.#pipe;
    if (!pipe || this.#exitCode !== undefined) return done(err);
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      done(err);
    };
    pipe.resume(); // what is still on its way is dropped, so that the end can come
    pipe.kill('TERM');
    timers.push(setTimeout(() => pipe.kill('KILL'), KILL_GRACE_MS));
    timers.push(
      setTimeout(() => {
        pipe.abandon();
        finish();
      }, 2 * KILL_GRACE_MS),
    );
    void pipe.exited.then(finish);
  }
}

/**
 * Waits for a stream being opened, then ties it to the signal (an abort destroys it with an
 * AbortError). An abort while it is still opening rejects at once; the stream, once open,
 * is destroyed.
 */
export async function whenOpen<T extends Duplex>(opening: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return opening;
  if (signal.aborted) {
    void opening.then(
      (s) => s.destroy(),
      () => undefined,
    );
    throw abortError();
  }
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return addAbortSignal(signal, await Promise.race([opening, aborted])) as T;
  } catch (err) {
    if (signal.aborted)
      void opening.then(
        (s) => s.destroy(),
        () => undefined,
      );
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
