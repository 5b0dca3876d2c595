import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '../../core/index.ts';
import { fakeHost } from './fake-host.ts';
import { startPluginTest } from './plugin-test.ts';

const strict = definePlugin({
  id: 'strict',
  version: '1.0.0',
  coreVersion: '>=0.1.0',
  title: 'Strict',
  scope: 'global',
  config: z.object({ level: z.number() }).strict(),
  setup: () => ({}),
});

describe('startPluginTest', () => {
  const tmpdir = process.env.TMPDIR;
  afterEach(() => {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  });

  it('leaves no data dir behind when the start fails', async () => {
    // Its own temporary folder, so that other test files' data dirs are not counted.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'aura-kit-scratch-'));
    process.env.TMPDIR = scratch;
    try {
      await expect(
        startPluginTest({ plugins: [strict], hosts: { local: fakeHost() }, settings: { strict: { level: 'high' } } }),
      ).rejects.toThrow(/plugins\.strict\.level/);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
