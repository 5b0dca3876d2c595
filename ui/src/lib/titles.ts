import type { PluginInfo, ServerInfo } from './session.ts';

/**
 * Each page's own title, most specific first: "Services · Web server · Aura", "API tokens ·
 * Aura", "Home · Aura". The shell sets it, so every page has one; a new route adds its name here.
 */
export function pageTitle(
  routeId: string | null,
  params: Record<string, string | undefined>,
  data: { plugins: PluginInfo[]; server?: ServerInfo; serverId: string; loadError: unknown },
  failed: boolean,
): string {
  const parts = (() => {
    if (failed || data.loadError) return ['Error'];
    const plugin = data.plugins.find((p) => p.id === params.plugin);
    switch (routeId) {
      case '/(app)':
        return ['Home'];
      case '/(app)/tokens':
        return ['API tokens'];
      case '/(app)/s/[server]/[plugin]':
        return [plugin?.title ?? 'Not available', data.server?.name ?? data.serverId];
      case '/(app)/p/[plugin]':
        return [plugin?.title ?? 'Not available'];
      default:
        return [];
    }
  })();
  return [...parts, 'Aura'].join(' · ');
}
