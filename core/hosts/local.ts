import { coreErrors } from '../errors.ts';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { IPty } from 'node-pty';
import { buildArgv, checkArgv } from './argv.ts';
import { runCommand, streamCommand, type OutputSink, type Running, type Start } from './commands.ts';
import { checkDialTarget, HostStream, socketError, whenOpen } from './dial.ts';
import { abortError, fileError, signalExitCode } from './output.ts';
import { temporarySibling, type Host, type PtyOptions, type PtySession } from './host.ts';
import { slots } from './slots.ts';

/** procfs and sysfs: files and folders the kernel makes up on reading. */
const KERNEL_FILES = /^\/(proc|sys)\//;

/**
 * Starts argv in its own process group, so that a kill reaches everything it started. Its
 * stdin is left open for the caller.
 */
function spawnLocal(argv: string[], opts: { cwd?: string; viaSudo: boolean }, sink: OutputSink) {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.on('data', sink.stdout);
  child.stderr.on('data', sink.stderr);
  child.stdin.on('error', () => undefined); // a command that exits without reading its input
  const exited = new Promise<number>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Same exit code and message a shell gives, so local and SSH hosts answer alike.
      sink.stderr(Buffer.from(`${argv[0]}: ${err.code === 'ENOENT' ? 'command not found' : err.message}\n`));
      resolve(err.code === 'ENOENT' ? 127 : 126);
    });
    child.on('close', (code, signal) => resolve(code ?? signalExitCode(signal)));
  });
  const running: Running = {
    exited,
    kill(sig) {
      if (!child.pid) return;
      // A command run through sudo belongs to root: only root may signal it.
      if (opts.viaSudo)
        spawn('sudo', ['-n', 'kill', `-${sig}`, '--', `-${child.pid}`], { stdio: 'ignore' }).on('error', () => undefined);
      else
        try {
          process.kill(-child.pid, `SIG${sig}`);
        } catch {
          // already gone
        }
    },
    abandon() {
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
    },
  };
  return { child, running };
}

/**
 * run() calls at once on this machine; the rest wait in order (and leave the queue when their
 * caller gives up), so a burst of requests cannot start a process each. Streams are not counted.
 */
export const LOCAL_CONCURRENT_RUNS = 8;

const startLocal =
  (limit?: ReturnType<typeof slots>): Start =>
  async (argv, opts, sink) => {
    const release = limit ? await limit.acquire(opts.signal) : () => undefined;
    try {
      const { child, running } = spawnLocal(argv, opts, sink);
      void running.exited.then(release);
      child.stdin.end(opts.input ?? undefined);
      return running;
    } catch (err) {
      release();
      throw err;
    }
  };

/** A unix socket on this machine, once connected. */
function connectLocal(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const refused = (err: NodeJS.ErrnoException) => reject(socketError(socketPath, err.code));
    socket.once('error', refused).once('connect', () => {
      socket.off('error', refused);
      resolve(socket);
    });
  });
}

function wrapNodePty(p: IPty): PtySession {
  return {
    write: (data) => p.write(data),
    resize: (cols, rows) => p.resize(cols, rows),
    onData: (listener) => void p.onData(listener),
    onExit: (listener) => void p.onExit((e) => listener(e.exitCode)),
    pause: () => p.pause(),
    resume: () => p.resume(),
    kill: () => {
      // Closing the terminal is what ends a shell that ignores SIGHUP (bash, while it starts):
      // its next read fails. Then every process of its session is told.
      (p as IPty & { destroy?(): void }).destroy?.();
      hangUp(p.pid);
    },
  };
}

/**
 * SIGHUP to every process of the session the shell leads (the shell, its jobs in the
 * background too), as sshd's hangup reaches them over SSH: node-pty signals the shell alone,
 * and a shell other than bash does not pass it on.
 */
