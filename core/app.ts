import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { coreApi } from './api.ts';
import { openAuditLog, type AuditLog } from './audit.ts';
import { apiReference } from './reference.ts';
import { createAuth } from './auth/index.ts';
import { PersonalTokens } from './auth/tokens.ts';
import { availabilityCache } from './availability.ts';
import { ConfigError, configPath, type CoreConfig } from './config.ts';
import { createHosts, type Hosts } from './hosts/index.ts';
import { discoverPlugins, loadPlugins, pluginFolders, recordsFor, type PluginRecord } from './loader.ts';
import { createLogger, type Logger } from './logger.ts';
import type { PluginCondition, PluginContext, PluginDefinition } from './plugin.ts';
import { createPluginHost } from './plugin-host.ts';
import { createPrometheus } from './prometheus.ts';
import { redactor, secretValues } from './redact.ts';
import { resolveAdmin, sessionSecret, type Secrets } from './secrets.ts';
import { Sessions, type AuraUser } from './sessions.ts';
import { openStore, privateDataDir, type Store } from './store.ts';
import { ToolRegistry } from './tools.ts';
import { CORE_VERSION } from './version.ts';
import { createWeb, type RouteInfo } from './web.ts';

export interface AuraOptions {
  config: CoreConfig;
  /** The checkout: plugins/ and ui/ live here; relative config paths resolve from here. */
  rootDir: string;
  secrets: Secrets;
  /** Where plugins' declared secrets are read from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Exactly these plugins instead of those found in plugins/ and pluginDirs (the test kit). */
  plugins?: PluginDefinition[];
  /** The servers, instead of local plus config.servers (the test kit's fake hosts). */
  hosts?: Hosts;
  /** The config files that were read, in order (shown to admins: where to change a setting). */
  configFiles?: string[];
  /** The built UI to serve; defaults to <rootDir>/ui/build. */
  uiOutDir?: string;
  logger?: Logger;
  /** Production refuses to start without a strong SESSION_SECRET; default: NODE_ENV=production. */
  production?: boolean;
  /** The clock sessions, tokens and cached availability expire by; tests move it forward. */
  now?: () => number;
  /** How often open sockets' sessions are checked again (default 15 s). */
  socketRecheckMs?: number;
}

export interface Aura {
  url: string;
  server: Server;
  plugins: PluginRecord[];
  tools: ToolRegistry;
  /** Printed once by the CLI when the first start generated the admin password. */
  generatedAdminPassword?: string;
  /** A bearer token for a user the config lets in (tests and in-process tools). */
  issueToken(user: AuraUser): Promise<string>;
  /** Every plugin socket namespace (`/<id>`), for tests that must cover all of them. */
  socketNamespaces(): string[];
  /** Ends every open socket whose session has ended, now rather than at the next sweep. */
  recheckSockets(): void;
  /** Every HTTP route, for tests that must cover all of them. */
  routes(): RouteInfo[];
  close(): Promise<void>;
}

/** The plugins to run: the given definitions, or those found on disk, with validated settings. */
async function pluginSet(opts: AuraOptions) {
  const { config } = opts;
  if (opts.plugins) return recordsFor(opts.plugins, config.plugins);
  const discovered = discoverPlugins(pluginFolders(opts.rootDir, config));
  const loaded = await loadPlugins(discovered.found, config.plugins, CORE_VERSION);
  return { records: loaded.records, problems: [...discovered.problems, ...loaded.problems] };
}

async function signIn(opts: AuraOptions, dataDir: string, store: Store, audit: AuditLog, origins: () => Set<string>) {
  const { config, secrets } = opts;
  const admin = await resolveAdmin(secrets, dataDir);
  const sessionKey = sessionSecret(secrets, dataDir, opts.production ?? process.env.NODE_ENV === 'production');
  const sessions = new Sessions(
    store,
    {
      idleMs: config.session.idleMinutes * 60_000,
      absoluteMs: config.session.absoluteHours * 3_600_000,
      bearerMs: config.session.tokenMinutes * 60_000,
    },
    opts.now,
  );
  const google =
    secrets.googleClientId && secrets.googleClientSecret
      ? { clientID: secrets.googleClientId, clientSecret: secrets.googleClientSecret }
      : undefined;
  const auth = createAuth({
    config: config.auth,
    sessions,
    tokens: new PersonalTokens(store, opts.now),
    admin,
    google,
    audit,
    keys: [sessionKey],
    maxTokenDays: config.session.maxTokenDays,
    allowedOrigins: origins,
    baseUrl: () => baseUrlOf(config, origins),
  });
  return { auth, sessions, admin, keys: [sessionKey] };
}

/** publicUrl, or the listen address: where Google sends people back to. Never the Host header. */
const baseUrlOf = (config: CoreConfig, origins: () => Set<string>) =>
  config.publicUrl ? config.publicUrl.replace(/\/+$/, '') : [...origins()][0]!;

