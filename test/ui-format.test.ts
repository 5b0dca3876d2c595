import { describe, expect, it } from 'vitest';
import { formatBytes } from '../ui/src/lib/format.ts';

describe('formatBytes (@aura/ui)', () => {
  it('reads in binary units, with a decimal only below 100', () => {
    expect([0, 512, 1536, 256 * 1024 ** 2, 25_276_510_208, 270_553_174_016].map(formatBytes)).toEqual([
      '0 B',
      '512 B',
      '1.5 KiB',
      '256 MiB',
      '23.5 GiB',
      '252 GiB',
    ]);
    expect([null, undefined, Number.NaN].map(formatBytes)).toEqual(['—', '—', '—']);
  });
});
