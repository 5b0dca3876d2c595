import { setTimeout as sleep } from 'node:timers/promises';
import type { Host } from '../../core/index.ts';
import type { AppConfig } from './config.ts';
import { checkBranch, GIT_ENV, git, resolveDir } from './git.ts';
import type { LiveRun, Step } from './runs.ts';

export interface PipelineDeps {
  host: Host;
  serverId: string;
  roots: string[];
  /** Restarts the app's unit (through the services plugin) and says whether it came up. */
  restart(unit: string): Promise<{ active: boolean; state: string }>;
  /** Aura is stopping: the run ends `interrupted`, with no rollback. */
  shutdown: AbortSignal;
}

/** A step failed: the reason is the run's. */
class StepFailed extends Error {}

/** Files whose change means the dependencies must be installed again, per runtime. */
const DEPENDENCY_FILES: Record<AppConfig['runtime'], string[]> = {
  python: ['requirements.txt'],
  node: ['package.json', 'package-lock.json'],
  none: [],
};

/** A health check's one attempt, on the server: curl, or wget, or Python's urllib; the URL is $1. */
const HTTP_PROBE = [
  'if command -v curl >/dev/null 2>&1; then exec curl -fsS -o /dev/null --max-time 5 -- "$1"; fi',
  'if command -v wget >/dev/null 2>&1; then exec wget -q -O /dev/null -T 5 -- "$1"; fi',
  'exec python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" "$1"',
].join('\n');
const HEALTH_RETRY_MS = 500;

/**
 * fetch → fast-forward (or reset to an earlier commit of the branch) → dependencies when their
 * files changed → build → restart → health check. A failure once the tree has moved rolls back:
 * the old commit, its dependencies, a restart and a health check again. The service is never
 * left running on a half-deployed tree.
 */
