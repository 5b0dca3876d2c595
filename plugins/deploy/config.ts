import path from 'node:path';
import { z } from 'zod';
import { hasControlCharacters } from '../../core/index.ts';

export const APP_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Environment variable names, as the core's `secrets` takes them. */
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
/**
 * What a branch may be called, before git's own check-ref-format on the server: no leading
 * dash (an option to git), no `..`, no control characters, spaces or `~^:?*[\`.
 */
export const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!.*\/$)(?!.*\.$)[A-Za-z0-9._/-]{1,200}$/;

/** An absolute path without `..` or `.` segments (symlinks are checked on the server). */
const absolutePath = z
  .string()
  .min(2)
  .max(4096)
  .refine((p) => p.startsWith('/'), 'must be an absolute path')
  // A newline would end a directive in the sandbox drop-in (sandbox.ts) and start another.
  .refine((p) => !hasControlCharacters(p), 'must not contain control characters')
  .refine((p) => p.split('/').every((seg) => seg !== '..' && seg !== '.'), 'must not contain .. or . segments')
  .transform((p) => path.posix.normalize(p).replace(/(.)\/+$/, '$1'));

const argv = z
  .array(
    z
      .string()
      .min(1)
      .max(4096)
      .refine((a) => !a.includes('\0'), 'no NUL bytes'),
  )
  .min(1)
  .max(100);

const healthCheck = z.union([
  z
    .object({
      url: z
        .string()
        .url()
        .refine((u) => /^https?:\/\//.test(u), 'must be http(s)'),
    })
    .strict(),
  z.object({ argv }).strict(),
]);

export const appSchema = z
  .object({
    id: z.string().regex(APP_ID, 'lowercase letters, digits and dashes, at most 63'),
    dir: absolutePath,
    branch: z.string().regex(BRANCH, 'must be a branch name (no leading dash, no ..)').default('main'),
    unit: z
      .string()
      .regex(/^[A-Za-z0-9@._:-]{1,240}\.service$/, 'must be a unit name like app.service')
      .optional(),
    runtime: z.enum(['python', 'node', 'none']).default('none'),
    venv: z
      .string()
      .regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/, 'a path inside dir')
      .default('.venv'),
    install: argv.optional(),
    build: z.array(argv).max(20).default([]),
    healthCheck: healthCheck.optional(),
    healthTimeoutSeconds: z.number().int().min(1).max(600).default(30),
    /** The environment variable holding the webhook's secret; no secret, no webhook. */
    webhookSecretEnv: z.string().regex(ENV_NAME, 'an environment variable name like MYAPP_WEBHOOK_SECRET').optional(),
  })
  .strict();

export const deployConfig = z
  .object({
    /** Apps per server id. */
    apps: z.record(z.string(), z.array(appSchema).max(100)).default({}),
    /** An app's dir, symlinks resolved on its server, must be inside one of these. */
    roots: z.array(absolutePath).min(1).default(['/srv', '/opt', '/home', '/var/www']),
    /** Runs kept per app, with their logs. */
    keepRuns: z.number().int().min(1).max(1000).default(50),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const [serverId, apps] of Object.entries(config.apps)) {
      const seen = new Set<string>();
      apps.forEach((app, i) => {
        if (seen.has(app.id))
          ctx.addIssue({ code: 'custom', path: ['apps', serverId, i, 'id'], message: `"${app.id}" is listed twice` });
        seen.add(app.id);
        if (!config.roots.some((root) => within(app.dir, root)))
          ctx.addIssue({
            code: 'custom',
            path: ['apps', serverId, i, 'dir'],
            message: `must be inside one of plugins.deploy.roots (${config.roots.join(', ')})`,
          });
      });
    }
  });

export type DeployConfig = z.infer<typeof deployConfig>;
export type AppConfig = z.infer<typeof appSchema>;

/** `dir` is `root` or below it (not merely a name starting the same: /srv2 is not in /srv). */
export function within(dir: string, root: string): boolean {
  const r = root.replace(/\/+$/, '');
  return dir === r || dir.startsWith(`${r}/`) || r === '';
}
