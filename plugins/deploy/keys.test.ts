import { readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { SSH_TEST_USER, startSshd, type TestSshd } from '../../test/harness/sshd.ts';

const KEY = `/home/${SSH_TEST_USER}/.ssh/id_ed25519`;

/** The deploy key is made for the user Aura logs in as: here a real sshd's test user. */
describe('the deploy key', () => {
  let sshd: TestSshd;
  let t: TestAura;
  let token: string;

  beforeAll(async () => {
    sshd = await startSshd();
    // A key left by an earlier run: this test makes its own.
    rmSync(KEY, { force: true });
    rmSync(`${KEY}.pub`, { force: true });
    t = await startTestAura({ servers: [sshd.server('box')] });
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  it('is made once for the server user, then given again, never replaced', async () => {
    const ask = async () => {
      const res = await t.request('/api/servers/box/deploy/keys', { method: 'POST', token });
      expect(res.status).toBe(200);
      return (await res.json()) as { publicKey: string; created: boolean; instructions: string };
    };
    const first = await ask();
    expect(first).toMatchObject({ created: true, publicKey: expect.stringMatching(/^ssh-ed25519 \S+ aura-deploy@/) });
    expect(first.instructions).toMatch(/read-only/);
    const again = await ask();
    expect(again).toEqual({ ...first, created: false });
    // The private half stays private to that user on the server.
    expect(statSync(`${KEY}`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${KEY}.pub`, 'utf8').trim()).toBe(first.publicKey);
    const stranger = await t.request('/api/servers/box/deploy/keys', { method: 'POST' });
    expect(stranger.status).toBe(401);
  });
});
