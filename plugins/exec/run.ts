import { outputBeforeTimeout, type Host } from '../../core/index.ts';
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

/** The guard's rules, compiled once from the settings. */
export function rulesOf(config: ExecConfig): { deny: Rule[]; allow?: RegExp[] } {
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
 * Runs one shell line with the server user's `sh -c`, after the guard rail: output capped,
 * the whole process group killed at the timeout (504 with what it printed until then).
 */
export async function runCommand(
  host: Host,
  line: string,
  opts: {
    config: ExecConfig;
    rules: ReturnType<typeof rulesOf>;
    timeoutSeconds?: number;
    history: CommandHistory;
    user: string;
    serverId: string;
  },
): Promise<ExecResult> {
  const verdict = judge(line, opts.rules);
  if (!verdict.allowed) throw execErrors.COMMAND_DENIED(verdict.detail);
  const timeoutSeconds = opts.timeoutSeconds ?? opts.config.defaultTimeoutSeconds;
  const started = performance.now();
  const at = new Date().toISOString();
  const took = () => Math.round(performance.now() - started);
  try {
    const r = await host.run(['sh', '-c', line], {
      timeoutMs: timeoutSeconds * 1000,
      maxOutputBytes: opts.config.maxOutputKb * 1024,
    });
    const result = { ...r, durationMs: took() };
    await opts.history.add(opts.user, opts.serverId, { command: line, exitCode: r.exitCode, at, durationMs: result.durationMs });
    return result;
  } catch (err) {
    const partial = outputBeforeTimeout(err);
    if (!partial) throw err;
    const durationMs = took();
    await opts.history.add(opts.user, opts.serverId, { command: line, exitCode: null, at, durationMs });
    throw execErrors.COMMAND_TIMEOUT(`The command ran past ${timeoutSeconds} s and was stopped, with everything it started.`, {
      ...partial,
      exitCode: null,
      durationMs,
    });
  }
}