export async function runPipeline(run: LiveRun, app: AppConfig, deps: PipelineDeps, commit?: string): Promise<void> {
  const { host } = deps;
  const cancel = run.abort.signal;
  // A cancel stops the deploy, not its undoing: the rollback listens to shutdown alone.
  let signal = AbortSignal.any([cancel, deps.shutdown]);
  let dir = app.dir;
  let from: string | undefined;
  let moved = false;
  let installed = false;
  let restarted = false;

  /** Runs argv as one step, line by line into the log; a non-zero exit fails the step. */
  const command = async (step: string, argv: string[], opts: { cwd?: string; signal?: AbortSignal } = {}) => {
    run.print(step, 'aura', `$ ${argv.join(' ')}`);
    const { exitCode } = await host.stream(argv, {
      cwd: opts.cwd,
      env: GIT_ENV,
      signal: opts.signal ?? signal,
      onLine: (text, stream) => run.print(step, stream, text),
    });
    if (exitCode !== 0) throw new StepFailed(`${step}: "${argv.slice(0, 3).join(' ')}…" exited with ${exitCode}`);
  };
  /** One value from git (a commit), or the step fails with git's words. */
  const ask = async (step: string, argv: string[]) => {
    const r = await host.run(argv, { env: GIT_ENV, signal });
    if (r.exitCode !== 0) throw new StepFailed(`${step}: ${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`}`);
    return r.stdout.trim();
  };
  const step = async <T>(name: string, work: (s: Step) => Promise<T>): Promise<T> => {
    const s = run.startStep(name);
    try {
      const result = await work(s);
      if (s.status === 'running') run.endStep(s, 'succeeded');
      return result;
    } catch (err) {
      run.endStep(s, deps.shutdown.aborted ? 'interrupted' : cancel.aborted && signal !== deps.shutdown ? 'cancelled' : 'failed');
      throw err;
    }
  };

  /**
   * Installs the dependencies when they changed (or for the rollback, `all`), and says whether
   * it did. `started` is told before anything runs: an install that fails halfway (pip has
   * upgraded one package and then refused the next) has changed them all the same.
   */
  const install = async (name: string, changed: string[] | 'all', s?: Step, started?: () => void) => {
    const files = DEPENDENCY_FILES[app.runtime];
    const is = async (test: '-e' | '-x', file: string) =>
      (await host.run(['test', test, `${dir}/${file}`], { signal })).exitCode === 0;
    const venvMissing = app.runtime === 'python' && !app.install && !(await is('-x', `${app.venv}/bin/pip`));
    const anything = app.install !== undefined || app.runtime !== 'none';
    const needed = changed === 'all' || venvMissing || !files.length || changed.some((f) => files.includes(f));
    if (!anything || !needed) {
      run.print(name, 'aura', files.length ? `${files.join(', ')} unchanged: nothing to install` : 'nothing to install');
      if (s) run.endStep(s, 'skipped');
      return false;
    }
    started?.();
    if (app.install) await command(name, app.install, { cwd: dir });
    else {
      if (venvMissing) await command(name, ['python3', '-m', 'venv', app.venv], { cwd: dir });
      // A commit without the file has nothing to install (npm ci and pip -r would fail on it).
      const manifest = app.runtime === 'python' ? 'requirements.txt' : 'package.json';
      if (!(await is('-e', manifest))) run.print(name, 'aura', `No ${manifest}: nothing to install`);
      else if (app.runtime === 'python')
        await command(name, [`${dir}/${app.venv}/bin/pip`, 'install', '--disable-pip-version-check', '-r', 'requirements.txt'], {
          cwd: dir,
        });
      else await command(name, ['npm', 'ci', '--no-audit', '--no-fund'], { cwd: dir });
    }
    return true;
  };

  const restartAndCheck = async (suffix = '') => {
    if (app.unit) {
      const unit = app.unit;
      await step(`restart${suffix}`, async () => {
        restarted = true;
        run.print(`restart${suffix}`, 'aura', `Restarting ${unit}`);
        const { active, state } = await deps.restart(unit);
        run.print(`restart${suffix}`, 'aura', `${unit} is ${state}`);
        if (!active) throw new StepFailed(`restart: ${unit} is ${state} after the restart`);
      });
    }
    if (app.healthCheck) await step(`health${suffix}`, () => healthCheck(`health${suffix}`));
  };

  const healthCheck = async (name: string) => {
    const check = app.healthCheck!;
    const deadline = Date.now() + app.healthTimeoutSeconds * 1000;
    const argv = 'url' in check ? ['sh', '-c', HTTP_PROBE, 'health', check.url] : check.argv;
    run.print(name, 'aura', 'url' in check ? `Waiting for ${check.url} to answer 2xx` : `$ ${argv.join(' ')} (until it exits 0)`);
    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      const r = await host.run(argv, { cwd: dir, signal, timeoutMs: Math.max(1000, left) }).catch((err: Error) => ({
        exitCode: -1,
        stdout: '',
        stderr: err.message,
      }));
      if (r.exitCode === 0) return void run.print(name, 'aura', `Healthy after ${attempt} attempt(s)`);
      if (signal.aborted) throw new StepFailed(`${name}: stopped`);
      if (Date.now() + HEALTH_RETRY_MS > deadline) {
        const why = r.stderr.trim().split('\n').pop();
        throw new StepFailed(`${name}: not healthy within ${app.healthTimeoutSeconds} s${why ? ` (${why})` : ''}`);
      }
      // The wait's abort listener goes with it: a long check must not pile them up on the run's signal.
      await sleep(HEALTH_RETRY_MS, undefined, { signal }).catch(() => undefined);
    }
  };

  run.setStatus('running');
  try {
    await step('check', async () => {
      dir = await resolveDir(host, app, deps.roots, signal);
      await checkBranch(host, app.branch, signal);
      const on = await ask('check', git.currentBranch(dir)).catch(() => '(no branch)');
      if (on !== app.branch) throw new StepFailed(`check: the clone in ${dir} is on ${on}, not ${app.branch}`);
      const dirty = await ask('check', git.changes(dir));
      if (dirty) throw new StepFailed(`check: ${dir} has local changes; commit or discard them first:\n${dirty}`);
      from = await ask('check', git.head(dir));
      run.record.fromCommit = from;
      run.print('check', 'aura', `${dir} is on ${app.branch} at ${from.slice(0, 12)}`);
    });
    await step('fetch', () => command('fetch', git.fetch(dir)));
    const to = await step('update', async () => {
      const target = commit ?? `origin/${app.branch}`;
      const wanted = await ask('update', git.resolve(dir, target));
      if (commit) {
        const onBranch = await host.run(git.isAncestor(dir, wanted, `origin/${app.branch}`), { signal });
        if (onBranch.exitCode !== 0) throw new StepFailed(`update: ${commit} is not on ${app.branch}`);
      }
      run.record.toCommit = wanted;
      if (wanted === from) {
        run.print('update', 'aura', `Already at ${wanted.slice(0, 12)}`);
        return wanted;
      }
      // A fast-forward that fails changes nothing; a reset cut short may have changed some files.
      if (commit) moved = true;
      await command('update', commit ? git.resetTo(dir, wanted) : git.fastForward(dir, app.branch));
      moved = true;
      return wanted;
    });
    const changed = moved ? (await ask('dependencies', git.changedFiles(dir, from!, to))).split('\n').filter(Boolean) : [];
    await step('dependencies', (s) => install('dependencies', changed, s, () => (installed = true)));
    for (const [i, argv] of app.build.entries())
      await step(app.build.length > 1 ? `build ${i + 1}` : 'build', (s) => command(s.name, argv, { cwd: dir }));
    await restartAndCheck();
    run.setStatus('succeeded');
  } catch (err) {
    const reason = err instanceof StepFailed ? err.message : `${(err as Error).message}`;
    if (deps.shutdown.aborted) return run.setStatus('interrupted', 'Aura stopped during the run.');
    const cancelled = cancel.aborted;
    if (cancelled) run.print('cancel', 'aura', 'Cancelled');
    if (!moved) return run.setStatus(cancelled ? 'cancelled' : 'failed', cancelled ? 'Cancelled.' : reason);
    try {
      await rollback(reason);
      run.setStatus(cancelled ? 'cancelled' : 'rolled-back', cancelled ? 'Cancelled, and rolled back.' : reason);
    } catch (rollbackErr) {
      if (deps.shutdown.aborted) return run.setStatus('interrupted', `Aura stopped during the rollback (${reason}).`);
      run.setStatus('failed', `${reason}; the rollback failed too: ${(rollbackErr as Error).message}`);
    }
  }

  async function rollback(reason: string) {
    signal = deps.shutdown;
    await step('rollback', async () => {
      run.print('rollback', 'aura', `Back to ${from!.slice(0, 12)}: ${reason}`);
      await command('rollback', git.resetTo(dir, from!));
      // What the failed run installed belongs to the new commit: the old one's, again.
      if (installed) await install('rollback', 'all');
    });
    if (restarted) await restartAndCheck(' (rollback)');
  }
}
