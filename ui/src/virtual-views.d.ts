/** Made by the aura-views Vite plugin (ui/vite.config.ts): lazy imports of each enabled plugin's views. */
declare module 'virtual:aura-views' {
  import type { Component } from 'svelte';
  type Lazy<P extends Record<string, unknown>> = () => Promise<{ default: Component<P> }>;
  export interface PluginViews {
    /** ui/Panel.svelte: the plugin inside a server, at /s/[server]/[plugin]. */
    panel?: Lazy<{ serverId: string; serverName: string }>;
    /** ui/Card.svelte: a card on the home page, for the selected server. */
    card?: Lazy<{ serverId: string; serverName: string }>;
    /** ui/Page.svelte: a global plugin's page of its own, at /p/[plugin]; serverId is the shell's chosen server. */
    page?: Lazy<{ serverId: string }>;
  }
  export const views: Record<string, PluginViews>;
}
