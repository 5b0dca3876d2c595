import type { PluginRouter } from '../../core/index.ts';
import { listPorts } from './ss.ts';

export function portsRoutes(router: PluginRouter): void {
  router.get('/', async (ctx) => {
    ctx.body = await listPorts(ctx.state.host!);
  });
}
