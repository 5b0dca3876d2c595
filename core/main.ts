import { existsSync } from 'node:fs';
import path from 'node:path';
import { startAura } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { redactor, secretValues } from './redact.ts';
import { readSecrets } from './secrets.ts';
import { ensureUiFor } from './ui.ts';
import { ROOT_DIR } from './version.ts';

const rootDir = ROOT_DIR;

/**
 * The line a person acts on: "Open http://127.0.0.1:7070", and on the first start the sign-in,
 * whose generated password is printed this once (like Jenkins and Grafana do; only its hash is
 * kept). The URL is publicUrl when set; a wildcard address is opened as loopback.
 */
function openLine(url: string, username: string, generatedPassword?: string): string {
  const open = `Open ${url.replace(/\/$/, '').replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:')}`;
  return generatedPassword ? `${open} — user ${username}, password ${generatedPassword} (shown only this once)` : open;
}

async function main(): Promise<void> {
  const envFile = path.join(rootDir, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const { config, files } = loadConfig(rootDir);
  const log = createLogger(config.log.level, undefined, redactor(secretValues(process.env)));
  // A promise nobody waited for must not take Aura down (under systemd: a restart loop).
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  await ensureUiFor(rootDir, config, () => log.info('building the web UI (plugins or UI sources changed)…'));

  const secrets = readSecrets(process.env);
  const aura = await startAura({ config, rootDir, secrets, logger: log, configFiles: files });
  log.info({ url: aura.url, plugins: aura.plugins.map((p) => `${p.id}:${p.state}`) }, `Aura ready on ${aura.url}`);
  // One plain line a person can act on. On stderr: stdout is the JSON log (one object a line,
  // for jq, pino-pretty and log shippers), and a terminal or journald shows stderr all the same.
  process.stderr.write(`${openLine(config.publicUrl ?? aura.url, secrets.adminUsername, aura.generatedAdminPassword)}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    aura.close().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Aura cannot start: ${err.message}\n`);
  } else {
    process.stderr.write(`Aura cannot start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
