import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { configPath, type ServerConfig } from '../config.ts';
import { coreErrors } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { buildArgv, toRemoteCommand } from './argv.ts';
import { runCommand, streamCommand, type OutputSink, type Running, type Start } from './commands.ts';
import { checkDialTarget, HostStream, socketError, whenOpen, type Pipe } from './dial.ts';
import { temporarySibling, type Host, type PtyOptions, type PtySession } from './host.ts';
import { checkKnownHosts, fingerprint } from './hostkeys.ts';
import { abortError, fileError, signalExitCode } from './output.ts';
import { slots } from './slots.ts';

/**
 * OpenSSH allows 10 sessions per connection by default (MaxSessions). run() calls share
 * a few of them so that streams, ptys and SFTP always find one free.
 */
const MAX_CONCURRENT_RUNS = 4;
const OPEN_ATTEMPTS = 6;
/** The first stdout line of every command: the pid of its process group. */
const PID_LINE = /^aura-pid:(\d+)$/;

/** The shell line for one command: its process group's pid first, then the command. */
const remoteScript = (argv: string[], cwd: string | undefined) => `printf 'aura-pid:%s\\n' "$$"; ${toRemoteCommand(argv, cwd)}`;

/**
 * Why a unix socket could not be opened, which OpenSSH does not say ("open failed"): exits
 * 3 when it is missing, 4 when it is no socket, 5 when the user may not open it.
 */
const SOCKET_PROBE = [
  'if [ -e "$1" ]; then [ -S "$1" ] || exit 4; [ -w "$1" ] || exit 5; exit 0; fi',
  'd=$(dirname -- "$1"); [ -d "$d" ] && [ ! -x "$d" ] && exit 5; exit 3',
].join('\n');
const PROBE_ERRNO: Record<number, string> = { 0: 'ECONNREFUSED', 3: 'ENOENT', 4: 'ENOTSOCK', 5: 'EACCES' };

const exitCodes = new WeakMap<ClientChannel, { code: number }>();

/**
 * A fast command's exit status can arrive in the same batch of packets as the session's
 * confirmation, before any later listener exists: so it is caught the moment the session opens.
 */
function watchExit(channel: ClientChannel): void {
  const state = { code: 255 };
  exitCodes.set(channel, state);
  channel.on('exit', (code: number | null, signal?: string) => (state.code = code ?? signalExitCode(signal)));
}

const exitCodeOf = (channel: ClientChannel) => exitCodes.get(channel)?.code ?? 255;

export interface SshHostOptions {
  server: ServerConfig;
  /** Relative key and known_hosts paths in the config are resolved from here. */
  rootDir: string;
  log: Logger;
}

