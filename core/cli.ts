/**
 * `npm run aura -- <plugin> <command> [args]`: the one entry for plugins' command-line helpers
 * (e.g. `npm run aura -- services sudoers --user aura`). Without arguments it lists them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { discoverPlugins, loadPlugins, pluginFolders } from './loader.ts';
import { CORE_VERSION, ROOT_DIR } from './version.ts';

export async function runCli(args: string[], out: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { config } = loadConfig(ROOT_DIR, env);
  const [pluginId, commandName, ...rest] = args;
  const found = discoverPlugins(pluginFolders(ROOT_DIR, config)).found.filter((f) => !pluginId || f.id === pluginId);
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
    if (pluginId)
      out.write(`No command "${[pluginId, commandName].filter(Boolean).join(' ')}".${record?.error ? ` ${record.error}` : ''}\n`);
    out.write(lines.length ? `Commands:\n${lines.join('\n')}\n` : 'No plugin offers a command.\n');
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
  runCli(process.argv.slice(2), process.stdout).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
      process.exit(1);
    },
  );
}
