import { describe, expect, it } from 'vitest';
import { MAX_NEXT_LENGTH, safeNextPath } from './next-path.ts';

describe('safeNextPath', () => {
  it('keeps a path on this origin, with its query and fragment', () => {
    expect(safeNextPath('/s/local/ports?x=1#top')).toBe('/s/local/ports?x=1#top');
    expect(safeNextPath('/')).toBe('/');
    expect(safeNextPath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
    expect(safeNextPath('/a/../b')).toBe('/b');
  });

  it('sends anything that is not a same-origin path to /', () => {
    for (const next of [
      undefined,
      null,
      42,
      ['/a', '/b'],
      '',
      'evil.example',
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '\t//evil.example',
      '/\t/evil.example',
      '/a\nb',
    ])
      expect(safeNextPath(next), JSON.stringify(next)).toBe('/');
  });

  // Each of these is a path, but normalizing its dot segments leaves `//evil.example`: a
  // protocol-relative URL the browser would follow off-site.
  it('never returns a path that normalizes to another host', () => {
    for (const next of [
      '/.//evil.example',
      '/..//evil.example',
      '/%2e//evil.example',
      '/%2E%2E//evil.example',
      '/a/..//evil.example',
      '/a/b/../..//evil.example/x?y#z',
      '/./\\evil.example',
    ]) {
      const out = safeNextPath(next);
      expect(out, next).toBe('/');
      expect(new URL(out, 'https://panel.example.org').host, next).toBe('panel.example.org');
    }
  });

  it(`sends a path longer than ${MAX_NEXT_LENGTH} characters to /`, () => {
    const ok = `/${'a'.repeat(MAX_NEXT_LENGTH - 1)}`;
    expect(safeNextPath(ok)).toBe(ok);
    expect(safeNextPath(`${ok}b`)).toBe('/');
    expect(safeNextPath(`/?next=${'x'.repeat(15_000)}`)).toBe('/');
    // Short enough as typed, too long once the browser percent-encodes it (é is %C3%A9).
    expect(safeNextPath(`/${'é'.repeat(1000)}`)).toBe('/');
    expect(safeNextPath(`/${'é'.repeat(300)}`)).toBe(`/${'%C3%A9'.repeat(300)}`);
  });
});