/** Remote servers' login shells must be POSIX (sh, dash, bash, zsh): commands are quoted for them. */
export function createSshHost({ server, rootDir, log }: SshHostOptions): Host {
  const resolvePath = (p: string) => configPath(rootDir, p);
  const knownHosts = resolvePath(server.knownHostsPath ?? '~/.ssh/known_hosts');
  let connection: Promise<Client> | undefined;
  let sftpSession: Promise<SFTPWrapper> | undefined;
  let epoch = 0;
  const runSlots = slots(MAX_CONCURRENT_RUNS);

  /** Pinned fingerprint if configured, otherwise known_hosts; anything else is refused. */
  const verifyHostKey = (key: Buffer): string | undefined => {
    const presented = fingerprint(key);
    if (server.hostKey) {
      return presented === server.hostKey.replace(/=$/, '')
        ? undefined
        : `The host key of server "${server.id}" (${presented}) does not match the pinned key ${server.hostKey}.`;
    }
    const verdict = checkKnownHosts(knownHosts, server.host, server.port, key);
    if (verdict === 'trusted') return undefined;
    const why = { unknown: 'is not in', changed: 'differs from the one in', revoked: 'is revoked in' }[verdict];
    return `The host key of server "${server.id}" (${presented}) ${why} ${knownHosts}; pin it with hostKey to trust it.`;
  };

  /** The pooled connection, made on first use and again after it drops. */
  const connect = (): Promise<Client> => {
    if (connection) return connection;
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(resolvePath(server.privateKeyPath));
    } catch (err) {
      const message = `Cannot read the private key for server "${server.id}": ${(err as Error).message}`;
      return Promise.reject(coreErrors.SSH_KEY_UNREADABLE(message));
    }
    const pending = new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let refusal: string | undefined;
      // Only this connection's own end may clear the pool: a newer one may have replaced it.
      const forget = () => {
        if (connection !== pending) return;
        connection = undefined;
        sftpSession = undefined;
      };
      client
        .on('ready', () => {
          epoch++;
          resolve(client);
        })
        .on('error', (err) => {
          forget();
          if (refusal) {
            log.warn({ server: server.id }, refusal);
            reject(coreErrors.HOST_KEY_MISMATCH(refusal));
          } else reject(coreErrors.SSH_ERROR(`Cannot reach server "${server.id}": ${err.message}`));
        })
        .on('close', forget)
        .connect({
          host: server.host,
          port: server.port,
          username: server.user,
          privateKey,
          readyTimeout: 10_000,
          keepaliveInterval: 15_000,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => {
            refusal = verifyHostKey(key);
            return !refusal;
          },
        });
    });
    connection = pending;
    return pending;
  };

  /**
   * A session on the pooled connection. sshd frees closed sessions a moment after they
   * close, so a refusal is retried briefly before it is reported (other channels: `attempts`).
   */
  const openChannel = async (
    open: (c: Client, cb: (err: Error | undefined, ch: ClientChannel) => void) => void,
    attempts = OPEN_ATTEMPTS,
  ) => {
    for (let attempt = 1; ; attempt++) {
      const client = await connect();
      try {
        return await new Promise<ClientChannel>((resolve, reject) =>
          open(client, (err, ch) => {
            if (err) return reject(err);
            watchExit(ch);
            resolve(ch);
          }),
        );
      } catch (err) {
        if (attempt >= attempts || !/open failed/i.test((err as Error).message))
          throw coreErrors.SSH_ERROR(`Server "${server.id}" refused a session: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  };

  /** Signals a remote process group through a second session (sshd ignores "signal" requests). */
  const killRemote = (pid: number, sig: 'TERM' | 'KILL', viaSudo: boolean) => {
    const kill = `${viaSudo ? 'sudo -n ' : ''}kill -${sig}`;
    return openChannel((c, cb) => c.exec(`${kill} -- -${pid} 2>/dev/null || ${kill} ${pid}`, cb))
      .then((ch) => ch.resume().end())
      .catch(() => undefined);
  };

  /**
   * sshd starts each command in its own session (setsid), so the shell's $$ is the group of
   * everything the command starts. A marked first line carries it; what a login script may
   * print before it is dropped, and the rest is the command's output. Its stdin stays open.
   */
  const execRemote = async (argv: string[], cwd: string | undefined, viaSudo: boolean, sink: OutputSink) => {
    const channel = await openChannel((c, cb) => c.exec(remoteScript(argv, cwd), cb));
    let pid: number | undefined;
    let pendingSignal: 'TERM' | 'KILL' | undefined;
    let head = '';
    const kill = (sig: 'TERM' | 'KILL') => (pid === undefined ? (pendingSignal = sig) : void killRemote(pid, sig, viaSudo));
    channel.on('data', (chunk: Buffer) => {
      if (pid !== undefined) return sink.stdout(chunk);
      head += chunk.toString('latin1');
      for (let nl = head.indexOf('\n'); nl >= 0 && pid === undefined; nl = head.indexOf('\n')) {
        const m = PID_LINE.exec(head.slice(0, nl));
        head = head.slice(nl + 1);
        if (m) pid = Number(m[1]);
      }
      if (pid === undefined) return;
      if (pendingSignal) kill(pendingSignal);
      if (head) sink.stdout(Buffer.from(head, 'latin1'));
      head = '';
    });
    channel.stderr.on('data', sink.stderr);
    const exited = new Promise<number>((resolve) => channel.on('close', () => resolve(exitCodeOf(channel))));
    const running: Running = { exited, kill, abandon: () => channel.close() };
    return { channel, running };
  };

  const startSsh =
    (limited: boolean): Start =>
    async (argv, opts, sink) => {
      const release = limited ? await runSlots.acquire(opts.signal) : () => undefined;
      try {
        const { channel, running } = await execRemote(argv, opts.cwd, opts.viaSudo, sink);
        void running.exited.then(release);
        channel.end(opts.input ?? undefined);
        return running;
      } catch (err) {
        release();
        throw err;
      }
    };

  /**
   * A channel's two ends for HostStream. ssh2 never calls back a write that reaches a closing
   * channel: those writes are let go once the far end has gone.
   */
  const channelPipe = (channel: ClientChannel, running: Running): Pipe => {
    const pending = new Set<() => void>();
    void running.exited.then(() => {
      pending.forEach((done) => done());
      pending.clear();
    });
    channel.on('error', () => undefined); // the stream ends at the channel's close all the same
    return {
      ...running,
      write(chunk, done) {
        if (!channel.writable) return done();
        pending.add(done);
        channel.write(chunk, () => {
          if (pending.delete(done)) done();
        });
      },
      end: () => void channel.end(),
      pause: () => void channel.pause(),
      resume: () => void channel.resume(),
    };
  };

  /** A unix socket on the server, over OpenSSH's streamlocal forwarding on the pooled connection. */
  const forwardSocket = async (socketPath: string): Promise<HostStream> => {
    let channel: ClientChannel;
    try {
      channel = await openChannel((c, cb) => c.openssh_forwardOutStreamLocal(socketPath, cb), 1);
    } catch (err) {
      if (!/channel open failure/i.test((err as Error).message)) throw err;
      const probe = await runCommand(startSsh(true), isRoot, ['sh', '-c', SOCKET_PROBE, 'sh', socketPath]).catch(() => undefined);
      const errno = probe && PROBE_ERRNO[probe.exitCode];
      if (!errno) throw err;
      const hint = errno === 'ECONNREFUSED' ? ', or the server forbids it (AllowStreamLocalForwarding)' : '';
      throw socketError(socketPath, errno, hint);
    }
    const stream = new HostStream(socketPath, coreErrors.DIAL_FAILED);
    channel.on('data', stream.sink.stdout);
    // Its end is the socket's: the channel only closes once both sides have sent theirs.
    const ended = new Promise<number>((resolve) => channel.once('end', () => resolve(0)).once('close', () => resolve(0)));
    const close = () => void channel.close();
    stream.once('close', close); // our side too, once the stream is done with
    return stream.attach(channelPipe(channel, { exited: ended, kill: close, abandon: close }));
  };

  const sftp = (): Promise<SFTPWrapper> =>
    (sftpSession ??= connect().then(
      (client) =>
        new Promise<SFTPWrapper>((resolve, reject) =>
          client.sftp((err, s) => (err ? reject(coreErrors.SSH_ERROR(`SFTP failed: ${err.message}`)) : resolve(s))),
        ),
    )).catch((err) => {
      sftpSession = undefined;
      throw err;
    });

  const sftpCall = <T>(fn: (s: SFTPWrapper, cb: (err: Error | null | undefined, v?: T) => void) => void) =>
    sftp().then((s) => new Promise<T>((resolve, reject) => fn(s, (err, v) => (err ? reject(err) : resolve(v as T)))));

  const isRoot = server.user === 'root';
  return {
    id: server.id,
    kind: 'ssh',
    get epoch() {
      return epoch;
    },
    run: (argv, opts) => runCommand(startSsh(true), isRoot, argv, opts),
    stream: (argv, opts) => streamCommand(startSsh(false), isRoot, argv, opts),
    async pty(opts: PtyOptions): Promise<PtySession> {
      const term = { term: 'xterm-256color', cols: opts.cols, rows: opts.rows, height: 0, width: 0 };
      // Without argv it is the login shell; with env or cwd, the login shell started through sh.
      const wanted = opts.argv ?? (opts.env || opts.cwd ? ['sh', '-c', 'exec "${SHELL:-/bin/sh}" -l'] : undefined);
      const argv = wanted ? buildArgv(wanted, { env: opts.env }, isRoot) : undefined;
      const channel = await openChannel((c, cb) =>
        argv ? c.exec(toRemoteCommand(argv, opts.cwd), { pty: term }, cb) : c.shell(term, cb),
      );
      const decoder = new StringDecoder('utf8');
      return {
        write: (data) => void channel.write(data),
        resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
        onData: (listener) => void channel.on('data', (d: Buffer) => listener(decoder.write(d))),
        onExit: (listener) => void channel.on('close', () => listener(exitCodeOf(channel))),
        // A paused channel stops taking data, so its window closes and sshd stops reading the pty.
        pause: () => void channel.pause(),
        resume: () => void channel.resume(),
        // Closing a pty session hangs up its terminal: the shell and its jobs get SIGHUP.
        kill: () => channel.close(),
      };
    },
    readFile: (filePath) =>
      sftpCall<Buffer>((s, cb) => s.readFile(filePath, cb)).catch((err) => Promise.reject(fileError(err, filePath))),
    readDir: (dirPath) =>
      sftpCall<{ filename: string }[]>((s, cb) => s.readdir(dirPath, cb)).then(
        (entries) => entries.map((e) => e.filename).filter((name) => name !== '.' && name !== '..'),
        (err) => Promise.reject(fileError(err, dirPath)),
      ),
    async writeFile(filePath, data, opts = {}) {
      const tmp = temporarySibling(filePath);
      try {
        const existing = await sftpCall<{ mode: number }>((s, cb) => s.stat(filePath, cb)).catch(() => undefined);
        const mode = opts.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
        await sftpCall((s, cb) => s.writeFile(tmp, data, { mode }, cb));
        await sftpCall((s, cb) => s.chmod(tmp, mode, cb));
        await sftpCall((s, cb) => s.ext_openssh_rename(tmp, filePath, cb));
      } catch (err) {
        await sftpCall((s, cb) => s.unlink(tmp, cb)).catch(() => undefined);
        throw fileError(err, filePath);
      }
    },
    async dial(target, opts = {}) {
      checkDialTarget(target);
      if (opts.signal?.aborted) throw abortError();
      if ('unixSocket' in target) return whenOpen(forwardSocket(target.unixSocket), opts.signal);
      const argv = buildArgv(target.argv, { sudo: target.sudo }, isRoot);
      const stream = new HostStream(target.argv[0]!, coreErrors.DIAL_FAILED);
      const viaSudo = target.sudo === true && !isRoot;
      const opening = execRemote(argv, undefined, viaSudo, stream.sink).then(({ channel, running }) =>
        stream.attach(channelPipe(channel, running)),
      );
      return whenOpen(opening, opts.signal);
    },
    async close() {
      const pending = connection;
      connection = undefined;
      if (pending) (await pending.catch(() => undefined))?.end();
    },
  };
}
