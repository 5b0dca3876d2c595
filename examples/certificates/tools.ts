import { z } from 'zod';
import { defineTool } from 'aura/plugin';
import { expiringWithin, listCertificates } from './certs.ts';
import type { CertificatesConfig } from './config.ts';

/** `certificates.list`: read-only, so the agent runs it without asking; the core adds `serverId`. */
export const certificatesTools = (deps: { config: CertificatesConfig; now: () => number }) => [
  defineTool({
    name: 'certificates.list',
    description:
      "List the TLS certificates on a server (certbot's live folder): subject, issuer, alternative names, expiry and days left. " +
      'With expiringWithinDays, only those expiring within that many days (expired ones included), and any that could not be read.',
    input: z.object({ expiringWithinDays: z.number().int().min(0).max(3650).optional() }),
    readOnly: true,
    run: async ({ expiringWithinDays }, call) =>
      expiringWithin(await listCertificates(call.host!, { ...deps.config, now: deps.now() }), expiringWithinDays),
  }),
];
