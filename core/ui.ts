import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { send } from '@koa/send';
import type { Middleware } from 'koa';
import type { CoreConfig } from './config.ts';
import { coreErrors } from './errors.ts';
import { discoverPlugins, isEnabled, pluginFolders } from './loader.ts';
import { isApiPath } from './http.ts';

/** Where a plugin's view shows: inside a server, as a home-page card, or as a page of its own. */
export type ViewKind = 'panel' | 'card' | 'page';

export interface ViewEntry {
  id: string;
  kind: ViewKind;
  /** Absolute path of the plugin's ui/Panel.svelte, ui/Card.svelte or ui/Page.svelte. */
  file: string;
}

const VIEW_FILES: Record<ViewKind, string> = { panel: 'Panel.svelte', card: 'Card.svelte', page: 'Page.svelte' };

const FALLBACK = 'index.html';
const STAMP = 'aura-build.json';

/** The views of enabled plugins: the ui/Panel.svelte, ui/Card.svelte and ui/Page.svelte each folder has. */
export function collectViews(plugins: { id: string; dir: string; enabled: boolean }[]): ViewEntry[] {
  const kinds = Object.keys(VIEW_FILES) as ViewKind[];
  return plugins
    .filter((p) => p.enabled)
    .flatMap((p) => kinds.map((kind) => ({ id: p.id, kind, file: path.join(p.dir, 'ui', VIEW_FILES[kind]) })))
    .filter((v) => existsSync(v.file))
    .sort((a, b) => a.id.localeCompare(b.id) || kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
}

function listFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Changes when the view set or any UI source changes, so a stale build is rebuilt. Paths count
 * relative to the checkout, so a build stays good when the whole tree moves (made in a staging
 * folder and installed in /opt/aura, or mounted elsewhere) with its files' times kept.
 */
export function uiBuildKey(uiDir: string, views: ViewEntry[]): string {
  const root = path.dirname(uiDir);
  const sources = [
    ...listFiles(path.join(uiDir, 'src')),
    ...['svelte.config.js', 'vite.config.ts'].map((f) => path.join(uiDir, f)),
    ...new Set(views.flatMap((v) => listFiles(path.dirname(v.file)))),
  ].filter(existsSync);
  const hash = createHash('sha256').update(JSON.stringify(views.map((v) => ({ ...v, file: path.relative(root, v.file) }))));
  for (const f of sources.sort()) {
    const s = statSync(f);
    hash.update(`${path.relative(root, f)}:${s.size}:${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/**
 * Builds the SvelteKit UI into outDir unless the build there was made from the same sources
 * and views. Vite runs in a child process so its memory never stays in Aura's.
 */
export async function ensureUiBuilt(opts: { uiDir: string; outDir: string; views: ViewEntry[]; onBuild?: () => void }) {
  const key = uiBuildKey(opts.uiDir, opts.views);
  const stampFile = path.join(opts.outDir, STAMP);
  if (existsSync(stampFile) && JSON.parse(readFileSync(stampFile, 'utf8')).key === key) return false;
  opts.onBuild?.();
  const tmpOut = `${opts.outDir}.tmp-${process.pid}`;
  await rm(tmpOut, { recursive: true, force: true });
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const output: Buffer[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: opts.uiDir,
      env: { ...process.env, AURA_VIEWS: JSON.stringify(opts.views), AURA_UI_OUT: tmpOut },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => output.push(c));
    child.stderr.on('data', (c: Buffer) => output.push(c));
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    await rm(tmpOut, { recursive: true, force: true });
    throw new Error(`UI build failed:\n${Buffer.concat(output).toString()}`);
  }
  await writeFile(path.join(tmpOut, STAMP), JSON.stringify({ key, views: opts.views.map((v) => `${v.id}:${v.kind}`) }));
  await rm(opts.outDir, { recursive: true, force: true });
  await rename(tmpOut, opts.outDir);
  return true;
}

/** The web UI with the views of the plugins this config enables, built if it is not yet: at start, or at install time. */
export async function ensureUiFor(rootDir: string, config: CoreConfig, onBuild?: () => void): Promise<boolean> {
  const found = discoverPlugins(pluginFolders(rootDir, config)).found;
  return ensureUiBuilt({
    uiDir: path.join(rootDir, 'ui'),
    outDir: path.join(rootDir, 'ui', 'build'),
    views: collectViews(found.map((p) => ({ ...p, enabled: isEnabled(config.plugins, p.id) }))),
    onBuild,
  });
}

/** CSP hashes of the inline bootstrap scripts SvelteKit writes into the fallback page. */
export function inlineScriptHashes(outDir: string): string[] {
  const file = path.join(outDir, FALLBACK);
  if (!existsSync(file)) return [];
  const html = readFileSync(file, 'utf8');
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `sha256-${createHash('sha256').update(m[1]!).digest('base64')}`,
  );
}

/** Static files with long caching for hashed assets, and the SPA fallback for everything else. */
export function serveUi(outDir: string): Middleware {
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || isApiPath(ctx.path) || ctx.path.startsWith('/socket.io/'))
      return next();
    if (!existsSync(path.join(outDir, FALLBACK)))
      throw coreErrors.UI_NOT_BUILT('The web UI has not been built; start Aura with `npm start` to build it.');
    // Decided on the path send() will serve: `/_app/immutable/../../index.html` is the page.
    const immutable = path.posix.normalize(ctx.path).startsWith('/_app/immutable/');
    try {
      const served = await send(ctx, ctx.path, {
        root: outDir,
        index: FALLBACK,
        immutable,
        maxage: immutable ? 365 * 24 * 3600 * 1000 : 0,
      });
      if (served && !immutable) ctx.set('Cache-Control', 'no-cache');
      if (served) return;
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
    await send(ctx, FALLBACK, { root: outDir });
    ctx.set('Cache-Control', 'no-cache');
  };
}
