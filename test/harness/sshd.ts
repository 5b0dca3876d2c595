import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerConfig } from '../../core/config.ts';
import { fingerprint } from '../../core/hosts/hostkeys.ts';
import { freePort, waitForPort } from './net.ts';
import { stop, track } from './processes.ts';

export const SSH_TEST_USER = 'aura-test';

export interface TestSshd {
  port: number;
  user: string;
  dir: string;
  clientKeyPath: string;
  hostKeyFingerprint: string;
  /** The host's public key line, for writing known_hosts files. */
  hostPublicKey: string;
  /** A `servers:` entry for this sshd, with its host key pinned. */
  server(id: string): ServerConfig;
  stop(): Promise<void>;
}

/**
 * A real OpenSSH server on a loopback port, for a throwaway user with a fresh key, as in
 * ../shared/ENVIRONMENT.md. Needs root (it creates the user once) and openssh-server.
 */
export async function startSshd(): Promise<TestSshd> {
  ensureUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-sshd-'));
  chmodSync(dir, 0o755);
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKey = path.join(dir, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`));
  chmodSync(authorizedKeys, 0o644);
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${SSH_TEST_USER}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const child = track(spawn('/usr/sbin/sshd', ['-f', config, '-D', '-e'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  await waitForPort(port).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}; sshd said: ${stderr}`);
  });
  const pub = readFileSync(`${hostKey}.pub`, 'utf8').trim();
  return {
    port,
    user: SSH_TEST_USER,
    dir,
    clientKeyPath: clientKey,
    hostKeyFingerprint: fingerprint(Buffer.from(pub.split(' ')[1]!, 'base64')),
    hostPublicKey: pub.split(' ').slice(0, 2).join(' '),
    server: (id) => ({
      id,
      host: '127.0.0.1',
      port,
      user: SSH_TEST_USER,
      privateKeyPath: clientKey,
      hostKey: fingerprint(Buffer.from(pub.split(' ')[1]!, 'base64')),
    }),
    async stop() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ensureUser(): void {
  try {
    execFileSync('id', [SSH_TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', SSH_TEST_USER]);
  }
  // A locked password (`!`) is refused when UsePAM is off; `*` means "no password, not locked".
  execFileSync('usermod', ['-p', '*', SSH_TEST_USER]);
  // sudo tests: the user may run exactly `id` as root without a password, nothing else.
  mkdirSync('/etc/sudoers.d', { recursive: true });
  writeFileSync('/etc/sudoers.d/aura-test', `${SSH_TEST_USER} ALL=(root) NOPASSWD: /usr/bin/id\n`, { mode: 0o440 });
}
