/** Made by the aura-panels Vite plugin (ui/vite.config.ts): one lazy import per enabled plugin's panel. */
declare module 'virtual:aura-panels' {
  import type { Component } from 'svelte';
  export const panels: Record<string, () => Promise<{ default: Component<{ serverId: string }> }>>;
}
