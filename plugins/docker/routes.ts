import type { Context } from 'koa';
import { z } from 'zod';
import { routeInput, type AuraState, type PluginRouter } from '../../core/index.ts';
import type { DockerClient } from './client.ts';
import { containerAction, containerId, inspectContainer, listContainers, listImages } from './containers.ts';
import { readLogs } from './logs.ts';
import { containerStats } from './stats.ts';

const logsQuery = z.object({ tail: z.coerce.number().int().min(1).max(5000).default(200) });

type RouteContext = Context & { state: AuraState };

/**
 * Aborted when the client hangs up before its answer, as the core does for the commands a
 * request runs (ctx.state.host): the engine's connection is closed with it.
 */
function requestSignal(c: RouteContext): AbortSignal {
  const gone = new AbortController();
  c.res.once('close', () => c.res.writableFinished || gone.abort());
  return gone.signal;
}

export function dockerRoutes(router: PluginRouter, engineFor: (serverId: string) => DockerClient): void {
  const engine = (c: RouteContext) => engineFor(c.state.server!.id);

  router.get('/containers', async (c) => {
    c.body = await listContainers(engine(c), requestSignal(c));
  });

  router.get('/containers/:id', async (c) => {
    c.body = await inspectContainer(engine(c), containerId(c.params.id), requestSignal(c));
  });

  for (const action of ['start', 'stop', 'restart'] as const)
    router.post(`/containers/:id/${action}`, async (c) => {
      const id = containerId(c.params.id);
      c.state.audit = { action: `docker.container.${action}`, target: id };
      const summary = await containerAction(engine(c), id, action, requestSignal(c));
      c.state.audit.target = summary.name;
      c.body = summary;
    });

  const logsInput = routeInput({ summary: "A container's last log lines.", query: logsQuery });
  router.get('/containers/:id/logs', logsInput, async (c) => {
    const id = containerId(c.params.id);
    const { tail } = logsInput.query(c);
    c.body = await readLogs(engine(c), id, tail, requestSignal(c));
  });

  router.get('/containers/:id/stats', async (c) => {
    c.body = await containerStats(engine(c), containerId(c.params.id), requestSignal(c));
  });

  router.get('/images', async (c) => {
    c.body = await listImages(engine(c), requestSignal(c));
  });
}
