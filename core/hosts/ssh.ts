import http from 'node:http';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Dockerode from 'dockerode';
import pLimit from 'p-limit';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import type { ServerConfig } from '../config.ts';
import { AuraError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { checkArgv, toRemoteCommand } from './argv.ts';
import { runCommand, streamCommand, type Execute } from './commands.ts';
import { temporarySibling, type Host, type PtyOptions, type PtySession } from './host.ts';
import { checkKnownHosts, fingerprint } from './hostkeys.ts';
import { fileError } from './output.ts';

/** OpenSSH allows 10 sessions per connection by default; leave room for ptys and streams. */
const MAX_CONCURRENT_RUNS = 4;
const OPEN_ATTEMPTS = 6;
const KILL_GRACE_MS = 2000;

export interface SshHostOptions {
  server: ServerConfig;
  /** Relative key and known_hosts paths in the config are resolved from here. */
  rootDir: string;
  log: Logger;
}

/** ssh2 names signals with their SIG prefix (SIGTERM); a shell reports them as 128 + n. */
function signalNumber(name: string | undefined): number {
  const n = name ? os.constants.signals[(name.startsWith('SIG') ? name : `SIG${name}`) as NodeJS.Signals] : undefined;
  return n ? 128 + n : 255;
}

export function createSshHost({ server, rootDir, log }: SshHostOptions): Host {
  const resolvePath = (p: string) => path.resolve(rootDir, p.replace(/^~(?=\/)/, os.homedir()));
  const knownHosts = resolvePath(server.knownHostsPath ?? '~/.ssh/known_hosts');
  let connection: Promise<Client> | undefined;
  let sftpSession: Promise<SFTPWrapper> | undefined;
  let docker: Promise<Dockerode> | undefined;
  const limitRuns = pLimit(MAX_CONCURRENT_RUNS);

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

  const connect = (): Promise<Client> => {
    connection ??= new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let refusal: string | undefined;
      let privateKey: Buffer;
      try {
        privateKey = readFileSync(resolvePath(server.privateKeyPath));
      } catch (err) {
        connection = undefined;
        reject(
          new AuraError(
            502,
            'SSH_KEY_UNREADABLE',
            `Cannot read the private key for server "${server.id}": ${(err as Error).message}`,
          ),
        );
        return;
      }
      const forget = () => {
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
    return connection;
  };

  /**
   * A session on the pooled connection. sshd allows a few sessions per connection
   * (MaxSessions, 10 by default) and frees closed ones a moment later, so a refusal is
   * retried briefly before it is reported.
   */
  const openChannel = async (open: (c: Client, cb: (err: Error | undefined, ch: ClientChannel) => void) => void) => {
    for (let attempt = 1; ; attempt++) {
      const client = await connect();
      try {
        return await new Promise<ClientChannel>((resolve, reject) =>
          open(client, (err, ch) => (err ? reject(err) : resolve(ch))),
        );
      } catch (err) {
        if (attempt >= OPEN_ATTEMPTS || !/open failed/i.test((err as Error).message))
          throw new AuraError(502, 'SSH_ERROR', `Server "${server.id}" refused a session: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  };

  /** Signals a remote process group through a second channel (sshd ignores "signal" requests). */
  const killRemote = (pid: number, sig: 'TERM' | 'KILL') =>
    openChannel((c, cb) => c.exec(`kill -${sig} -- -${pid} 2>/dev/null || kill -${sig} ${pid}`, cb))
      .then((ch) => ch.resume().end())
      .catch(() => undefined);

  /**
   * sshd starts each exec in its own session (setsid), so the shell's $$ is the group of
   * everything the command starts. The first stdout line carries it; the rest is output.
   */
  const executeSsh: Execute = (argv, opts, sink) =>
    limitRuns(async () => {
      const channel = await openChannel((c, cb) => c.exec(`echo $$; ${toRemoteCommand(argv, opts.cwd)}`, cb));
      return new Promise<number>((resolve) => {
        let exitCode = 255;
        let pid: number | undefined;
        let head = '';
        let killTimer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          if (pid === undefined) return; // killed as soon as its pid arrives
          void killRemote(pid, 'TERM');
          killTimer = setTimeout(() => void killRemote(pid!, 'KILL').then(() => channel.close()), KILL_GRACE_MS);
        };
        channel.on('data', (chunk: Buffer) => {
          if (pid !== undefined) return sink.stdout(chunk);
          head += chunk.toString('latin1');
          const nl = head.indexOf('\n');
          if (nl < 0) return;
          pid = Number(head.slice(0, nl));
          if (opts.signal.aborted) onAbort();
          const rest = Buffer.from(head.slice(nl + 1), 'latin1');
          if (rest.length) sink.stdout(rest);
        });
        opts.signal.addEventListener('abort', onAbort, { once: true });
        channel.stderr.on('data', sink.stderr);
        channel.on('exit', (code: number | null, signal?: string) => {
          exitCode = code ?? signalNumber(signal);
        });
        channel.on('close', () => {
          clearTimeout(killTimer);
          opts.signal.removeEventListener('abort', onAbort);
          resolve(exitCode);
        });
        channel.end(opts.input ?? undefined);
      });
    });

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
    run: (argv, opts) => runCommand(executeSsh, isRoot, argv, opts),
    stream: (argv, opts) => streamCommand(executeSsh, isRoot, argv, opts),
    async pty(opts: PtyOptions): Promise<PtySession> {
      const term = { term: 'xterm-256color', cols: opts.cols, rows: opts.rows, height: 0, width: 0 };
      if (opts.argv) checkArgv(opts.argv);
      const envArgv = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
      const channel = await openChannel((c, cb) =>
        opts.argv
          ? c.exec(
              toRemoteCommand(envArgv.length ? ['env', '--', ...envArgv, ...opts.argv] : opts.argv, opts.cwd),
              { pty: term },
              cb,
            )
          : c.shell(term, cb),
      );
      return {
        write: (data) => void channel.write(data),
        resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
        onData: (listener) => void channel.on('data', (d: Buffer) => listener(d.toString('utf8'))),
        onExit: (listener) => {
          let code = 0;
          channel.on('exit', (c: number | null, signal?: string) => (code = c ?? signalNumber(signal)));
          channel.on('close', () => listener(code));
        },
        kill: () => {
          channel.signal('HUP');
          channel.close();
        },
      };
    },
    readFile: (filePath) =>
      sftpCall<Buffer>((s, cb) => s.readFile(filePath, cb)).catch((err) => Promise.reject(fileError(err, filePath))),
    async writeFile(filePath, data, opts = {}) {
      const tmp = temporarySibling(filePath);
      try {
        await sftpCall((s, cb) => s.writeFile(tmp, data, { mode: opts.mode ?? 0o644 }, cb));
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
