import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { issueMessage } from './validate.ts';

export const SERVER_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

const serverSchema = z
  .object({
    id: z.string().regex(SERVER_ID, 'must be lowercase letters, digits and dashes (at most 32)'),
    name: z.string().min(1).optional(),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'must be a valid user name'),
    privateKeyPath: z.string().min(1),
    /** Pinned host key fingerprint as `ssh-keygen -lf` prints it: `SHA256:...`. */
    hostKey: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a SHA256:... fingerprint')
      .optional(),
    /** Used when hostKey is not set; defaults to ~/.ssh/known_hosts. */
    knownHostsPath: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => s.id !== 'local', { message: '"local" is reserved for the machine Aura runs on', path: ['id'] });

export type ServerConfig = z.infer<typeof serverSchema>;

const allowedEmail = z
  .object({
    email: z.string().trim().toLowerCase().pipe(z.email()),
    role: z.enum(['admin', 'viewer']).default('viewer'),
  })
  .strict();

const authSchema = z
  .object({
    /** Google accounts that may sign in, each with its role. Matched exactly, case-insensitively. */
    allowedEmails: z.array(allowedEmail).default([]),
    local: z
      .object({
        /** The ADMIN_USERNAME/ADMIN_PASSWORD login; null: on until Google is configured. */
        enabled: z.boolean().nullable().default(null),
      })
      .strict()
      .default({ enabled: null }),
    google: z
      .object({
        /** A Google Workspace domain the account must belong to (the hd claim), or null. */
        hostedDomain: z.string().trim().toLowerCase().min(1).nullable().default(null),
        authorizationURL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
        tokenURL: z.url().default('https://www.googleapis.com/oauth2/v4/token'),
        userProfileURL: z.url().default('https://www.googleapis.com/oauth2/v3/userinfo'),
      })
      .strict()
      .default({
        hostedDomain: null,
        authorizationURL: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenURL: 'https://www.googleapis.com/oauth2/v4/token',
        userProfileURL: 'https://www.googleapis.com/oauth2/v3/userinfo',
      }),
    /**
     * Failed local sign-ins, counted per client address and per account name from one address
     * (never per account alone). Past an allowance each failure doubles the wait before that
     * address may try again (1 s, 2 s, 4 s …, at most windowMinutes); a counter is forgotten
     * windowMinutes after its address may try again.
     */
    throttle: z
      .object({
        windowMinutes: z.number().int().min(1).default(15),
        /** Failures for one account name from one address before the waits start. */
        failuresPerAccount: z.number().int().min(1).default(5),
        /** Failures from one address, whatever the account names, before the waits start. */
        failuresPerIp: z.number().int().min(1).default(20),
      })
      .strict()
      .default({ windowMinutes: 15, failuresPerAccount: 5, failuresPerIp: 20 }),
  })
  .strict();

export type AuthConfig = z.infer<typeof authSchema>;

/** session.maxTokenDays when the config does not say. */
export const DEFAULT_MAX_TOKEN_DAYS = 90;

const pluginEntry = z.object({ enabled: z.boolean().default(true) }).passthrough();

