import { z } from 'zod';

/** plugins.certificates in config/local.yaml. */
export const certificatesConfig = z
  .object({
    /** One folder per certificate, each with a cert.pem: certbot's layout. */
    dir: z.string().startsWith('/', 'must be an absolute path').default('/etc/letsencrypt/live'),
    /** A certificate with this many days left or fewer is shown on the home page's card. */
    warnDays: z.number().int().min(1).max(365).default(30),
  })
  .strict();

export type CertificatesConfig = z.infer<typeof certificatesConfig>;
