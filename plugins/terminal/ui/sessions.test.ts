import { describe, expect, it } from 'vitest';
import { minutes, nextLabel, pieces, refusal, rememberedSessions, rememberSessions, tabState, TAKEN } from './sessions.ts';

/** sessionStorage's interface over a Map (vitest runs in Node). */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

describe('the terminal panel’s helpers', () => {
  it('splits a big paste into pieces under the input limit, never inside a surrogate pair', () => {
    expect(pieces('')).toEqual([]);
    expect(pieces('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    const emoji = 'ab😀cd'; // the emoji is two UTF-16 units, at 2 and 3
    expect(pieces(emoji, 3)).toEqual(['ab', '😀c', 'd']);
    expect(pieces(emoji, 3).join('')).toBe(emoji);
    const big = 'x'.repeat(300 * 1024);
    expect(pieces(big).every((p) => p.length <= 64 * 1024)).toBe(true);
    expect(pieces(big).join('')).toBe(big);
  });

  it('remembers the sessions of a browser tab per server, and reads older or broken entries safely', () => {
    const storage = memoryStorage();
    rememberSessions('web', [{ sessionId: 'a', label: 'Shell 1' }], storage);
    expect(rememberedSessions('web', storage)).toEqual([{ sessionId: 'a', label: 'Shell 1' }]);
    expect(rememberedSessions('db', storage)).toEqual([]);
    storage.setItem('aura.terminal.old', JSON.stringify(['x', 'y', 3]));
    expect(rememberedSessions('old', storage)).toEqual([
      { sessionId: 'x', label: 'Shell 1' },
      { sessionId: 'y', label: 'Shell 2' },
    ]);
    storage.setItem('aura.terminal.bad', '{not json');
    expect(rememberedSessions('bad', storage)).toEqual([]);
    rememberSessions('web', [], storage);
    expect(storage.getItem('aura.terminal.web')).toBeNull();
  });

  it('names tabs, their states, refusals and durations', () => {
    expect(nextLabel([])).toBe('Shell 1');
    expect(nextLabel([{ label: 'Shell 1' }, { label: 'Shell 3' }])).toBe('Shell 4');
    expect(tabState({ sessionId: 'a', label: 'Shell 1', state: 'live' })).toBe('');
    expect(tabState({ sessionId: 'a', label: 'Shell 1', state: 'ended', exitCode: 130 })).toBe('exited with code 130');
    expect(tabState({ sessionId: 'a', label: 'Shell 1', state: 'ended' })).toBe('ended');
    expect(tabState({ sessionId: 'a', label: 'Shell 1', state: 'away', why: TAKEN })).toBe('in another window');
    expect(refusal({ sessionId: 'a' })).toBeNull();
    expect(refusal([])).toBeNull();
    expect(refusal({ detail: 'Too many', code: 'TOO_MANY_TERMINALS' })).toEqual({
      detail: 'Too many',
      code: 'TOO_MANY_TERMINALS',
    });
    expect(minutes(10)).toBe('10 minutes');
    expect(minutes(1)).toBe('1 minute');
    expect(minutes(0.5)).toBe('30 seconds');
  });
});
