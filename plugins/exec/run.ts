import { badRequest, outputBeforeTimeout, type Host } from '../../core/index.ts';
import type { ExecConfig } from './config.ts';
import { execErrors } from './errors.ts';
import { judge, type Rule } from './guard.ts';
import type { CommandHistory } from './history.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
  truncated: boolean;
}

export interface Rules {
  deny: Rule[];
  allow?: RegExp[];
}

/** The guard's rules, compiled once from the settings; allowed patterns match whole commands. */
export function rulesOf(config: ExecConfig): Rules {
  return {
    deny: config.deny.map((r) =>
      typeof r === 'string'
        ? { pattern: new RegExp(r), label: `matched ${r}` }
        : { pattern: new RegExp(r.pattern), label: r.label },
    ),
    allow: config.allow?.map((p) => new RegExp(`^(?:${p})$`)),
  };
}

/**
 * Runs one shell line with the server user's `sh -c`, after the guard rail: output capped per
 * stream, the whole process group killed at the timeout (504 with what it printed until then).
 * What ran goes into the caller's history, with a null exit code when it did not end by itself;
 * a refused line does not.
 */
export async function runCommand(
  host: Host,
  line: string,
  opts: {
    config: ExecConfig;
    rules: Rules;
    timeoutSeconds?: number;
    history: CommandHistory;
    user: string;
    serverId: string;
  },
): Promise<ExecResult> {
  const { config } = opts;
  const timeoutSeconds = opts.timeoutSeconds ?? config.defaultTimeoutSeconds;
  if (timeoutSeconds > config.maxTimeoutSeconds) {
    const message = `must be at most ${config.maxTimeoutSeconds} (plugins.exec.maxTimeoutSeconds)`;
    throw badRequest(`Invalid input: timeoutSeconds: ${message}`, { issues: [{ path: 'timeoutSeconds', message }] });
  }
  const verdict = judge(line, opts.rules);
  if (!verdict.allowed) throw execErrors.COMMAND_DENIED(verdict.detail);

  const at = new Date().toISOString();
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const remember = (exitCode: number | null, durationMs: number) =>
    opts.history.add(opts.user, opts.serverId, { command: line, exitCode, at, durationMs });
  try {
    const r = await host.run(['sh', '-c', line], {
      timeoutMs: timeoutSeconds * 1000,
      maxOutputBytes: config.maxOutputKb * 1024,
    });
    const result = { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, durationMs: took(), truncated: r.truncated };
    await remember(r.exitCode, result.durationMs);
    return result;
  } catch (err) {
    const durationMs = took();
    await remember(null, durationMs);
    const partial = outputBeforeTimeout(err);
    if (!partial) throw err; // it could not start, the server went away, the client left
    throw execErrors.COMMAND_TIMEOUT(`The command ran past ${timeoutSeconds} s and was stopped, with everything it started.`, {
      stdout: partial.stdout,
      stderr: partial.stderr,
      truncated: partial.truncated,
      exitCode: null,
      durationMs,
    });
  }
}