export const coreConfigSchema = z
  .object({
    listen: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(7070) })
      .strict()
      .default({ host: '127.0.0.1', port: 7070 }),
    dataDir: z.string().min(1).default('./data'),
    publicUrl: z.url().nullable().default(null),
    trustProxy: z.boolean().default(false),
    bodyLimitKb: z.number().int().min(1).max(102_400).default(1024),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    session: z
      .object({
        idleMinutes: z.number().int().min(1).default(720),
        absoluteHours: z.number().int().min(1).default(168),
        tokenMinutes: z.number().int().min(1).default(60),
        /** The longest life a personal API token may be given (POST /api/tokens expiresInDays). */
        maxTokenDays: z.number().int().min(1).max(3650).default(DEFAULT_MAX_TOKEN_DAYS),
      })
      .strict()
      .default({ idleMinutes: 720, absoluteHours: 168, tokenMinutes: 60, maxTokenDays: DEFAULT_MAX_TOKEN_DAYS }),
    audit: z
      .object({ maxBytes: z.number().int().min(1024).default(5_000_000), keepFiles: z.number().int().min(1).default(5) })
      .strict()
      .default({ maxBytes: 5_000_000, keepFiles: 5 }),
    auth: authSchema.default(authSchema.parse({})),
    pluginDirs: z.array(z.string().min(1)).default([]),
    /** How long one plugin's setup, and its stop, may take before it is marked failed. */
    pluginTimeoutSeconds: z.number().positive().max(600).default(10),
    servers: z.array(serverSchema).default([]),
    plugins: z.record(z.string(), pluginEntry).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    const emails = new Set<string>();
    c.auth.allowedEmails.forEach((e, i) => {
      if (emails.has(e.email))
        ctx.addIssue({ code: 'custom', message: `"${e.email}" is listed twice`, path: ['auth', 'allowedEmails', i, 'email'] });
      emails.add(e.email);
    });
    c.servers.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', message: `duplicate server id "${s.id}"`, path: ['servers', i, 'id'] });
      seen.add(s.id);
    });
  });

export type CoreConfig = z.infer<typeof coreConfigSchema>;

/** Thrown when the configuration is invalid; one line per problem, each naming its key path. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): string[] {
  return issues.map((i) => {
    const keyPath = [...prefix, ...i.path].map(String).join('.') || '(root)';
    return `${keyPath}: ${issueMessage(i)}`;
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars from the override replace the base. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(base[k], v);
  return out;
}

function readYaml(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${file}: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (doc == null) return {};
  if (!isPlainObject(doc)) throw new ConfigError([`${file}: must be a YAML mapping`]);
  return doc;
}

/**
 * A path from the config as a file path: `~/` is the home folder of the user Aura runs as, and a
 * relative path is taken from the checkout (dataDir, pluginDirs, key files).
 */
export const configPath = (rootDir: string, p: string) => path.resolve(rootDir, p.replace(/^~(?=\/|$)/, os.homedir()));

export interface LoadedConfig {
  config: CoreConfig;
  /** Where relative paths in the config (dataDir, pluginDirs, key paths) are resolved. */
  rootDir: string;
  files: string[];
}

/**
 * Reads config/default.yaml, then config/local.yaml or the file named by AURA_CONFIG,
 * then the AURA_* listen/data overrides from the environment, and validates the result.
 */
export function loadConfig(rootDir: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const files = [path.join(rootDir, 'config/default.yaml')];
  const override = env.AURA_CONFIG ? path.resolve(rootDir, env.AURA_CONFIG) : path.join(rootDir, 'config/local.yaml');
  if (env.AURA_CONFIG && !existsSync(override)) throw new ConfigError([`AURA_CONFIG: no such file: ${override}`]);
  if (existsSync(override)) files.push(override);

  let raw: unknown = {};
  for (const f of files) if (existsSync(f)) raw = deepMerge(raw, readYaml(f));
  return { config: parseCoreConfig(applyEnv(raw, env)), rootDir, files };
}

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const problems: string[] = [];
  const fromEnv: Record<string, unknown> = {};
  const listen: Record<string, unknown> = {};
  if (env.AURA_HOST) listen.host = env.AURA_HOST;
  if (env.AURA_PORT) {
    const port = Number(env.AURA_PORT);
    if (!/^\d+$/.test(env.AURA_PORT) || port > 65535) problems.push(`AURA_PORT: must be a port number, got "${env.AURA_PORT}"`);
    listen.port = port;
  }
  if (Object.keys(listen).length) fromEnv.listen = listen;
  if (env.AURA_DATA_DIR) fromEnv.dataDir = env.AURA_DATA_DIR;
  if (problems.length) throw new ConfigError(problems);
  return deepMerge(raw, fromEnv);
}

export function parseCoreConfig(raw: unknown): CoreConfig {
  const result = coreConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues));
  return result.data;
}
