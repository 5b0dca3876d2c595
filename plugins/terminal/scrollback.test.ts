import { describe, expect, it } from 'vitest';
import { Scrollback } from './scrollback.ts';

const kept = (s: Scrollback) => s.pieces(1e9).join('');

describe('Scrollback', () => {
  it('keeps everything under its limit, in order', () => {
    const s = new Scrollback(100);
    s.push('one\r\n');
    s.push('');
    s.push('two\r\n');
    expect(kept(s)).toBe('one\r\ntwo\r\n');
    expect(s.size).toBe(10);
  });

  it('drops the oldest output past its limit, starting the rest at a line', () => {
    const s = new Scrollback(20);
    for (let i = 0; i < 10; i++) s.push(`line ${i}\r\n`);
    const text = kept(s);
    expect(text.length).toBeLessThanOrEqual(20);
    expect(text).toBe('line 8\r\nline 9\r\n');
    expect(s.size).toBe(text.length);
  });

  it('cuts one huge chunk without a line break to exactly its limit', () => {
    const s = new Scrollback(1000);
    s.push('x'.repeat(5000) + 'END');
    expect(kept(s)).toBe('x'.repeat(997) + 'END');
  });

  it('keeps a chunk that fills the limit exactly', () => {
    const s = new Scrollback(10);
    s.push('abc');
    s.push('0123456789');
    expect(kept(s)).toBe('0123456789');
  });

  it('hands the kept output out in pieces of a given size', () => {
    const s = new Scrollback(100);
    s.push('abcdefg');
    s.push('hij');
    expect(s.pieces(4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(new Scrollback(10).pieces(4)).toEqual([]);
  });
});
