import os from 'node:os';
import { AuraError, coreErrors } from '../errors.ts';
import { MAX_OUTPUT_BYTES } from './host.ts';

/** Collects a command's output up to a limit (MAX_OUTPUT_BYTES), keeping the first part. */
export class OutputBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit = MAX_OUTPUT_BYTES) {}

  push(chunk: Buffer): void {
    if (this.size >= this.limit) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    const room = this.limit - this.size;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.truncated ||= part.length < chunk.length;
    this.chunks.push(part);
    this.size += part.length;
  }

  toString(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Splits a byte stream into lines, holding back a partial last line until it completes. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  const decoder = new TextDecoder();
  return {
    push(chunk) {
      const text = rest + decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l.endsWith('\r') ? l.slice(0, -1) : l);
    },
    end() {
      const text = rest + decoder.decode();
      rest = '';
      if (text) onLine(text);
    },
  };
}

export const timeoutError = (argv: readonly string[], ms: number) =>
  coreErrors.COMMAND_TIMEOUT(`"${argv[0]}" did not finish within ${ms} ms and was stopped.`);

export const isTimeout = (err: unknown) => err instanceof AuraError && err.code === coreErrors.COMMAND_TIMEOUT.code;

export const abortError = () => {
  const err = new Error('The command was aborted.');
  err.name = 'AbortError';
  return err;
};

/** A shell's exit code for death by a signal: 128 + n (names as `SIGTERM` or `TERM`). */
export function signalExitCode(name: string | null | undefined): number {
  const n = name ? os.constants.signals[(name.startsWith('SIG') ? name : `SIG${name}`) as NodeJS.Signals] : undefined;
  return n ? 128 + n : 255;
}

/** The same errors for file access on every host kind: missing, not allowed, or other. */
export function fileError(err: unknown, filePath: string): Error {
  if (err instanceof AuraError) return err;
  const e = err as { code?: unknown; message?: string };
  // ENOTDIR (a path through a file) is "no such file" too, as OpenSSH's sftp-server answers it.
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR' || e.code === 2) return coreErrors.FILE_NOT_FOUND(`No such file: ${filePath}`);
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 3)
    return coreErrors.FILE_PERMISSION_DENIED(`Permission denied: ${filePath}`);
  return coreErrors.FILE_ERROR(`Cannot access ${filePath}: ${e.message ?? String(err)}`);
}