function hangUp(sessionLeader: number): void {
  const members = readdirSync('/proc').filter((name) => {
    if (!/^\d+$/.test(name)) return false;
    try {
      // After the command name in parentheses: state, ppid, pgrp, session.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === sessionLeader;
    } catch {
      return false; // gone meanwhile
    }
  });
  for (const pid of new Set([String(sessionLeader), ...members]))
    try {
      process.kill(Number(pid), 'SIGHUP');
    } catch {
      // already gone
    }
}

/** What a login shell needs from Aura's environment; the rest (secrets among it) stays out. */
const PTY_ENV = ['HOME', 'USER', 'LOGNAME', 'SHELL', 'PATH', 'LANG', 'LC_ALL', 'TZ', 'XDG_RUNTIME_DIR'];

function ptyEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PTY_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  const me = os.userInfo();
  env.HOME ??= me.homedir;
  env.USER ??= me.username;
  env.LOGNAME ??= me.username;
  env.SHELL ??= me.shell || '/bin/sh';
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return { ...env, TERM: 'xterm-256color', ...extra };
}

export function createLocalHost(opts: { concurrentRuns?: number } = {}): Host {
  const isRoot = process.getuid?.() === 0;
  const startRun = startLocal(slots(opts.concurrentRuns ?? LOCAL_CONCURRENT_RUNS));
  const startStream = startLocal();
  return {
    id: 'local',
    kind: 'local',
    epoch: 0,
    run: (argv, opts) => runCommand(startRun, isRoot, argv, opts),
    stream: (argv, opts) => streamCommand(startStream, isRoot, argv, opts),
    async pty(opts: PtyOptions) {
      const argv = opts.argv ?? [os.userInfo().shell || '/bin/sh', '-l'];
      checkArgv(argv);
      const nodePty = await import('node-pty');
      const p = nodePty.spawn(argv[0]!, argv.slice(1), {
        name: 'xterm-256color',
        cols: opts.cols,
        rows: opts.rows,
        cwd: opts.cwd ?? os.homedir(),
        env: ptyEnv(opts.env),
      });
      return wrapNodePty(p);
    },
    async readFile(filePath) {
      try {
        // The kernel's own files answer from memory, never a disk: a thread-pool round trip
        // costs more than the read (the metrics sampler reads five of them every second).
        if (KERNEL_FILES.test(path.posix.normalize(filePath))) return readFileSync(filePath);
        return await readFile(filePath);
      } catch (err) {
        throw fileError(err, filePath);
      }
    },
    async readDir(dirPath) {
      try {
        if (KERNEL_FILES.test(path.posix.normalize(`${dirPath}/`))) return readdirSync(dirPath);
        return await readdir(dirPath);
      } catch (err) {
        throw fileError(err, dirPath);
      }
    },
    async writeFile(filePath, data, opts = {}) {
      const tmp = temporarySibling(filePath);
      try {
        const mode =
          opts.mode ??
          (await stat(filePath).then(
            (st) => st.mode & 0o7777,
            () => 0o644,
          ));
        await writeFile(tmp, data, { mode });
        await chmod(tmp, mode); // the umask must not loosen or tighten what was asked
        await rename(tmp, filePath);
      } catch (err) {
        await rm(tmp, { force: true });
        throw fileError(err, filePath);
      }
    },
    async dial(target, opts = {}) {
      checkDialTarget(target);
      if (opts.signal?.aborted) throw abortError();
      if ('unixSocket' in target) return whenOpen(connectLocal(target.unixSocket), opts.signal);
      const argv = buildArgv(target.argv, { sudo: target.sudo }, isRoot);
      const stream = new HostStream(target.argv[0]!, coreErrors.DIAL_FAILED);
      const { child, running } = spawnLocal(argv, { viaSudo: target.sudo === true && !isRoot }, stream.sink);
      stream.attach({
        ...running,
        write: (chunk, done) => void child.stdin.write(chunk, () => done()),
        end: () => void child.stdin.end(),
        pause: () => void child.stdout.pause(),
        resume: () => void child.stdout.resume(),
      });
      return whenOpen(Promise.resolve(stream), opts.signal);
    },
    close: async () => undefined,
  };
}
