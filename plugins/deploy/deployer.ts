import type { Hosts, PluginAudit } from '../../core/index.ts';
import { APP_ID, type AppConfig, type DeployConfig } from './config.ts';
import { deployErrors } from './errors.ts';
import { COMMIT, git } from './git.ts';
import { runPipeline } from './pipeline.ts';
import { FINAL, type RunHistory, type RunRecord } from './runs.ts';

export interface AppView {
  id: string;
  branch: string;
  unit: string | null;
  dir: string;
  commit: string | null;
  subject: string | null;
  lastRun: RunRecord | null;
  webhook: boolean;
  /** Why the clone could not be read (git's own words), when it could not. */
  problem: string | null;
}

type Trigger = RunRecord['trigger'];

/** Starts, cancels and describes deploys: what routes, sockets, the webhook and tools share. */
export class Deployer {
  /** The pipelines under way, each settling once its run has ended. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      config: DeployConfig;
      hosts: Hosts;
      history: RunHistory;
      audit: PluginAudit;
      secrets: Readonly<Record<string, string | undefined>>;
      restart(serverId: string, unit: string): Promise<{ active: boolean; state: string }>;
      shutdown: AbortSignal;
      onError(err: unknown): void;
    },
  ) {}

  app(serverId: string, id: unknown): AppConfig {
    if (typeof id !== 'string' || !APP_ID.test(id))
      throw deployErrors.INVALID_APP_ID(`"${String(id).slice(0, 80)}" is not an app id.`);
    const app = (this.deps.config.apps[serverId] ?? []).find((a) => a.id === id);
    if (!app) throw deployErrors.APP_NOT_FOUND(`No app "${id}" is configured for ${serverId}.`);
    return app;
  }

  /** The webhook secret of an app, or undefined when it takes no webhooks. */
  webhookSecret(app: AppConfig): string | undefined {
    return app.webhookSecretEnv ? this.deps.secrets[app.webhookSecretEnv] : undefined;
  }

  async apps(serverId: string, signal?: AbortSignal): Promise<AppView[]> {
    const host = this.deps.hosts.get(serverId);
    return Promise.all(
      (this.deps.config.apps[serverId] ?? []).map(async (app) => {
        const r = await host.run(git.describe(app.dir), { signal }).catch((err: Error) => err);
        const ok = !(r instanceof Error) && r.exitCode === 0;
        const [commit, subject] = ok ? r.stdout.trim().split('\x1f') : [];
        const problem = ok
          ? null
          : r instanceof Error
            ? r.message
            : r.stderr.trim().split('\n').pop() || `git exited with ${r.exitCode}`;
        return {
          id: app.id,
          branch: app.branch,
          unit: app.unit ?? null,
          dir: app.dir,
          commit: commit || null,
          subject: subject ?? null,
          lastRun: this.deps.history.list(serverId, app.id, 1)[0] ?? null,
          webhook: this.webhookSecret(app) !== undefined,
          problem: problem && problem.slice(0, 300),
        };
      }),
    );
  }

  /** Starts a run in the background; 409 while one runs for the app. */
  async start(serverId: string, appId: string, by: { user: string; trigger: Trigger }, commit?: string): Promise<RunRecord> {
    if (this.deps.shutdown.aborted) throw deployErrors.SHUTTING_DOWN('Aura is stopping.');
    const app = this.app(serverId, appId);
    if (commit !== undefined && !COMMIT.test(commit))
      throw deployErrors.INVALID_COMMIT(`"${String(commit).slice(0, 80)}" is not a commit (7 to 40 hex digits).`);
    const running = this.deps.history.active(serverId, app.id);
    if (running)
      throw deployErrors.DEPLOY_IN_PROGRESS(`${app.id} is being deployed (run ${running.record.id}); wait, or cancel it.`, {
        runId: running.record.id,
      });
    const run = this.deps.history.start({ serverId, app: app.id, ...by });
    const pipeline = runPipeline(
      run,
      app,
      {
        host: this.deps.hosts.get(serverId),
        serverId,
        roots: this.deps.config.roots,
        restart: (unit) => this.deps.restart(serverId, unit),
        shutdown: this.deps.shutdown,
      },
      commit,
    )
      .catch((err: unknown) => {
        this.deps.onError(err);
        if (!FINAL.has(run.record.status)) run.setStatus('failed', 'Internal error; see the server log.');
      })
      .finally(() => {
        this.deps.history.finished(run);
        void this.audit(run.record, 'finished', run.record.status).catch(this.deps.onError);
        this.running.delete(pipeline);
      });
    this.running.add(pipeline);
    return run.record;
  }

  /**
   * Resolves once every run under way has ended. At shutdown (after `shutdown` has aborted
   * them) this is what lets each kill its step on its server, over a connection still open,
   * and record `interrupted` before Aura closes its hosts and its store.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  async cancel(serverId: string, runId: string, user: string): Promise<RunRecord> {
    const live = this.deps.history.liveRun(runId);
    if (!live || live.record.serverId !== serverId || FINAL.has(live.record.status)) {
      const past = this.deps.history.get(serverId, runId);
      if (!past) throw deployErrors.RUN_NOT_FOUND(`No run ${runId} on ${serverId}.`);
      throw deployErrors.RUN_FINISHED(`Run ${runId} has ended (${past.status}).`);
    }
    live.print('cancel', 'aura', `Cancelled by ${user}`);
    live.abort.abort();
    return live.record;
  }

  /** The request that started a run is audited by the core; its outcome, here. */
  private audit(run: RunRecord, action: string, detail?: string) {
    return this.deps.audit.record({
      user: run.user,
      action,
      result: run.status === 'failed' || run.status === 'rolled-back' ? 'failure' : 'success',
      server: run.serverId,
      target: `${run.app} ${run.id}`,
      ...(detail ? { detail } : {}),
    });
  }
}
