import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ServerConfig } from '../../core/config.ts';
import { fingerprint } from '../../core/hosts/hostkeys.ts';
import { freePort, waitForPort } from './net.ts';
import { stop, track } from './processes.ts';

const run = promisify(execFile);

/**
 * Built once (a minute or two) and kept: a Debian root file system with systemd, sshd, git, a
 * Python venv, polkitd (for Aura's polkit rules), make and g++ (the installer builds node-pty),
 * and Nginx with openssl (the installer's TLS front), off until the installer turns it on.
 */
export const ROOTFS = path.join(process.env.AURA_TEST_CACHE ?? '/var/cache/aura-test', 'rootfs-bookworm-v6');
// debootstrap resolves no virtual packages: polkitd's logind comes with libpam-systemd.
const PACKAGES =
  'systemd,systemd-sysv,dbus,openssh-server,python3,sudo,git,python3-venv,python3-pip,libpam-systemd,polkitd,make,g++,nginx,openssl';

function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(file)) continue;
    const m = /(?:URIs:\s*|deb\s+)(https?:\/\/\S*debian\.org\/debian)\b/.exec(readFileSync(file, 'utf8'));
    if (m) return m[1]!;
  }
  return 'http://deb.debian.org/debian';
}

/**
 * The container's sshd is our own unit, reading its config from /etc/aura-test, which each
 * boot binds read-only from a fresh folder (port, keys); the packaged ssh.service is off.
 */
function bake(dir: string): void {
  writeFileSync(
    path.join(dir, 'etc/systemd/system/aura-test-sshd.service'),
    '[Unit]\nDescription=sshd for Aura tests\n[Service]\nExecStartPre=/bin/mkdir -p /run/sshd\nExecStart=/usr/sbin/sshd -D -e -f /etc/aura-test/sshd_config\n[Install]\nWantedBy=multi-user.target\n',
  );
  const wants = path.join(dir, 'etc/systemd/system/multi-user.target.wants');
  mkdirSync(wants, { recursive: true });
  rmSync(path.join(wants, 'aura-test-sshd.service'), { force: true });
  execFileSync('ln', ['-s', '/etc/systemd/system/aura-test-sshd.service', path.join(wants, 'aura-test-sshd.service')]);
  rmSync(path.join(wants, 'ssh.service'), { force: true });
  rmSync(path.join(dir, 'etc/systemd/system/sshd.service'), { force: true });
  // The container shares this machine's network: its Nginx must not take port 80 at each boot.
  rmSync(path.join(wants, 'nginx.service'), { force: true });
  rmSync(path.join(dir, 'etc/nginx/sites-enabled/default'), { force: true });
  writeFileSync(path.join(dir, '.aura-ready'), `${PACKAGES}\n`);
}

