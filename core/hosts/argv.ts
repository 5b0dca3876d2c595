import { coreErrors } from '../errors.ts';
import type { RunOptions } from './host.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Rejects what no argv can carry, before anything runs. */
export function checkArgv(argv: readonly string[]): void {
  if (!Array.isArray(argv) || argv.length === 0) throw coreErrors.INVALID_COMMAND('A command needs at least a program name.');
  for (const arg of argv) {
    if (typeof arg !== 'string') throw coreErrors.INVALID_COMMAND('Every argument must be a string.');
    if (arg.includes('\0')) throw coreErrors.INVALID_COMMAND('Arguments cannot contain NUL bytes.');
  }
  if (argv[0] === '') throw coreErrors.INVALID_COMMAND('The program name is empty.');
}

/** The final argv: `env K=V` for variables, `sudo -n --` when root is needed and we are not root. */
export function buildArgv(argv: readonly string[], opts: Pick<RunOptions, 'sudo' | 'env'>, isRoot: boolean): string[] {
  checkArgv(argv);
  const envPairs = Object.entries(opts.env ?? {}).map(([k, v]) => {
    if (!ENV_NAME.test(k) || v.includes('\0')) throw coreErrors.INVALID_COMMAND(`Invalid environment variable "${k}".`);
    return `${k}=${v}`;
  });
  const withEnv = envPairs.length ? ['env', '--', ...envPairs, ...argv] : [...argv];
  return opts.sudo && !isRoot ? ['sudo', '-n', '--', ...withEnv] : withEnv;
}

/** POSIX single-quoting: inside '…' nothing is special, and ' itself is written '\''. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One command line for a remote POSIX shell in which every argument arrives literally. */
export function toRemoteCommand(argv: readonly string[], cwd?: string): string {
  const cmd = argv.map(shellQuote).join(' ');
  return cwd ? `cd ${shellQuote(cwd)} && exec ${cmd}` : `exec ${cmd}`;
}
