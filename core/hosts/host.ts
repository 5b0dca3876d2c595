import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Duplex } from 'node:stream';

export interface RunOptions {
  /** Runs as root through `sudo -n --` when the host's user is not root already. */
  sudo?: boolean;
  /** Kills the command and rejects with COMMAND_TIMEOUT after this many ms (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Written to the command's stdin, which is then closed. */
  input?: string | Buffer;
  cwd?: string;
  /** Extra environment variables, passed through `env` so they work the same over SSH. */
  env?: Record<string, string>;
  /**
   * Keeps at most this many bytes of stdout and of stderr (default MAX_OUTPUT_BYTES); the
   * rest is read and dropped, and the result says `truncated`. The command runs on.
   */
  maxOutputBytes?: number;
}

/** What a command wrote, each stream cut at `maxOutputBytes`. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  /** Either stream was longer than `maxOutputBytes`. */
  truncated: boolean;
}

export interface RunResult extends CommandOutput {
  exitCode: number;
}

export interface StreamOptions extends Omit<RunOptions, 'input' | 'maxOutputBytes'> {
  onLine(line: string, source: 'stdout' | 'stderr'): void;
}

export interface PtyOptions {
  cols: number;
  rows: number;
  /** The program to run; the user's login shell when omitted. */
  argv?: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * What Host.dial() connects to: a unix socket on the host, or a command's stdin and stdout
 * (an argv array as for run(), never a shell string; `sudo` as in RunOptions).
 */
export type DialTarget = { unixSocket: string } | { argv: string[]; sudo?: boolean };

export interface DialOptions {
  /** Aborting closes the socket or kills the command, as destroy() does. */
  signal?: AbortSignal;
}

export interface PtySession {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  onData(listener: (data: string) => void): void;
  onExit(listener: (exitCode: number) => void): void;
  /**
   * Stops reading the terminal's output until resume(): the program blocks once the
   * terminal's buffer is full, so a reader that cannot keep up holds it back (flow control).
   */
  pause(): void;
  resume(): void;
  /** Hangs up the terminal: the shell and its jobs get SIGHUP. */
  kill(): void;
}

/**
 * What every host-scoped plugin works through: the same calls on the local machine and
 * on SSH servers, so a plugin never knows which it has. Commands are argv arrays, never
 * shell strings.
 */
export interface Host {
  readonly id: string;
  readonly kind: 'local' | 'ssh';
  /**
   * Counts the connections made to the server so far: what was learnt about it (a plugin's
   * availability) is stale once this changes. Always 0 for local.
   */
  readonly epoch: number;
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Runs a long command, handing over its output line by line; resolves with its exit code. */
  stream(argv: string[], opts: StreamOptions): Promise<{ exitCode: number }>;
  pty(opts: PtyOptions): Promise<PtySession>;
  readFile(filePath: string): Promise<Buffer>;
  /** The names in a folder (not `.` and `..`), unsorted; a missing one is 404 FILE_NOT_FOUND. */
  readDir(dirPath: string): Promise<string[]>;
  /**
   * Writes through a temporary file and a rename, so readers never see half a file. The mode
   * defaults to the replaced file's (0644 for a new one), so a secret stays private.
   */
  writeFile(filePath: string, data: string | Buffer, opts?: { mode?: number }): Promise<void>;
  /**
   * A byte stream on the host, for a protocol the plugin speaks itself (Docker's API, a
   * database's socket): to a unix socket there, or to a command's stdin and stdout. Over SSH
   * both ride the pooled connection (an OpenSSH streamlocal channel; an exec session).
   *
   * - Resolves once the socket is connected or the command is started. The stream ends when
   *   the socket closes or the command exits; end() closes only the writing side (stdin).
   * - destroy() and an aborted signal close the socket or kill the command with everything
   *   it started (TERM, then KILL); the stream's 'close' comes once the command is gone.
   * - A command's stderr is not in the stream: a command that exits non-zero (or is not
   *   found) destroys the stream with a 502 error quoting the end of its stderr.
   * - A socket that is missing rejects with 404 FILE_NOT_FOUND, one the user may not open
   *   with 403 FILE_PERMISSION_DENIED, one nobody answers with a 502; a malformed target
   *   with 400 INVALID_COMMAND.
   */
  dial(target: DialTarget, opts?: DialOptions): Promise<Duplex>;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * What run() had collected when its timeout stopped the command: the COMMAND_TIMEOUT error
 * carries it, for a caller that shows the output so far.
 */
export function outputBeforeTimeout(err: unknown): CommandOutput | undefined {
  const output = (err as { output?: CommandOutput } | undefined)?.output;
  return output && typeof output.stdout === 'string' ? output : undefined;
}
/** More output than this from one run() is cut off unless asked otherwise (streams are not limited). */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Where an atomic write puts its data before the rename: beside the target, hidden. */
export function temporarySibling(filePath: string): string {
  return path.posix.join(
    path.posix.dirname(filePath),
    `.${path.posix.basename(filePath)}.aura-${randomBytes(6).toString('hex')}`,
  );
}
