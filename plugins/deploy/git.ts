import type { Host } from '../../core/index.ts';
import { within, type AppConfig } from './config.ts';
import { deployErrors } from './errors.ts';

/** git never asks a question nobody is there to answer: no password prompt, no host-key prompt. */
export const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };

export const COMMIT = /^[0-9a-f]{7,40}$/;

/** The argv of each git command the pipeline runs; nothing here is ever a shell string. */
export const git = {
  fetch: (dir: string) => ['git', '-C', dir, 'fetch', '--prune', 'origin'],
  head: (dir: string) => ['git', '-C', dir, 'rev-parse', '--verify', 'HEAD^{commit}'],
  resolve: (dir: string, rev: string) => ['git', '-C', dir, 'rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`],
  currentBranch: (dir: string) => ['git', '-C', dir, 'symbolic-ref', '--quiet', '--short', 'HEAD'],
  changes: (dir: string) => ['git', '-C', dir, 'status', '--porcelain', '--untracked-files=no'],
  isAncestor: (dir: string, commit: string, of: string) => ['git', '-C', dir, 'merge-base', '--is-ancestor', commit, of],
  fastForward: (dir: string, branch: string) => ['git', '-C', dir, 'merge', '--ff-only', `origin/${branch}`],
  resetTo: (dir: string, commit: string) => ['git', '-C', dir, 'reset', '--hard', commit],
  changedFiles: (dir: string, from: string, to: string) => ['git', '-C', dir, 'diff', '--name-only', from, to],
  describe: (dir: string) => ['git', '-C', dir, 'log', '-1', '--format=%H%x1f%s'],
  checkBranch: (branch: string) => ['git', 'check-ref-format', '--branch', branch],
};

/** The app's dir with symlinks resolved on its server, checked to be inside a root (resolved there too). */
export async function resolveDir(host: Host, app: AppConfig, roots: string[], signal?: AbortSignal): Promise<string> {
  const found = await host.run(['realpath', '-e', '--', app.dir], { signal });
  const dir = found.stdout.trim();
  if (found.exitCode !== 0 || !dir) throw deployErrors.UNSAFE_DIR(`${app.dir} does not exist on this server.`);
  const real = await host.run(['realpath', '-m', '--', ...roots], { signal });
  if (!real.stdout.split('\n').some((root) => root && within(dir, root)))
    throw deployErrors.UNSAFE_DIR(`${app.dir} resolves to ${dir}, outside plugins.deploy.roots (${roots.join(', ')}).`);
  return dir;
}

/** git's own rule for branch names, asked on the server. */
export async function checkBranch(host: Host, branch: string, signal?: AbortSignal): Promise<void> {
  const r = await host.run(git.checkBranch(branch), { signal });
  if (r.exitCode !== 0 || r.stdout.trim() !== branch)
    throw deployErrors.INVALID_BRANCH(`"${branch}" is not a valid branch name.`);
}
