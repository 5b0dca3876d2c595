import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type Dockerode from 'dockerode';

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
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface StreamOptions extends Omit<RunOptions, 'input'> {
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

export interface PtySession {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  onData(listener: (data: string) => void): void;
  onExit(listener: (exitCode: number) => void): void;
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
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Runs a long command, handing over its output line by line; resolves with its exit code. */
  stream(argv: string[], opts: StreamOptions): Promise<{ exitCode: number }>;
  pty(opts: PtyOptions): Promise<PtySession>;
  readFile(filePath: string): Promise<Buffer>;
  /**
   * Writes through a temporary file and a rename, so readers never see half a file. The mode
   * defaults to the replaced file's (0644 for a new one), so a secret stays private.
   */
  writeFile(filePath: string, data: string | Buffer, opts?: { mode?: number }): Promise<void>;
  /** A dockerode client for this host's engine (loaded on first use). */
  docker(): Promise<Dockerode>;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** More output than this from one run() is cut off (streams are not limited). */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Where an atomic write puts its data before the rename: beside the target, hidden. */
export function temporarySibling(filePath: string): string {
  return path.posix.join(
    path.posix.dirname(filePath),
    `.${path.posix.basename(filePath)}.aura-${randomBytes(6).toString('hex')}`,
  );
}
