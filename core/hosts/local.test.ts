import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostContract } from '../../test/harness/host-contract.ts';
import { createLocalHost } from './local.ts';

describe('local host', () => {
  const host = createLocalHost();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-local-'));
  chmodSync(dir, 0o777);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  hostContract(
    () => host,
    () => dir,
  );

  it("starts a terminal's shell with a clean environment: none of Aura's secrets", async () => {
    process.env.AURA_TEST_SECRET = 'hunter2-in-env';
    try {
      const pty = await host.pty({ cols: 80, rows: 24, argv: ['env'] });
      let out = '';
      pty.onData((d) => (out += d));
      await new Promise<number>((resolve) => pty.onExit(resolve));
      expect(out).not.toContain('hunter2-in-env');
      expect(out).toContain('TERM=xterm-256color');
      expect(out).toContain(`HOME=${os.homedir()}`);
    } finally {
      delete process.env.AURA_TEST_SECRET;
    }
  });

  it('is the local kind', () => {
    expect(host).toMatchObject({ id: 'local', kind: 'local' });
  });
});
