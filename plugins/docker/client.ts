import http from 'node:http';
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { AuraError, type Host } from '../../core/index.ts';
import { dockerErrors } from './errors.ts';

/** How much of the engine's own message an error quotes: its words, never a whole body. */
const QUOTE_LIMIT = 300;

/** What host.dial() says when the socket cannot be opened: the engine is not there for us. */
const SOCKET_FAILURES = new Set(['FILE_NOT_FOUND', 'FILE_PERMISSION_DENIED', 'DIAL_FAILED']);

interface EngineFailure extends Error {
  statusCode?: number;
  json?: unknown;
}

/** The engine's `{"message": …}`, else dockerode's own line, cut short. */
function engineWords(err: EngineFailure): string {
  const json = err.json as { message?: unknown } | undefined;
  const said = typeof json?.message === 'string' ? json.message : err.message;
  const words = said.replace(/\s+/g, ' ').trim();
  return words.length > QUOTE_LIMIT ? `${words.slice(0, QUOTE_LIMIT)}…` : words;
}

/**
 * One server's Docker engine: dockerode over an http.Agent whose every connection is a
 * host.dial() stream to the engine's unix socket, so that on an SSH server it rides the pooled
 * connection (an OpenSSH streamlocal channel): no second login, the same host key check.
 */
export class DockerClient {
  #made: { epoch: number; docker: Promise<Dockerode> } | undefined;

  constructor(
    readonly host: Host,
    readonly socketPath: string,
  ) {}

  /** Made on first use, and anew once the host has reconnected: nothing of the old connection is reused. */
  docker(): Promise<Dockerode> {
    if (this.#made?.epoch !== this.host.epoch) this.#made = { epoch: this.host.epoch, docker: this.#make() };
    return this.#made.docker;
  }

  async #make(): Promise<Dockerode> {
    const { host, socketPath } = this;
    // Loaded on first use: a server without Docker never pays for it.
    const { default: Docker } = await import('dockerode');
    class HostAgent extends http.Agent {
      override createConnection(_opts: unknown, done: (err: Error | null, stream: Duplex) => void): undefined {
        host.dial({ unixSocket: socketPath }).then(
          (stream) => done(null, stream),
          (err: Error) => done(err, undefined as unknown as Duplex),
        );
        return undefined;
      }
    }
    // No keep-alive: each request owns its stream, so aborting a request closes exactly its channel.
    // docker-modem accepts an http.Agent; its typings do not list it.
    return new Docker({
      agent: new HostAgent({ keepAlive: false }),
      protocol: 'http',
      host: 'docker',
    } as Dockerode.DockerOptions);
  }

  /**
   * Runs `fn` against the engine and says what went wrong in the catalogue's words; `id` names
   * the container the call is about, for a 404.
   */
  async use<T>(fn: (docker: Dockerode) => Promise<T>, id?: string): Promise<T> {
    try {
      return await fn(await this.docker());
    } catch (err) {
      throw this.explain(err, id);
    }
  }

  explain(err: unknown, id?: string): Error {
    const e = err as EngineFailure;
    if (e instanceof AuraError) return SOCKET_FAILURES.has(e.code) ? dockerErrors.DOCKER_UNAVAILABLE(this.#absent(e)) : e;
    if (e?.name === 'AbortError') return e;
    if (e?.statusCode === 404 && id !== undefined)
      return dockerErrors.CONTAINER_NOT_FOUND(`No container "${id}" on ${this.host.id}.`);
    if (e?.statusCode === 409) return dockerErrors.DOCKER_CONFLICT(`Docker on ${this.host.id}: ${engineWords(e)}`);
    return dockerErrors.DOCKER_ERROR(`Docker on ${this.host.id}: ${e instanceof Error ? engineWords(e) : 'failed'}`);
  }

  #absent(err: Error): string {
    const hint =
      (err as AuraError).code === 'FILE_PERMISSION_DENIED'
        ? ` (add the user Aura ${this.host.kind === 'local' ? 'runs' : 'logs in'} as to the docker group)`
        : '';
    const said = err instanceof AuraError ? err.message : engineWords(err);
    return `No Docker engine answers at ${this.socketPath} on ${this.host.id}: ${said}${hint}`;
  }

  /**
   * The plugin's condition: null when the engine answers a ping, else why not. An SSH server
   * that cannot be reached at all throws instead: that is the server's trouble, not Docker's,
   * and is not remembered as this plugin's answer.
   */
  async unavailableReason(signal: AbortSignal): Promise<string | null> {
    try {
      const docker = await this.docker();
      // dockerode takes options here too; its typings do not list them.
      await (docker.ping as (opts: { abortSignal: AbortSignal }) => Promise<unknown>).call(docker, { abortSignal: signal });
      return null;
    } catch (err) {
      const e = err as Error;
      if ((e instanceof AuraError && !SOCKET_FAILURES.has(e.code)) || e?.name === 'AbortError' || signal.aborted) throw err;
      return this.#absent(e);
    }
  }
}
