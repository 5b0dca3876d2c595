import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAura, type Aura } from '../../core/app.ts';
import { discoverPlugins } from '../../core/loader.ts';
import { deepMerge, parseCoreConfig } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import type { Secrets } from '../../core/secrets.ts';
import { ROOT_DIR } from '../../core/version.ts';
import { auraFetch, type AuraRequestInit } from './requests.ts';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

export interface TestAura {
  aura: Aura;
  url: string;
  dataDir: string;
  /** Signs in as the local admin: the session cookie (for browsers) and the bearer token. */
  login(): Promise<{ cookie: string; token: string }>;
  /** fetch against Aura; `token` or `cookie` sign the request (a cookie also sends our Origin). */
  request(urlPath: string, init?: AuraRequestInit): Promise<Response>;
  /** Stops Aura; the data dir goes too unless keepData (to start it again on the same data). */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/** A real Aura on 127.0.0.1 with an ephemeral port and a temporary data dir. */
export async function startTestAura(
  overrides: Record<string, unknown> = {},
  opts: {
    uiOutDir?: string;
    logger?: Logger;
    dataDir?: string;
    secrets?: Partial<Secrets>;
    now?: () => number;
    socketRecheckMs?: number;
    production?: boolean;
    env?: Record<string, string | undefined>;
  } = {},
): Promise<TestAura> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'aura-data-'));
  const config = parseCoreConfig(
    deepMerge({ listen: { host: '127.0.0.1', port: 0 }, dataDir, log: { level: 'silent' } }, overrides),
  );
  const aura = await startAura({
    config,
    rootDir: ROOT_DIR,
    secrets: { adminUsername: ADMIN.username, adminPassword: ADMIN.password, ...opts.secrets },
    now: opts.now,
    socketRecheckMs: opts.socketRecheckMs,
    production: opts.production ?? false,
    uiOutDir: opts.uiOutDir ?? path.join(ROOT_DIR, 'ui', 'build'),
    logger: opts.logger,
    env: opts.env ?? {},
  });
  const request: TestAura['request'] = (urlPath, init = {}) => auraFetch(aura.url, urlPath, init);
  return {
    aura,
    url: aura.url,
    dataDir,
    request,
    async login() {
      const res = await request('/auth/login', { method: 'POST', json: ADMIN });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      const { token } = (await res.json()) as { token: string };
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      return { cookie, token };
    },
    async close({ keepData = false } = {}) {
      await aura.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `plugins:` settings turning every built-in plugin off: for tests of what a disabled one leaves. */
export function builtInsDisabled(): Record<string, { enabled: false }> {
  return Object.fromEntries(
    discoverPlugins([path.join(ROOT_DIR, 'plugins')]).found.map((p) => [p.id, { enabled: false as const }]),
  );
}
