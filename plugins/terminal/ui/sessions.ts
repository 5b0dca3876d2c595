/** What the panel keeps about sessions, and the small rules it follows; no DOM, no socket. */

/** One session as `list` describes it: the server's own type. */
export type { SessionInfo } from '../session.ts';

/** A socket acknowledgement: the result, or `{ detail, code }`. */
export type Ack = Record<string, unknown> & { detail?: string; code?: string };

export interface Refusal {
  detail: string;
  code: string;
}

/** The `{ detail, code }` of a refused call, or null when it succeeded. */
export function refusal(ack: unknown): Refusal | null {
  const a = ack as Ack | null;
  if (!a || typeof a !== 'object' || Array.isArray(a) || typeof a.code !== 'string') return null;
  return { detail: typeof a.detail === 'string' ? a.detail : a.code, code: a.code };
}

/** Why an `away` tab is not shown here: another window took its session. */
export const TAKEN = 'taken';

/**
 * A tab of the panel. `live`: shown here, typing goes to it. `ended`: its shell is gone
 * (exitCode when it exited; none when it ended while the link was down). `away`: it runs, but
 * is not shown here: `why` is TAKEN, or the reason attaching failed.
 */
export interface Tab {
  sessionId: string;
  label: string;
  state: 'live' | 'ended' | 'away';
  exitCode?: number;
  why?: string;
}

/** What a tab says besides its name, or '' for a live one. */
export function tabState(tab: Tab): string {
  if (tab.state === 'ended') return tab.exitCode === undefined ? 'ended' : `exited with code ${tab.exitCode}`;
  if (tab.state === 'away') return tab.why === TAKEN ? 'in another window' : 'not shown here';
  return '';
}

/** "Shell N", one more than the highest N among the tabs. */
export function nextLabel(tabs: readonly Pick<Tab, 'label'>[]): string {
  const used = tabs.map((t) => Number(/^Shell (\d+)$/.exec(t.label)?.[1] ?? 0));
  return `Shell ${Math.max(0, ...used) + 1}`;
}

/** "10 minutes", "1 minute", "90 seconds". */
export function minutes(n: number): string {
  if (n > 0 && n < 1) return `${Math.round(n * 60)} seconds`;
  return n === 1 ? '1 minute' : `${n} minutes`;
}

export interface Remembered {
  sessionId: string;
  label: string;
}

/** The sessions this browser tab shows, per server: a reload reattaches exactly these. */
const key = (serverId: string) => `aura.terminal.${serverId}`;

export function rememberedSessions(serverId: string, storage: Storage = sessionStorage): Remembered[] {
  try {
    const saved = JSON.parse(storage.getItem(key(serverId)) ?? '[]') as unknown;
    if (!Array.isArray(saved)) return [];
    return saved.flatMap((s: unknown, i) => {
      // An older page kept bare ids.
      if (typeof s === 'string') return [{ sessionId: s, label: `Shell ${i + 1}` }];
      const r = s as Partial<Remembered> | null;
      return typeof r?.sessionId === 'string' && typeof r.label === 'string' ? [{ sessionId: r.sessionId, label: r.label }] : [];
    });
  } catch {
    return [];
  }
}

export function rememberSessions(serverId: string, sessions: Remembered[], storage: Storage = sessionStorage): void {
  try {
    if (sessions.length) storage.setItem(key(serverId), JSON.stringify(sessions));
    else storage.removeItem(key(serverId));
  } catch {
    // Storage full or refused: a reload then lists these sessions as detached instead.
  }
}

/**
 * The server takes at most 256 KiB of text per input event; a bigger paste goes in pieces
 * (64 Ki UTF-16 units each, well under the limit however the text is counted).
 */
export const INPUT_PIECE = 64 * 1024;

export function pieces(data: string, size = INPUT_PIECE): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(start + size, data.length);
    // Never split a surrogate pair: each piece must be valid text.
    const last = data.charCodeAt(end - 1);
    if (end < data.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(data.slice(start, end));
    start = end;
  }
  return out;
}
