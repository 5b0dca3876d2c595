import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginDefinition } from '../../core/index.ts';
import { ROOT_DIR } from '../../core/version.ts';

/**
 * One of Aura's own plugins, by id, for a test whose plugin depends on it (deploy on
 * services): imported by the kit, so the plugin's tests import nothing outside its folder.
 */
export async function builtInPlugin(id: string): Promise<PluginDefinition> {
  const mod = (await import(pathToFileURL(path.join(ROOT_DIR, 'plugins', id, 'index.ts')).href)) as {
    default: PluginDefinition;
  };
  return mod.default;
}
