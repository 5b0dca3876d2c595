import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const IDENTITY = ['-c', 'user.name=Aura Test', '-c', 'user.email=test@aura.invalid', '-c', 'init.defaultBranch=main'];

export const gitIn = (dir: string, ...args: string[]) =>
  execFileSync('git', [...IDENTITY, '-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * A real origin for deploy tests, under `root`: a bare repository, the app's working clone
 * (`app`, what Aura deploys) and a developer's clone that commits and pushes.
 */
export function gitFixture(root: string, name = 'app') {
  const origin = path.join(root, 'origin', `${name}.git`);
  const app = path.join(root, name);
  const dev = path.join(root, 'dev', name);
  mkdirSync(path.dirname(origin), { recursive: true });
  mkdirSync(path.dirname(dev), { recursive: true });
  execFileSync('git', [...IDENTITY, 'init', '-q', '--bare', origin]);
  execFileSync('git', [...IDENTITY, 'clone', '-q', origin, dev], { stdio: 'ignore' });
  const commit = (files: Record<string, string>, message: string): string => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dev, file)), { recursive: true });
      writeFileSync(path.join(dev, file), text);
    }
    gitIn(dev, 'add', '-A');
    gitIn(dev, 'commit', '-q', '-m', message);
    gitIn(dev, 'push', '-q', 'origin', 'HEAD:main');
    return gitIn(dev, 'rev-parse', 'HEAD');
  };
  const first = commit({ 'README.md': 'hello\n' }, 'first');
  execFileSync('git', [...IDENTITY, 'clone', '-q', '--branch', 'main', origin, app], { stdio: 'ignore' });
  return { origin, app, dev, first, commit, head: () => gitIn(app, 'rev-parse', 'HEAD') };
}
