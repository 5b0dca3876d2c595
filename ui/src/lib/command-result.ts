/** What a command printed and how it ended, as CommandOutput shows it. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** null: it did not end by itself (a timeout). */
  exitCode: number | null;
  durationMs: number;
  truncated: boolean;
  timedOut?: boolean;
}

/**
 * A 504 COMMAND_TIMEOUT still carries what the command printed until it was stopped: that, as a
 * result to show. Any other failure is null (it has no output to show).
 */
export function timedOutResult(err: unknown): CommandResult | null {
  // An ApiError's code and body, read without importing api.ts (which needs SvelteKit's runtime).
  const { code, body } = (err ?? {}) as { code?: unknown; body?: Record<string, unknown> };
  if (code !== 'COMMAND_TIMEOUT' || !body) return null;
  return {
    stdout: String(body.stdout ?? ''),
    stderr: String(body.stderr ?? ''),
    exitCode: null,
    durationMs: Number(body.durationMs ?? 0),
    truncated: body.truncated === true,
    timedOut: true,
  };
}
