import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

type ViewKind = 'panel' | 'card' | 'page';
interface ViewEntry {
  id: string;
  kind: ViewKind;
  file: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES: Record<ViewKind, string> = { panel: 'Panel.svelte', card: 'Card.svelte', page: 'Page.svelte' };

/** Without AURA_VIEWS (a plain `vite dev`), every built-in plugin's views. */
function builtInViews(): ViewEntry[] {
  const dir = path.join(here, '..', 'plugins');
  return readdirSync(dir)
    .flatMap((id) =>
      (Object.keys(FILES) as ViewKind[]).map((kind) => ({ id, kind, file: path.join(dir, id, 'ui', FILES[kind]) })),
    )
    .filter((v) => existsSync(v.file));
}

/**
 * `virtual:aura-views`: `views[pluginId][kind]` is a lazy import of that plugin's Panel, Card or
 * Page, for the enabled plugins the core listed (core/ui.ts collectViews).
 */
function auraViews(): Plugin {
  const id = 'virtual:aura-views';
  const views: ViewEntry[] = process.env.AURA_VIEWS ? JSON.parse(process.env.AURA_VIEWS) : builtInViews();
  return {
    name: 'aura-views',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      const byPlugin = new Map<string, string[]>();
      for (const v of views) {
        const list = byPlugin.get(v.id) ?? [];
        list.push(`${v.kind}: () => import(${JSON.stringify(v.file)})`);
        byPlugin.set(v.id, list);
      }
      const entries = [...byPlugin].map(([plugin, kinds]) => `${JSON.stringify(plugin)}: {${kinds.join(', ')}}`);
      return `export const views = {${entries.join(',\n')}};`;
    },
  };
}

export default defineConfig({
  plugins: [auraViews(), sveltekit()],
  // Views in pluginDirs outside this checkout must share our one copy of Svelte.
  resolve: { dedupe: ['svelte'] },
  server: {
    fs: { allow: ['..'] },
    proxy: {
      '/api': 'http://127.0.0.1:7070',
      '/auth': 'http://127.0.0.1:7070',
      '/socket.io': { target: 'ws://127.0.0.1:7070', ws: true },
    },
  },
});
