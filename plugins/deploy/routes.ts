import { z } from 'zod';
import { routeInput, type PluginRouter } from '../../core/index.ts';
import type { Deployer } from './deployer.ts';
import { deployErrors } from './errors.ts';
import { deployKey } from './keys.ts';
import type { RunHistory } from './runs.ts';
import { validSignature } from './webhook.ts';

const runBody = z.object({ commit: z.string().max(64).optional() }).strict();
const runsQuery = z.object({
  app: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const RUN_ID = /^[0-9a-f-]{36}$/;

export function deployRoutes(
  router: PluginRouter,
  deps: { deployer: Deployer; history: RunHistory; requireAdmin: Parameters<PluginRouter['use']>[0] },
): void {
  const { deployer, history } = deps;
  const runId = (id: string | undefined) => {
    if (!id || !RUN_ID.test(id)) throw deployErrors.RUN_NOT_FOUND(`No run "${String(id).slice(0, 80)}".`);
    return id;
  };

  router.get('/apps', async (c) => {
    c.body = await deployer.apps(c.state.server!.id, AbortSignal.timeout(30_000));
  });

  const runInput = routeInput({ summary: 'Deploys the app: the branch head, or a given commit (a redeploy).', body: runBody });
  router.post('/apps/:app/runs', deps.requireAdmin, runInput, async (c) => {
    const { commit } = runInput.body(c);
    const app = deployer.app(c.state.server!.id, c.params.app);
    c.state.audit = { action: 'deploy.run', target: commit ? `${app.id} at ${commit}` : app.id };
    const run = await deployer.start(c.state.server!.id, app.id, { user: c.state.user!.username, trigger: 'manual' }, commit);
    c.status = 202;
    c.body = { runId: run.id };
  });

  const runsInput = routeInput({ summary: 'Past runs, newest first, of every app or one.', query: runsQuery });
  router.get('/runs', runsInput, (c) => {
    const { app, limit } = runsInput.query(c);
    if (app !== undefined) deployer.app(c.state.server!.id, app);
    c.body = history.list(c.state.server!.id, app, limit);
  });

  router.get('/runs/:runId', (c) => {
    const run = history.get(c.state.server!.id, runId(c.params.runId));
    if (!run) throw deployErrors.RUN_NOT_FOUND(`No run ${c.params.runId} on ${c.state.server!.id}.`);
    c.body = run;
  });

  router.post('/runs/:runId/cancel', deps.requireAdmin, async (c) => {
    c.state.audit = { action: 'deploy.cancel', target: c.params.runId };
    const run = await deployer.cancel(c.state.server!.id, runId(c.params.runId), c.state.user!.username);
    c.body = { id: run.id, status: run.status };
  });

  router.post('/keys', deps.requireAdmin, async (c) => {
    c.state.audit = { action: 'deploy.key' };
    c.body = await deployKey(c.state.host!);
  });
}

/** The one public route: a signed push starts the app's configured pipeline, and nothing else. */
export function deployWebhook(router: PluginRouter, deployer: Deployer): void {
  router.post('/apps/:app/webhook', async (c) => {
    const serverId = c.state.server!.id;
    const app = deployer.app(serverId, c.params.app);
    c.state.audit = { action: 'deploy.webhook', target: app.id };
    const secret = deployer.webhookSecret(app);
    if (!secret) throw deployErrors.WEBHOOK_DISABLED(`${app.id} takes no webhooks (no secret in its webhookSecretEnv).`);
    const raw = (c.request as { rawBody?: string }).rawBody ?? '';
    if (!validSignature(secret, raw, c.get('x-hub-signature-256') || undefined))
      throw deployErrors.WEBHOOK_SIGNATURE_INVALID('The X-Hub-Signature-256 header is missing or does not match.');
    const event = c.get('x-github-event');
    const ref = (c.request.body as { ref?: unknown } | undefined)?.ref;
    c.status = 202;
    if (event !== 'push' || ref !== `refs/heads/${app.branch}`) {
      c.body = {
        ignored: event === 'push' ? `a push to ${String(ref).slice(0, 200)}, not ${app.branch}` : `a ${event || 'unnamed'} event`,
      };
      return;
    }
    const run = await deployer.start(serverId, app.id, { user: 'webhook', trigger: 'webhook' });
    c.body = { runId: run.id };
  });
}
