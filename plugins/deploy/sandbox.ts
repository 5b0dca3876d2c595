import { parseArgs } from 'node:util';
import { hasControlCharacters, type PluginCommand } from '../../core/index.ts';
import type { DeployConfig } from './config.ts';

/**
 * A path as one word of a systemd directive: quoted, with `\`, `"` and `%` escaped. The config
 * refuses control characters in paths; this refuses them again, since a newline here would
 * start a directive of its own (`ExecStartPre=+…`, as root) in a file root installs.
 */
function systemdWord(p: string): string {
  if (hasControlCharacters(p)) throw new Error(`A path with a control character cannot go into a drop-in: ${JSON.stringify(p)}`);
  return `"${p.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%')}"`;
}

/**
 * The drop-in that opens a sandboxed aura.service (systemd/aura.service: ProtectSystem=strict)
 * to the folders its deploy apps on this server live in, and to nothing else. Empty without apps.
 */
export function sandboxDropIn(config: DeployConfig, serverId: string): string {
  const dirs = [...new Set((config.apps[serverId] ?? []).map((a) => a.dir))].sort();
  if (!dirs.length) return '';
  return [
    '# Written from plugins.deploy.apps by `npm run aura -- deploy sandbox` (systemd/install.sh):',
    '# the deploy plugin writes into these folders; the rest of the system stays read-only to Aura.',
    '[Service]',
    // "-": a folder that is not there yet does not stop Aura from starting.
    ...dirs.map((d) => `ReadWritePaths=-${systemdWord(d)}`),
    '',
  ].join('\n');
}

/** `npm run aura -- deploy sandbox [--server local]` */
export const sandboxCommand: PluginCommand<DeployConfig> = {
  description: "Print the aura.service drop-in that lets a sandboxed Aura write its deploy apps' folders (--server local).",
  run(args, { config, out }) {
    const { values } = parseArgs({ args, options: { server: { type: 'string', default: 'local' } } });
    out.write(sandboxDropIn(config, values.server));
  },
};
