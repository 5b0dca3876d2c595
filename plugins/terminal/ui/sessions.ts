/** The sessions this browser tab shows, per server: a reload reattaches exactly these. */
const key = (serverId: string) => `aura.terminal.${serverId}`;

export function rememberedSessions(serverId: string): string[] {
  try {
    const ids = JSON.parse(sessionStorage.getItem(key(serverId)) ?? '[]') as unknown;
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberSessions(serverId: string, ids: string[]): void {
  sessionStorage.setItem(key(serverId), JSON.stringify(ids));
}

/** A paste bigger than one input event may carry goes in pieces. */
export const INPUT_PIECE = 64 * 1024;

export function pieces(data: string, size = INPUT_PIECE): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.slice(i, i + size));
  return out;
}

export interface SessionInfo {
  sessionId: string;
  serverId: string;
  createdAt: string;
  cols: number;
  rows: number;
  attached: boolean;
}