/** Made as the plugin starts, so that only plugins that run get a folder. */
function pluginDataDir(dataDir: string, id: string): string {
  const dir = path.join(dataDir, 'plugins', id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export async function startAura(opts: AuraOptions): Promise<Aura> {
  const { config, rootDir } = opts;
  const env = opts.env ?? process.env;
  const redact = redactor(secretValues(env));
  const log = opts.logger ?? createLogger(config.log.level, undefined, redact);
  const dataDir = configPath(rootDir, config.dataDir);
  const { tightenedFrom } = privateDataDir(dataDir);
  if (tightenedFrom !== undefined)
    log.warn({ dataDir, mode: tightenedFrom.toString(8) }, 'the data dir was readable by others; it is now 0700');

  const { records, problems } = await pluginSet(opts);
  if (problems.length) throw new ConfigError(problems);

  const store = await openStore(dataDir);
  const audit = await openAuditLog(dataDir, {
    ...config.audit,
    now: opts.now,
    onDamaged: (file, lines) => log.warn({ file, lines }, 'audit log: skipped damaged lines (a write cut short?)'),
  });
  let origins = new Set<string>();
  const { auth, sessions, admin, keys } = await signIn(opts, dataDir, store, audit, () => origins);
  const hosts = opts.hosts ?? (await createHosts(config, rootDir, log));
  const shutdown = new AbortController();
  const conditions = new Map(records.map((r) => [r.id, (r.definition?.conditions ?? []) as PluginCondition[]]));
  const availability = availabilityCache({
    hosts,
    conditionsOf: (id) => conditions.get(id) ?? [],
    configOf: (id) => records.find((r) => r.id === id)?.config,
    unavailableErrorOf: (id) => records.find((r) => r.id === id)?.definition?.unavailableError,
    signal: shutdown.signal,
    now: opts.now,
  });
  const tools = new ToolRegistry(hosts, audit, availability);
  const prometheus = createPrometheus();
  const web = createWeb({
    config,
    log,
    auth,
    hosts,
    audit,
    tools,
    availability,
    keys,
    uiOutDir: opts.uiOutDir ?? path.join(rootDir, 'ui', 'build'),
    coreRouters: [
      ...coreApi({
        auth,
        hosts,
        audit,
        tools,
        availability,
        plugins: () => records,
        redact,
        prometheus,
        routes: () => web.documentedRoutes(),
        about: { configFiles: opts.configFiles ?? [], dataDir, maxTokenDays: config.session.maxTokenDays },
      }),
      auth.router,
      apiReference(auth),
    ],
    socketRecheckMs: opts.socketRecheckMs,
  });

  const plugins = createPluginHost({
    timeoutMs: config.pluginTimeoutSeconds * 1000,
    log,
    redact,
    localHost: hosts.get('local'),
    signal: shutdown.signal,
    mount: web.mount,
    context: (record, deps): PluginContext => ({
      id: record.id,
      config: record.config,
      log: log.child({ plugin: record.id }),
      store: store.slice(`plugin.${record.id}`),
      dataDir: pluginDataDir(dataDir, record.id),
      hosts,
      audit: { record: (e) => audit.record({ ...e, action: `${record.id}.${e.action}` }) },
      signal: shutdown.signal,
      guards: { requireAdmin: auth.requireAdmin },
      deps,
      secrets: Object.fromEntries((record.secretNames ?? []).map((name) => [name, env[name] || undefined])),
      redact: redactor([...secretValues(env), ...(record.secretNames ?? []).flatMap((name) => env[name] ?? [])]),
      tools: { list: () => tools.list(), invoke: (name, input, call) => tools.invoke(name, input, call) },
      prometheus: prometheus.registryFor(record.id),
    }),
  });
  await plugins.start(records);

  const url = await web.listen();
  const host = new URL(url).hostname;
  origins = new Set([url, ...(host === '127.0.0.1' ? [`http://localhost:${new URL(url).port}`] : [])]);
  if (config.publicUrl) origins.add(new URL(config.publicUrl).origin);

  return {
    url,
    server: web.server,
    plugins: records,
    tools,
    generatedAdminPassword: admin.generatedPassword,
    issueToken: async (user) => (await sessions.create(user, 'bearer')).id,
    socketNamespaces: web.namespaces,
    recheckSockets: web.recheckSockets,
    routes: web.routes,
    async close() {
      shutdown.abort();
      await web.close();
      await plugins.stop();
      await hosts.closeAll();
      // Nothing may still be writing into the data dir once close() has resolved.
      await audit.flush({ all: true }).catch((err: unknown) => log.error({ err }, 'audit: could not write the last counts'));
      await store.settled();
    },
  };
}
