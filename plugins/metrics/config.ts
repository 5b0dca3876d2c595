import { z } from 'zod';

export const metricsConfig = z
  .object({
    /** How often a watched server is read. Processes and disks are read every 5 s whatever this is. */
    intervalSeconds: z.number().min(0.05).max(60).default(1),
    /** Servers sampled from start to stop, watched or not: their history and Prometheus figures never pause. */
    alwaysSample: z.array(z.string().min(1)).default(['local']),
  })
  .strict();

export type MetricsConfig = z.infer<typeof metricsConfig>;
