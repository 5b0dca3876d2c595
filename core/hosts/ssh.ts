import http from 'node:http';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type Dockerode from 'dockerode';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import type { ServerConfig } from '../config.ts';
import { AuraError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { buildArgv, toRemoteCommand } from './argv.ts';
import { runCommand, streamCommand, type Start } from './commands.ts';
import { temporarySibling, type Host, type PtyOptions, type PtySession } from './host.ts';
import { checkKnownHosts, fingerprint } from './hostkeys.ts';
import { fileError, signalExitCode } from './output.ts';
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
  const resolvePath = (p: string) => path.resolve(rootDir, p.replace(/^~(?=\/)/, os.homedir()));
  const knownHosts = resolvePath(server.knownHostsPath ?? '~/.ssh/known_hosts');
  let connection: Promise<Client> | undefined;
  let sftpSession: Promise<SFTPWrapper> | undefined;
  let docker: Promise<Dockerode> | undefined;
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
      return Promise.reject(new AuraError(502, 'SSH_KEY_UNREADABLE', message));
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
        .on('ready', () => resolve(client))
        .on('error', (err) => {
          forget();
          if (refusal) {
            log.warn({ server: server.id }, refusal);
            reject(new AuraError(502, 'HOST_KEY_MISMATCH', refusal));
          } else reject(new AuraError(502, 'SSH_ERROR', `Cannot reach server "${server.id}": ${err.message}`));
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
   * close, so a refusal is retried briefly before it is reported.
   */
  const openChannel = async (open: (c: Client, cb: (err: Error | undefined, ch: ClientChannel) => void) => void) => {
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
        if (attempt >= OPEN_ATTEMPTS || !/open failed/i.test((err as Error).message))
          throw new AuraError(502, 'SSH_ERROR', `Server "${server.id}" refused a session: ${(err as Error).message}`);
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
   * print before it is dropped, and the rest is the command's output.
   */
  const startSsh =
    (limited: boolean): Start =>
    async (argv, opts, sink) => {
      const release = limited ? await runSlots.acquire(opts.signal) : () => undefined;
      let channel: ClientChannel;
      try {
        channel = await openChannel((c, cb) => c.exec(remoteScript(argv, opts.cwd), cb));
      } catch (err) {
        release();
        throw err;
      }
      let pid: number | undefined;
      let pendingSignal: 'TERM' | 'KILL' | undefined;
      let head = '';
      const kill = (sig: 'TERM' | 'KILL') =>
        pid === undefined ? (pendingSignal = sig) : void killRemote(pid, sig, opts.viaSudo);
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
      const exited = new Promise<number>((resolve) => {
        channel.on('close', () => {
          release();
          resolve(exitCodeOf(channel));
        });
      });
      channel.end(opts.input ?? undefined);
      return { exited, kill, abandon: () => channel.close() };
    };

  const sftp = (): Promise<SFTPWrapper> =>
    (sftpSession ??= connect().then(
      (client) =>
        new Promise<SFTPWrapper>((resolve, reject) =>
          client.sftp((err, s) => (err ? reject(new AuraError(502, 'SSH_ERROR', `SFTP failed: ${err.message}`)) : resolve(s))),
        ),
    )).catch((err) => {
      sftpSession = undefined;
      throw err;
    });

  const sftpCall = <T>(fn: (s: SFTPWrapper, cb: (err: Error | null | undefined, v?: T) => void) => void) =>
    sftp().then((s) => new Promise<T>((resolve, reject) => fn(s, (err, v) => (err ? reject(err) : resolve(v as T)))));

  /** Docker's own `dial-stdio` over our pooled connection: no second login, same host key check. */
  class DockerOverSsh extends http.Agent {
    override createConnection(_opts: unknown, done: (err: Error | null, socket?: unknown) => void): undefined {
      openChannel((c, cb) => c.exec('docker system dial-stdio', cb)).then(
        (ch) => done(null, ch),
        (err: Error) => done(err),
      );
      return undefined;
    }
  }

  const isRoot = server.user === 'root';
  return {
    id: server.id,
    kind: 'ssh',
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
        // Closing a pty session hangs up its terminal: the shell and its jobs get SIGHUP.
        kill: () => channel.close(),
      };
    },
    readFile: (filePath) =>
      sftpCall<Buffer>((s, cb) => s.readFile(filePath, cb)).catch((err) => Promise.reject(fileError(err, filePath))),
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
    // docker-modem accepts an http.Agent; its typings do not list it.
    docker: () =>
      (docker ??= import('dockerode').then(
        ({ default: Dockerode }) =>
          new Dockerode({
            agent: new DockerOverSsh({ keepAlive: false }),
            protocol: 'http',
            host: 'docker',
          } as Dockerode.DockerOptions),
      )),
    async close() {
      const pending = connection;
      connection = undefined;
      if (pending) (await pending.catch(() => undefined))?.end();
    },
  };
}
