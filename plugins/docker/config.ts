import { z } from 'zod';

export const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';

/** plugins.docker: where each server's engine listens (the same path on every server). */
export const dockerConfig = z
  .object({
    socketPath: z
      .string()
      .refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute path')
      .default(DEFAULT_SOCKET_PATH),
  })
  .strict();

export type DockerConfig = z.infer<typeof dockerConfig>;
