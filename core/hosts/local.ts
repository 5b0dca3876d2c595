import { spawn } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type Dockerode from 'dockerode';
import type { IPty } from 'node-pty';
import { checkArgv } from './argv.ts';
import { runCommand, streamCommand, type Execute } from './commands.ts';
import { fileError } from './output.ts';
import { temporarySibling, type Host, type PtyOptions, type PtySession } from './host.ts';

const KILL_GRACE_MS = 2000;

/** Runs argv in its own process group so that a kill reaches everything it started. */
const executeLocal: Execute = (argv, opts, sink) =>
  new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', sink.stdout);
    child.stderr.on('data', sink.stderr);
    child.stdin.on('error', () => undefined); // a command that exits without reading its input
    child.stdin.end(opts.input ?? undefined);
    const finish = (code: number) => {
      clearTimeout(killTimer);
      opts.signal.removeEventListener('abort', onAbort);
      resolve(code);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Same exit code and message a shell gives, so local and SSH hosts answer alike.
      sink.stderr(Buffer.from(`${argv[0]}: ${err.code === 'ENOENT' ? 'command not found' : err.message}\n`));
      finish(err.code === 'ENOENT' ? 127 : 126);
    });
    child.on('close', (code, signal) => finish(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });

function wrapNodePty(p: IPty): PtySession {
  return {
    write: (data) => p.write(data),
    resize: (cols, rows) => p.resize(cols, rows),
    onData: (listener) => void p.onData(listener),
    onExit: (listener) => void p.onExit((e) => listener(e.exitCode)),
    kill: () => p.kill(),
  };
}

export function createLocalHost(): Host {
  const isRoot = process.getuid?.() === 0;
  let docker: Promise<Dockerode> | undefined;
  return {
    id: 'local',
    kind: 'local',
    run: (argv, opts) => runCommand(executeLocal, isRoot, argv, opts),
    stream: (argv, opts) => streamCommand(executeLocal, isRoot, argv, opts),
    async pty(opts: PtyOptions) {
      const argv = opts.argv ?? [os.userInfo().shell || '/bin/sh', '-l'];
      checkArgv(argv);
      const nodePty = await import('node-pty');
      const p = nodePty.spawn(argv[0]!, argv.slice(1), {
        name: 'xterm-256color',
        cols: opts.cols,
        rows: opts.rows,
        cwd: opts.cwd ?? os.homedir(),
        env: { ...process.env, TERM: 'xterm-256color', ...opts.env } as Record<string, string>,
      });
      return wrapNodePty(p);
    },
    readFile: (filePath) => readFile(filePath).catch((err) => Promise.reject(fileError(err, filePath))),
    async writeFile(filePath, data, opts = {}) {
      const tmp = temporarySibling(filePath);
      try {
        await writeFile(tmp, data, { mode: opts.mode ?? 0o644 });
        await rename(tmp, filePath);
      } catch (err) {
        await rm(tmp, { force: true });
        throw fileError(err, filePath);
      }
    },
    docker: () =>
      (docker ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode({ socketPath: '/var/run/docker.sock' }))),
    close: async () => undefined,
  };
}
