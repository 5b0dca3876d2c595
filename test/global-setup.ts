import path from 'node:path';
import { discoverPlugins } from '../core/loader.ts';
import { collectViews, ensureUiBuilt } from '../core/ui.ts';
import { ROOT_DIR } from '../core/version.ts';
import { ensureRootfs } from './harness/systemd.ts';

/**
 * Builds the UI once, with every built-in plugin's views, for the tests that serve it, and
 * the cached Debian root file system the services and deploy tests boot (a minute or two the first time).
 */
export default async function setup(): Promise<void> {
  const rootfs = ensureRootfs();
  const plugins = discoverPlugins([path.join(ROOT_DIR, 'plugins')]).found.map((p) => ({ ...p, enabled: true }));
  await ensureUiBuilt({
    uiDir: path.join(ROOT_DIR, 'ui'),
    outDir: path.join(ROOT_DIR, 'ui', 'build'),
    views: collectViews(plugins),
  });
  await rootfs;
}
