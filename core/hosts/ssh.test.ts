import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../test/harness/sshd.ts';
import type { ServerConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { Host } from './host.ts';
import { hostContract } from '../../test/harness/host-contract.ts';
import { createSshHost } from './ssh.ts';

const log = createLogger('silent');

describe('SSH host against a real sshd', () => {
  let sshd: TestSshd;
  let host: Host;
  let scratch = '';
  const opened: Host[] = [];
  const sshHost = (overrides: Partial<ServerConfig>) => {
    const h = createSshHost({
      server: { ...sshd.server('box'), hostKey: undefined, ...overrides },
      rootDir: sshd.dir,
      log,
    });
    opened.push(h);
    return h;
  };

  beforeAll(async () => {
    sshd = await startSshd();
    host = sshHost({ hostKey: sshd.hostKeyFingerprint });
    scratch = (await host.run(['mktemp', '-d'])).stdout.trim();
  });
  afterAll(async () => {
    if (scratch) await host.run(['rm', '-rf', scratch]);
    await Promise.all(opened.map((h) => h.close()));
    await sshd?.stop();
  });

  hostContract(
    () => host,
    () => scratch,
  );

  it('is the ssh kind and runs as the configured user', async () => {
    expect(host.kind).toBe('ssh');
    expect((await host.run(['id', '-un'])).stdout.trim()).toBe(sshd.user);
  });

  it('uses sudo -n for root when the user is not root', async () => {
    expect((await host.run(['id', '-u'], { sudo: true })).stdout.trim()).toBe('0');
    const refused = await host.run(['whoami'], { sudo: true });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/password is required|not allowed/);
  });

  it('refuses a host key that does not match the pinned fingerprint', async () => {
    const wrong = sshHost({ hostKey: `SHA256:${'A'.repeat(43)}` });
    await expect(wrong.run(['true'])).rejects.toMatchObject({ code: 'HOST_KEY_MISMATCH', status: 502 });
  });

  it('refuses a host missing from known_hosts, and trusts one that is there (plain or hashed)', async () => {
    const known = path.join(sshd.dir, 'known_hosts');
    writeFileSync(known, `[127.0.0.1]:${sshd.port + 1} ${sshd.hostPublicKey}\n`);
    await expect(sshHost({ knownHostsPath: known }).run(['true'])).rejects.toMatchObject({ code: 'HOST_KEY_MISMATCH' });

    writeFileSync(known, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    expect((await sshHost({ knownHostsPath: known }).run(['echo', 'ok'])).stdout).toBe('ok\n');

    execFileSync('ssh-keygen', ['-H', '-f', known], { stdio: 'ignore' });
    expect((await sshHost({ knownHostsPath: known }).run(['echo', 'hashed'])).stdout).toBe('hashed\n');
  });

  it('refuses a changed key for a known host', async () => {
    const known = path.join(sshd.dir, 'known_hosts_changed');
    const other = execFileSync('sh', [
      '-c',
      `ssh-keygen -q -t ed25519 -N '' -f ${sshd.dir}/other && cat ${sshd.dir}/other.pub`,
    ]).toString();
    writeFileSync(known, `[127.0.0.1]:${sshd.port} ${other.split(' ').slice(0, 2).join(' ')}\n`);
    await expect(sshHost({ knownHostsPath: known }).run(['true'])).rejects.toMatchObject({
      code: 'HOST_KEY_MISMATCH',
      message: expect.stringContaining('differs'),
    });
  });

  it('reconnects after the connection drops', async () => {
    const h = sshHost({ hostKey: sshd.hostKeyFingerprint });
    expect((await h.run(['echo', 'one'])).stdout).toBe('one\n');
    // Kill this connection's sshd session process from the server side.
    await h.run(['sh', '-c', 'kill -9 $PPID']).catch(() => undefined);
    // However long the client takes to notice the drop, a later run goes through on a new connection.
    const epoch = h.epoch;
    await expect
      .poll(
        () =>
          h.run(['echo', 'two']).then(
            (r) => r.stdout,
            (err: Error) => err.message,
          ),
        { timeout: 15_000 },
      )
      .toBe('two\n');
    expect(h.epoch).toBe(epoch + 1);
  });

  it('never loses the exit code of a fast command', async () => {
    // A fast command's exit status can come in the same packet batch as its session's opening.
    const codes = await Promise.all(Array.from({ length: 60 }, (_, i) => host.run(['sh', '-c', `exit ${i % 7}`])));
    expect(codes.map((r) => r.exitCode)).toEqual(Array.from({ length: 60 }, (_, i) => i % 7));
  });

  it('runs many commands at once over one connection', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => host.run(['echo', String(i)])));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it('says clearly when the server cannot be reached', async () => {
    await expect(sshHost({ port: 1, hostKey: sshd.hostKeyFingerprint }).run(['true'])).rejects.toMatchObject({
      code: 'SSH_ERROR',
    });
  });
});
