import { buildArgv } from './argv.ts';
import { DEFAULT_TIMEOUT_MS, type RunOptions, type RunResult, type StreamOptions } from './host.ts';
import { abortError, isTimeout, lineSplitter, OutputBuffer, timeoutError } from './output.ts';

export interface OutputSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/** A command a host kind has started. */
export interface Running {
  /** Settles with the exit code (128 + n when killed by signal n). */
  exited: Promise<number>;
  /** Signals the command and everything it started (with sudo when it runs as root). */
  kill(signal: 'TERM' | 'KILL'): void;
  /** Stops waiting for a command that outlived SIGKILL: drops its output and channel. */
  abandon(): void;
}

/**
 * What a host kind must provide: start argv with its input and working directory, and pass
 * its output to the sink. `signal` only ends a wait before the start. Timeouts, aborts, the
 * TERM-then-KILL escalation, sudo, env and output handling are shared and live here.
 */
export type Start = (
  argv: string[],
  opts: { input?: string | Buffer; cwd?: string; signal: AbortSignal; viaSudo: boolean },
  sink: OutputSink,
) => Promise<Running>;

export const KILL_GRACE_MS = 2000;
/** What a shell reports for a command that SIGKILL could not end either. */
const ABANDONED_EXIT_CODE = 137;

/** The exit code, or TERM, then KILL, then giving up, once `signal` aborts. */
function exitCode(running: Running, signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const onAbort = () => {
      running.kill('TERM');
      timers.push(setTimeout(() => running.kill('KILL'), KILL_GRACE_MS));
      timers.push(
        setTimeout(() => {
          running.abandon();
          resolve(ABANDONED_EXIT_CODE);
        }, 2 * KILL_GRACE_MS),
      );
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void running.exited.then((code) => {
      timers.forEach(clearTimeout);
      signal.removeEventListener('abort', onAbort);
      resolve(code);
    });
  });
}

async function withLimits(
  start: Start,
  isRoot: boolean,
  argv: string[],
  opts: RunOptions,
  timeoutMs: number | undefined,
  sink: OutputSink,
): Promise<number> {
  const finalArgv = buildArgv(argv, opts, isRoot);
  if (opts.signal?.aborted) throw abortError();
  const limit = new AbortController();
  const timer = timeoutMs ? setTimeout(() => limit.abort('timeout'), timeoutMs) : undefined;
  const onAbort = () => limit.abort('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const viaSudo = opts.sudo === true && !isRoot;
    const running = await start(finalArgv, { input: opts.input, cwd: opts.cwd, signal: limit.signal, viaSudo }, sink);
    const code = await exitCode(running, limit.signal);
    if (limit.signal.aborted) throw abortError();
    return code;
  } catch (err) {
    throw limit.signal.reason === 'timeout' ? timeoutError(argv, timeoutMs!) : err;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export async function runCommand(start: Start, isRoot: boolean, argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const out = new OutputBuffer(opts.maxOutputBytes);
  const err = new OutputBuffer(opts.maxOutputBytes);
  const collected = () => ({ stdout: out.toString(), stderr: err.toString(), truncated: out.truncated || err.truncated });
  try {
    const exitCode = await withLimits(start, isRoot, argv, opts, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, {
      stdout: (c) => out.push(c),
      stderr: (c) => err.push(c),
    });
    return { ...collected(), exitCode };
  } catch (error) {
    // See outputBeforeTimeout(): the output so far rides on the error, never in its body.
    if (isTimeout(error)) Object.defineProperty(error, 'output', { value: collected() });
    throw error;
  }
}

/** Streams have no timeout unless one is asked for: following a journal may last hours. */
export async function streamCommand(
  start: Start,
  isRoot: boolean,
  argv: string[],
  opts: StreamOptions,
): Promise<{ exitCode: number }> {
  const out = lineSplitter((l) => opts.onLine(l, 'stdout'));
  const err = lineSplitter((l) => opts.onLine(l, 'stderr'));
  try {
    const exitCode = await withLimits(start, isRoot, argv, opts, opts.timeoutMs, {
      stdout: (c) => out.push(c),
      stderr: (c) => err.push(c),
    });
    return { exitCode };
  } finally {
    out.end();
    err.end();
  }
}
