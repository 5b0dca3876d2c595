/**
 * `npm run aura -- <plugin> <command> [args]`: the one entry for plugins' command-line helpers
 * (e.g. `npm run aura -- services sudoers --user aura`), and the core's own `backup` and
 * `restore`. Without arguments it lists them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { backupDataDir, restoreDataDir } from './backup.ts';
import { ConfigError, configPath, loadConfig, type CoreConfig } from './config.ts';
import { discoverPlugins, isEnabled, loadPlugins, pluginFolders } from './loader.ts';
import { ensureUiFor } from './ui.ts';
import { CORE_VERSION, ROOT_DIR } from './version.ts';

const CORE_COMMANDS = [
  "  npm run aura -- backup <file>    Write the data dir (store without sessions, audit, tokens, plugins' data) to a .tar.gz",
  '  npm run aura -- restore <file>   Replace the data dir with a backup (Aura stopped); the old one is kept beside it',
  '  npm run aura -- build-ui         Build the web UI for the enabled plugins now, not at the next start',
];

/** Whether an Aura answers where this config listens: a restore under it would be overwritten. */
async function auraAnswers(config: CoreConfig): Promise<boolean> {
  const host = ['0.0.0.0', '::', ''].includes(config.listen.host) ? '127.0.0.1' : config.listen.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.listen.port}/api/health`;
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );
}

/** Where a command writes: its output, and what went wrong (never mixed into output a script keeps). */
export interface CliStreams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

async function coreCommand(name: string, args: string[], config: CoreConfig, { out, err }: CliStreams): Promise<number> {
  const [file] = args;
  const dataDir = configPath(ROOT_DIR, config.dataDir);
  if (!file || args.length > 1) {
    err.write(`Usage: npm run aura -- ${name} <file>\n`);
    return 2;
  }
  if (name === 'backup') {
    const { files } = await backupDataDir(dataDir, file);
    out.write(`Backed up ${dataDir} (${files} files and folders, sessions left out) to ${file}.\n`);
    return 0;
  }
  if (await auraAnswers(config)) {
    err.write(`Aura is running on port ${config.listen.port}: stop it first (systemctl stop aura), then restore.\n`);
    return 1;
  }
  const { keptAt } = await restoreDataDir(file, dataDir);
  out.write(`Restored ${file} into ${dataDir}.${keptAt ? ` The data dir it replaced is kept at ${keptAt}.` : ''}\n`);
  return 0;
}

export async function runCli(args: string[], streams: CliStreams, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { out, err } = streams;
  const { config } = loadConfig(ROOT_DIR, env);
  const [pluginId, commandName, ...rest] = args;
  if (pluginId === 'backup' || pluginId === 'restore') return coreCommand(pluginId, args.slice(1), config, streams);
  if (pluginId === 'build-ui') {
    out.write((await ensureUiFor(ROOT_DIR, config)) ? 'Built the web UI.\n' : 'The web UI is built already.\n');
    return 0;
  }
  const found = discoverPlugins(pluginFolders(ROOT_DIR, config)).found.filter((f) => !pluginId || f.id === pluginId);
  // A plugin that is off has nothing to set up: its commands say so (on stderr, so a script
  // that keeps the output keeps nothing), with a code of their own.
  if (found.length && commandName && !isEnabled(config.plugins, pluginId!)) {
    err.write(`The ${pluginId} plugin is off (plugins.${pluginId}.enabled: false): nothing to do.\n`);
    return 3;
  }
  // Only the plugins asked about are imported; their own settings are validated as at start.
  const settings = Object.fromEntries(Object.entries(config.plugins).filter(([id]) => found.some((f) => f.id === id)));
  const { records, problems } = await loadPlugins(found, settings, CORE_VERSION);
  if (problems.length) throw new ConfigError(problems);
  const record = records.find((r) => r.id === pluginId);
  const command = record?.definition?.commands?.[commandName ?? ''];
  if (!record || !command) {
    const lines = records.flatMap((r) =>
      Object.entries(r.definition?.commands ?? {}).map(([name, c]) => `  npm run aura -- ${r.id} ${name}    ${c.description}`),
    );
    const to = pluginId ? err : out;
    if (pluginId)
      to.write(`No command "${[pluginId, commandName].filter(Boolean).join(' ')}".${record?.error ? ` ${record.error}` : ''}\n`);
    to.write(`Commands:\n${[...CORE_COMMANDS, ...lines].join('\n')}\n`);
    return pluginId ? 2 : 0;
  }
  await command.run(rest, { config: record.config, out });
  return 0;
}

const invokedDirectly =
  process.argv[1] &&
  path.resolve(process.argv[1]).replace(/\.js$/, '.ts') === path.resolve(import.meta.filename).replace(/\.js$/, '.ts');
if (invokedDirectly) {
  const envFile = path.join(ROOT_DIR, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
      process.exit(1);
    },
  );
}
