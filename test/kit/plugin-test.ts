import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { startAura, type Aura } from '../../core/app.ts';
import type { AuditEntry } from '../../core/audit.ts';
import { parseCoreConfig } from '../../core/config.ts';
import { hostsFrom } from '../../core/hosts/index.ts';
import type { Host, PluginDefinition } from '../../core/index.ts';
import type { Logger } from '../../core/logger.ts';
import type { AuraUser } from '../../core/sessions.ts';
import { ROOT_DIR } from '../../core/version.ts';
import { auraFetch } from '../harness/requests.ts';
import { connectSocket } from '../harness/sockets.ts';

/** Who a kit request or socket acts as: the local admin, an allowlisted viewer, or nobody. */
export type As = 'admin' | 'viewer' | 'stranger';

const USERS: Record<Exclude<As, 'stranger'>, AuraUser> = {
  admin: { username: 'admin', role: 'admin', provider: 'local' },
  viewer: { username: 'viewer@example.org', role: 'viewer', provider: 'google' },
};

export interface PluginTest {
  aura: Aura;
  url: string;
  /** Where this Aura keeps its store and audit log (removed at close). */
  dataDir: string;
  /** fetch against the plugin test's Aura, signed in as `as` (default admin) with a bearer token. */
  request(urlPath: string, init?: RequestInit & { as?: As; json?: unknown }): Promise<Response>;
  /**
   * A connected socket.io client on `/<namespace>`; `serverId` for host-scoped plugins. It
   * sends Aura's own Origin unless told another (a page elsewhere).
   */
  socket(namespace: string, opts?: { as?: As; serverId?: string; origin?: string }): Promise<Socket>;
  /** Calls an agent tool as `as` (default admin). */
  tool(name: string, input?: unknown, opts?: { as?: As }): Promise<unknown>;
  /** The audit log, newest first. */
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/**
 * Starts exactly the given plugins in-process on scripted hosts, as Backstage's
 * startTestBackend does: the real core (routing, auth, roles, audit, sockets, tools) on
 * 127.0.0.1 with an ephemeral port, no discovery, no SSH, no root. `hosts` maps server ids to
 * hosts (usually fakeHost()); it must include `local`.
 */
export async function startPluginTest(opts: {
  plugins: PluginDefinition[];
  /** Settings per plugin id, as under `plugins:` in the config. */
  settings?: Record<string, Record<string, unknown>>;
  hosts?: Record<string, Host>;
  env?: Record<string, string>;
  pluginTimeoutSeconds?: number;
  /** The clock sessions and cached availability go by. */
  now?: () => number;
  /** Where the core logs (default: nowhere). */
  logger?: Logger;
}): Promise<PluginTest> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-kit-'));
  const settings = Object.fromEntries(Object.entries(opts.settings ?? {}).map(([id, s]) => [id, { enabled: true, ...s }]));
  const config = parseCoreConfig({
    listen: { host: '127.0.0.1', port: 0 },
    dataDir,
    log: { level: opts.logger ? 'info' : 'silent' },
    auth: { allowedEmails: [{ email: USERS.viewer.username, role: 'viewer' }] },
    pluginTimeoutSeconds: opts.pluginTimeoutSeconds ?? 10,
    // Kit bearers act as a signed-in admin would: long enough to make API tokens with.
    session: { tokenMinutes: 7 * 24 * 60 },
    plugins: settings,
  });
  const hostMap = opts.hosts ?? {};
  if (!hostMap.local) throw new Error('startPluginTest: hosts must include local');
  const hosts = hostsFrom(
    Object.entries(hostMap).map(([id, host]) => ({
      info: { id, name: id === 'local' ? 'This machine' : id, host: id, kind: host.kind },
      host,
    })),
  );
  // A start that fails (a bad setting, a plugin that throws) leaves no data dir behind.
  const aura = await startAuraIn(dataDir, {
    config,
    rootDir: ROOT_DIR,
    // A fixed session secret and admin hash: nothing is generated, so a start takes milliseconds.
    secrets: {
      adminUsername: 'admin',
      adminPasswordHash: 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      sessionSecret: 'aura plugin test kit session secret, not a real one',
    },
    env: opts.env ?? {},
    plugins: opts.plugins,
    hosts,
    uiOutDir: path.join(dataDir, 'no-ui'),
    production: false,
    now: opts.now,
    logger: opts.logger,
  });
  const tokens = {
    admin: await aura.issueToken(USERS.admin),
    viewer: await aura.issueToken(USERS.viewer),
  };
  const tokenFor = (as: As = 'admin') => (as === 'stranger' ? undefined : tokens[as]);

  const request: PluginTest['request'] = (urlPath, { as, ...init } = {}) =>
    auraFetch(aura.url, urlPath, { ...init, token: tokenFor(as) });

  return {
    aura,
    url: aura.url,
    dataDir,
    request,
    socket: (namespace, { as, serverId, origin } = {}) =>
      connectSocket(aura.url, namespace, { token: tokenFor(as), serverId, origin }),
    tool: (name, input = {}, { as = 'admin' } = {}) =>
      aura.tools.invoke(name, input, {
        user: as === 'stranger' ? { username: 'nobody', role: 'viewer' } : USERS[as],
        signal: AbortSignal.timeout(10_000),
      }),
    async audit() {
      const res = await request('/api/audit?limit=200');
      return (await res.json()) as AuditEntry[];
    },
    async close() {
      await aura.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startAuraIn(dataDir: string, opts: Parameters<typeof startAura>[0]): ReturnType<typeof startAura> {
  try {
    return await startAura(opts);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
