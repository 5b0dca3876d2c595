import { buildArgv } from './argv.ts';
import { DEFAULT_TIMEOUT_MS, type RunOptions, type RunResult, type StreamOptions } from './host.ts';
import { abortError, lineSplitter, OutputBuffer, timeoutError } from './output.ts';

export interface OutputSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/**
 * What a host kind must provide: start argv, feed it input, pass output to the sink, and
 * kill it when `signal` aborts. Resolves with the exit code. Timeouts, aborts, sudo, env
 * and output handling are shared by every host kind and live here.
 */
export type Execute = (
  argv: string[],
  opts: { input?: string | Buffer; cwd?: string; signal: AbortSignal },
  sink: OutputSink,
) => Promise<number>;

async function withLimits(
  execute: Execute,
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
    const exitCode = await execute(finalArgv, { input: opts.input, cwd: opts.cwd, signal: limit.signal }, sink);
    if (limit.signal.reason === 'timeout') throw timeoutError(argv, timeoutMs!);
    if (limit.signal.aborted) throw abortError();
    return exitCode;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export async function runCommand(execute: Execute, isRoot: boolean, argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const out = new OutputBuffer();
  const err = new OutputBuffer();
  const exitCode = await withLimits(execute, isRoot, argv, opts, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, {
    stdout: (c) => out.push(c),
    stderr: (c) => err.push(c),
  });
  return { stdout: out.toString(), stderr: err.toString(), exitCode };
}

/** Streams have no timeout unless one is asked for: following a journal may last hours. */
export async function streamCommand(
  execute: Execute,
  isRoot: boolean,
  argv: string[],
  opts: StreamOptions,
): Promise<{ exitCode: number }> {
  const out = lineSplitter((l) => opts.onLine(l, 'stdout'));
  const err = lineSplitter((l) => opts.onLine(l, 'stderr'));
  try {
    const exitCode = await withLimits(execute, isRoot, argv, opts, opts.timeoutMs, {
      stdout: (c) => out.push(c),
      stderr: (c) => err.push(c),
    });
    return { exitCode };
  } finally {
    out.end();
    err.end();
  }
}