/** Makes the cached root file system if it is not there yet (needs root, debootstrap). */
export async function ensureRootfs(): Promise<string> {
  if (existsSync(path.join(ROOTFS, '.aura-ready'))) return ROOTFS;
  const tmp = `${ROOTFS}.tmp`;
  mkdirSync(path.dirname(ROOTFS), { recursive: true });
  if (!existsSync(path.join(tmp, '.debootstrapped'))) {
    rmSync(tmp, { recursive: true, force: true });
    try {
      await run('debootstrap', ['--variant=minbase', `--include=${PACKAGES}`, 'bookworm', tmp, debianMirror()], {
        maxBuffer: 64 << 20,
      });
    } catch (err) {
      // A half-made tree must not pass for a made one next time.
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    writeFileSync(path.join(tmp, '.debootstrapped'), '');
  }
  bake(tmp);
  rmSync(ROOTFS, { recursive: true, force: true });
  renameSync(tmp, ROOTFS);
  return ROOTFS;
}

export interface SystemdBox {
  /** The container's systemd (PID 1 inside it), as seen from the host. */
  leaderPid: number;
  sshPort: number;
  /** A `servers:` entry that reaches the container over SSH (as root by default), host key pinned. */
  server(id: string, user?: string): ServerConfig;
  /** Runs argv inside the container (nsenter), for setting up and checking from outside Aura. */
  exec(argv: string[]): Promise<string>;
  /** One property of a unit as systemd reports it (`systemctl show -p P --value U`), trimmed. */
  show(unit: string, property: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Boots the cached root file system with systemd-nspawn: a throwaway overlay over it, the
 * host's network (so the container's sshd listens on a loopback port), systemd as PID 1; `bindRo`
 * shows host paths inside it, read-only (a checkout, a node binary), and `bind` writable (a cache).
 */
export async function bootSystemd(
  opts: { bindRo?: [hostPath: string, containerPath: string][]; bind?: [hostPath: string, containerPath: string][] } = {},
): Promise<SystemdBox> {
  const rootfs = await ensureRootfs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-box-'));
  chmodSync(dir, 0o755);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client')]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client.pub')));
  const sshPort = await freePort();
  writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${sshPort}`,
      'ListenAddress 127.0.0.1',
      'HostKey /etc/aura-test/host',
      'AuthorizedKeysFile /etc/aura-test/authorized_keys',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PidFile /run/aura-test-sshd.pid',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
    ].join('\n'),
  );
  const machine = `aura-test-${process.pid}-${sshPort}`;
  const nspawn = track(
    spawn(
      'systemd-nspawn',
      [
        '-D',
        rootfs,
        '--volatile=overlay',
        '--boot',
        '--register=no',
        '--keep-unit',
        `--machine=${machine}`,
        '--console=passive',
        `--bind-ro=${dir}:/etc/aura-test`,
        ...(opts.bindRo ?? []).map(([from, to]) => `--bind-ro=${from}:${to}`),
        ...(opts.bind ?? []).map(([from, to]) => `--bind=${from}:${to}`),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    ),
  );
  let stderr = '';
  nspawn.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await waitForPort(sshPort, 30_000);
  } catch (err) {
    nspawn.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; systemd-nspawn said: ${stderr}`, { cause: err });
  }
  const leaderPid = Number(
    execFileSync('pgrep', ['-P', String(nspawn.pid)])
      .toString()
      .trim()
      .split('\n')[0],
  );
  const exec = async (argv: string[]) => (await run('nsenter', ['-t', String(leaderPid), '-a', ...argv])).stdout;
  const hostPub = readFileSync(path.join(dir, 'host.pub'), 'utf8').split(' ')[1]!;
  return {
    leaderPid,
    sshPort,
    server: (id, user = 'root') => ({
      id,
      host: '127.0.0.1',
      port: sshPort,
      user,
      privateKeyPath: path.join(dir, 'client'),
      hostKey: fingerprint(Buffer.from(hostPub, 'base64')),
    }),
    exec,
    show: async (unit, property) => (await exec(['systemctl', 'show', '-p', property, '--value', unit])).trim(),
    async stop() {
      await exec(['systemctl', 'poweroff']).catch(() => undefined);
      await stop(nspawn, 8000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes a unit file into the container, reloads systemd, and starts the unit unless told not
 * to; a unit meant to fail may fail to start.
 */
export async function writeUnit(box: SystemdBox, unit: string, text: string, opts: { start?: boolean } = {}): Promise<void> {
  const start = opts.start === false ? '' : ` && (systemctl start "$1" || true)`;
  await box.exec(['sh', '-c', `printf '%s' "$0" > "/etc/systemd/system/$1" && systemctl daemon-reload${start}`, text, unit]);
}

/** A small unit the tests manage: python's web server on a free loopback port. */
export async function installTestUnit(box: SystemdBox, unit: string, port: number): Promise<void> {
  await writeUnit(
    box,
    unit,
    `[Unit]\nDescription=Aura test web\n[Service]\nExecStart=/usr/bin/python3 -m http.server ${port} --bind 127.0.0.1\n`,
  );
}
