import { spawn } from 'node:child_process';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type Dockerode from 'dockerode';
import type { IPty } from 'node-pty';
import { checkArgv } from './argv.ts';
import { runCommand, streamCommand, type Start } from './commands.ts';
import { fileError, signalExitCode } from './output.ts';
import { temporarySibling, type Host, type PtyOptions, type PtySession } from './host.ts';

/** Runs argv in its own process group so that a kill reaches everything it started. */
const startLocal: Start = async (argv, opts, sink) => {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.on('data', sink.stdout);
  child.stderr.on('data', sink.stderr);
  child.stdin.on('error', () => undefined); // a command that exits without reading its input
  child.stdin.end(opts.input ?? undefined);
  const exited = new Promise<number>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Same exit code and message a shell gives, so local and SSH hosts answer alike.
      sink.stderr(Buffer.from(`${argv[0]}: ${err.code === 'ENOENT' ? 'command not found' : err.message}\n`));
      resolve(err.code === 'ENOENT' ? 127 : 126);
    });
    child.on('close', (code, signal) => resolve(code ?? signalExitCode(signal)));
  });
  return {
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
};

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
    run: (argv, opts) => runCommand(startLocal, isRoot, argv, opts),
    stream: (argv, opts) => streamCommand(startLocal, isRoot, argv, opts),
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
    docker: () =>
      (docker ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode({ socketPath: '/var/run/docker.sock' }))),
    close: async () => undefined,
  };
}
