import { connection, pluginSocket } from '@aura/ui';
import type { MetricsSample } from '../types.ts';

export interface Failure {
  detail: string;
  code: string;
  /** When the server said so (sample-error), ms since the epoch. */
  time?: number;
}

/** A sample comes every second: one older than this means the feed stopped. */
export const STALE_MS = 5000;

const isFailure = (x: unknown): x is Failure => typeof x === 'object' && x !== null && 'code' in x && 'detail' in x;

/**
 * One server's live figures over the `/metrics` socket: the newest sample, or why there is
 * none. A failed read keeps the last sample (it goes stale, and says so) beside the error.
 */
export class MetricsFeed {
  latest = $state<MetricsSample | null>(null);
  error = $state<Failure | null>(null);
  /** When the newest sample arrived here (this browser's clock, which may differ from the server's). */
  receivedAt = $state<number | null>(null);
  #now = $state(Date.now());

  /** Figures no longer current: too old, their read failed, or Aura is out of reach. */
  get stale(): boolean {
    if (this.receivedAt === null) return false;
    return this.#now - this.receivedAt > STALE_MS || this.error !== null || connection.lost > 0;
  }

  constructor(readonly serverId: string) {}

  /** Opens the socket and subscribes (again after each reconnect); returns the stop. */
  start(): () => void {
    const socket = pluginSocket('metrics', this.serverId);
    socket.on('connect', () => {
      socket.emit('subscribe', (ack: unknown) => {
        if (isFailure(ack)) this.error = ack;
      });
    });
    socket.on('sample', (s: MetricsSample) => {
      this.latest = s;
      this.receivedAt = this.#now = Date.now();
      this.error = null;
    });
    socket.on('sample-error', (e: Failure) => (this.error = e));
    socket.on('aura:error', (e: Failure) => (this.error = e));
    // A refusal (no such server, signed out) ends the socket: say why instead of waiting forever.
    socket.on('connect_error', (err: Error & { data?: Failure }) => {
      if (err.data?.code) this.error = { detail: err.data.detail, code: err.data.code };
    });
    const clock = setInterval(() => (this.#now = Date.now()), 1000);
    return () => {
      clearInterval(clock);
      socket.disconnect();
    };
  }
}
