/**
 * The icons a plugin may name in `nav.icon` (core/plugin.ts NavEntry): 24×24 stroked paths,
 * drawn in the current text colour. Unknown names get the generic one.
 */
const ICONS: Record<string, string[]> = {
  server: [
    'M5 3h14a2 2 0 0 1 2 2v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z',
    'M5 13h14a2 2 0 0 1 2 2v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4a2 2 0 0 1 2-2z',
    'M7 7h.01',
    'M7 17h.01',
  ],
  plug: ['M9 2v5', 'M15 2v5', 'M6 7h12v4a6 6 0 0 1-12 0z', 'M12 17v5'],
  box: ['M21 8l-9-5-9 5v8l9 5 9-5z', 'M3 8l9 5 9-5', 'M12 13v8'],
  terminal: ['M4 17l6-6-6-6', 'M12 19h8'],
  chart: ['M3 3v18h18', 'M7 15l4-4 3 3 5-6'],
  rocket: ['M12 2c3 3 4 7 4 11l-4 3-4-3c0-4 1-8 4-11z', 'M8 13l-3 3v4l4-2', 'M16 13l3 3v4l-4-2', 'M12 8.5v.01'],
  chat: ['M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-5A8 8 0 1 1 21 12z'],
  code: ['M8 7l-5 5 5 5', 'M16 7l5 5-5 5', 'M14 4l-4 16'],
  wrench: ['M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z'],
  lock: ['M7 11h10a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2v-6a2 2 0 0 1 2-2z', 'M8 11V7a4 4 0 0 1 8 0v4'],
  generic: ['M4 4h6v6H4z', 'M14 4h6v6h-6z', 'M4 14h6v6H4z', 'M14 14h6v6h-6z'],
};

const ALIASES: Record<string, string> = {
  container: 'box',
  docker: 'box',
  metrics: 'chart',
  deploy: 'rocket',
  agent: 'chat',
  tool: 'wrench',
};

/** The paths of the named icon, or of the generic one. */
export function iconPaths(name: string | undefined): string[] {
  const key = ALIASES[name ?? ''] ?? name ?? '';
  return ICONS[key] ?? ICONS.generic!;
}
