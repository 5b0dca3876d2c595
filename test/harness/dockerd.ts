import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { DialTarget, Host } from '../../core/hosts/index.ts';
import { createLocalHost } from '../../core/hosts/local.ts';
import { SSH_TEST_USER } from './sshd.ts';
import { stop, track } from './processes.ts';

export const DOCKER_SOCKET = '/var/run/docker.sock';

function answers(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: DOCKER_SOCKET, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * A real Docker engine on the standard socket: the one already running, or one started here
 * (no bridge, no iptables, a throwaway data root) and stopped by its PID afterwards.
 * The SSH test user joins the docker group so that the engine is reachable over SSH too.
 */
export async function startDockerd(): Promise<{ stop(): Promise<void> }> {
  try {
    execFileSync('usermod', ['-aG', 'docker', SSH_TEST_USER], { stdio: 'ignore' });
  } catch {
    // the user does not exist yet when no SSH test ran; startSshd creates it
  }
  if (await answers()) return { stop: async () => undefined };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-dockerd-'));
  const child: ChildProcess = track(
    spawn(
      'dockerd',
      [
        '--host',
        `unix://${DOCKER_SOCKET}`,
        '--data-root',
        path.join(dir, 'data'),
        '--exec-root',
        path.join(dir, 'exec'),
        '--pidfile',
        path.join(dir, 'docker.pid'),
        '--bridge',
        'none',
        '--iptables=false',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  // Ready once it logs that its API listens (after its own start-up), or failed when it exits.
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const settle = (err?: Error) => {
      clearTimeout(timer);
      child.off('exit', exited);
      child.stderr!.off('data', onLog).resume(); // read on, or a full pipe would stall it
      if (!err) return resolve();
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      reject(err);
    };
    const timer = setTimeout(() => settle(new Error(`dockerd did not start within 20 s: ${log}`)), 20_000);
    const exited = (code: number | null) => settle(new Error(`dockerd exited with ${code}: ${log}`));
    const onLog = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
      if (log.includes('API listen on')) settle();
    };
    child.once('exit', exited);
    child.stderr!.on('data', onLog);
  });
  const stopDockerd = async () => {
    await stop(child, 10_000);
    if (existsSync(DOCKER_SOCKET)) rmSync(DOCKER_SOCKET, { force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  if (!(await answers())) {
    await stopDockerd();
    throw new Error('dockerd said its API listens, but it does not answer /_ping');
  }
  return { stop: stopDockerd };
}

export const BUSYBOX_IMAGE = 'aura-test-busybox:latest';

/**
 * A local image whose every command is busybox (`sh`, `echo`, `sleep`...), for tests that run
 * containers where no registry is reachable: /bin/busybox from Debian's busybox-static, its
 * applets as symlinks, imported with `sh` as its CMD. Made once per engine; after that, only
 * looked up. Needs an engine already answering (startDockerd).
 */
export function busyboxImage(name = BUSYBOX_IMAGE): string {
  const exists = () => {
    try {
      execFileSync('docker', ['image', 'inspect', name], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (exists()) return name;
  if (!existsSync('/bin/busybox')) throw new Error('busyboxImage needs /bin/busybox: apt-get install busybox-static');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-busybox-'));
  try {
    const bin = path.join(dir, 'root', 'bin');
    mkdirSync(bin, { recursive: true });
    mkdirSync(path.join(dir, 'root', 'tmp'));
    execFileSync('cp', ['/bin/busybox', path.join(bin, 'busybox')]);
    const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', path.join(bin, applet));
    const tar = path.join(dir, 'rootfs.tar');
    execFileSync('tar', ['-C', path.join(dir, 'root'), '-cf', tar, '.']);
    execFileSync('docker', ['import', '--change', 'CMD ["sh"]', tar, name], { stdio: 'ignore' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return name;
}

/**
 * This machine as a host for the plugin test kit (plugin tests may import test/, not the
 * core's internals), recording every stream it opens: a test can then show that hostile
 * input never reached the engine, or that an abandoned request's stream was closed.
 */
export function recordingLocalHost(): Host & { dials: DialTarget[]; streams: Duplex[] } {
  const host = createLocalHost();
  const dials: DialTarget[] = [];
  const streams: Duplex[] = [];
  return Object.assign(Object.create(host) as Host, {
    dials,
    streams,
    dial: async (target: DialTarget, opts?: Parameters<Host['dial']>[1]) => {
      dials.push(target);
      const stream = await host.dial(target, opts);
      streams.push(stream);
      return stream;
    },
  });
}
