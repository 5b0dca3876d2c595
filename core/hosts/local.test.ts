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

  it('is the local kind', () => {
    expect(host).toMatchObject({ id: 'local', kind: 'local' });
  });
});
