import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT_DIR } from './version.ts';

/**
 * What a plugin outside the checkout imports instead of relative paths into Aura's tree, and
 * the source file each one is. The editor (its tsconfig.json `paths`, written by `npm run
 * new-plugin`), vitest (an alias in vitest.config.ts) and Node (the hook below) all read this.
 */
export const AURA_IMPORTS = {
  'aura/plugin': 'core/index.ts',
  'aura/test-kit': 'test/kit/index.ts',
} as const;

/** AURA_IMPORTS as absolute paths in a checkout. */
export const auraImportPaths = (rootDir = ROOT_DIR): Record<string, string> =>
  Object.fromEntries(Object.entries(AURA_IMPORTS).map(([name, file]) => [name, path.join(rootDir, file)]));

let registered = false;

/**
 * Lets Node resolve AURA_IMPORTS (and the packages a plugin takes from Aura's node_modules)
 * for plugins loaded from a pluginDir. `aura/plugin` is the core this process runs — core/index.ts
 * from sources, dist/core/index.js compiled — never a second copy of it.
 */
export function registerPluginImports(): void {
  if (registered) return;
  registered = true;
  const ext = path.extname(fileURLToPath(import.meta.url));
  const imports = {
    'aura/plugin': new URL(`./index${ext}`, import.meta.url).href,
    'aura/test-kit': pathToFileURL(path.join(ROOT_DIR, AURA_IMPORTS['aura/test-kit'])).href,
  };
  const checkout = pathToFileURL(`${ROOT_DIR}${path.sep}`).href;
  register(pathToFileURL(path.join(ROOT_DIR, 'core', 'plugin-imports-hook.mjs')), { data: { imports, checkout } });
}
