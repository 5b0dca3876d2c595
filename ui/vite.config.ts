import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

interface PanelEntry {
  id: string;
  file: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Without AURA_PANELS (a plain `vite dev`), every built-in plugin's panel. */
function builtInPanels(): PanelEntry[] {
  const dir = path.join(here, '..', 'plugins');
  return readdirSync(dir)
    .map((id) => ({ id, file: path.join(dir, id, 'ui', 'Panel.svelte') }))
    .filter((p) => existsSync(p.file));
}

/** `virtual:aura-panels`: a lazy import per enabled plugin's panel, as the core listed them. */
function auraPanels(): Plugin {
  const id = 'virtual:aura-panels';
  const panels: PanelEntry[] = process.env.AURA_PANELS ? JSON.parse(process.env.AURA_PANELS) : builtInPanels();
  return {
    name: 'aura-panels',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      const entries = panels.map((p) => `${JSON.stringify(p.id)}: () => import(${JSON.stringify(p.file)})`);
      return `export const panels = {${entries.join(',\n')}};`;
    },
  };
}

export default defineConfig({
  plugins: [auraPanels(), sveltekit()],
  // Panels in pluginDirs outside this checkout must share our one copy of Svelte.
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
