import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Aura's core builds into a temporary folder (AURA_UI_OUT) and swaps it in when done.
const out = process.env.AURA_UI_OUT ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: true }),
    alias: { '@aura/ui': 'src/lib/index.ts' },
    appDir: '_app',
    output: { bundleStrategy: 'split' },
    version: { pollInterval: 0 },
  },
};
