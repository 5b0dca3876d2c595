import type { PluginRouter } from 'aura/plugin';
import { listCertificates } from './certs.ts';
import type { CertificatesConfig } from './config.ts';

/** GET /api/servers/:serverId/certificates: the core has resolved the server into ctx.state.host. */
export function certificatesRoutes(router: PluginRouter, deps: { config: CertificatesConfig; now: () => number }): void {
  router.get('/', async (ctx) => {
    ctx.body = await listCertificates(ctx.state.host!, { ...deps.config, now: deps.now() });
  });
}
