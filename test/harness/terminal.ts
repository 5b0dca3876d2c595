import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';

/** An acknowledgement as the terminal plugin sends it: a result, or `{detail, code}`. */
export type Ack = Record<string, unknown> & { code?: string; sessionId?: string };

/**
 * A terminal page for tests and the benchmark: it collects each session's output, waits for
 * text in it, and acknowledges what it received as xterm.js's write callback would (or not,
 * with autoAck false: a page that cannot keep up).
 */
export function terminalPage(
  socket: Socket,
  opts: { autoAck?: boolean; /** Keep only the last this many characters. */ keep?: number } = {},
) {
  const output = new Map<string, string>();
  const received = new Map<string, number>();
  const exits = new Map<string, number>();
  const detached = new Set<string>();
  let waiters: (() => void)[] = [];
  const changed = () => {
    const now = waiters;
    waiters = [];
    for (const check of now) check();
  };
  socket.on('output', ({ sessionId, data }: { sessionId: string; data: string }) => {
    const text = (output.get(sessionId) ?? '') + data;
    output.set(sessionId, opts.keep && text.length > opts.keep ? text.slice(-opts.keep) : text);
    received.set(sessionId, (received.get(sessionId) ?? 0) + data.length);
    if (opts.autoAck !== false) socket.emit('ack', { sessionId, chars: data.length });
    changed();
  });
  socket.on('exit', ({ sessionId, exitCode }: { sessionId: string; exitCode: number }) => {
    exits.set(sessionId, exitCode);
    changed();
  });
  socket.on('detached', ({ sessionId }: { sessionId: string }) => {
    detached.add(sessionId);
    changed();
  });
  const until = <T>(value: () => T | undefined): Promise<T> =>
    new Promise((resolve) => {
      const check = () => {
        const v = value();
        if (v === undefined) waiters.push(check);
        else resolve(v);
      };
      check();
    });

  const page = {
    socket,
    /** Emits an event and resolves with its acknowledgement. */
    call: (event: string, payload?: unknown): Promise<Ack> =>
      new Promise((resolve) => (payload === undefined ? socket.emit(event, resolve) : socket.emit(event, payload, resolve))),
    async open(size = { cols: 80, rows: 24 }): Promise<string> {
      const ack = await page.call('open', size);
      if (!ack.sessionId) throw Object.assign(new Error(`open refused: ${JSON.stringify(ack)}`), ack);
      return ack.sessionId;
    },
    type: (sessionId: string, data: string) => page.call('input', { sessionId, data }),
    output: (sessionId: string) => output.get(sessionId) ?? '',
    /** Characters received for the session so far. */
    received: (sessionId: string) => received.get(sessionId) ?? 0,
    /** Forgets what was received, so that the next wait sees only new output. */
    clear: (sessionId: string) => void output.set(sessionId, ''),
    /** Resolves with the output once it matches. */
    seen: (sessionId: string, wanted: string | RegExp) =>
      until(() => {
        const text = output.get(sessionId) ?? '';
        return (typeof wanted === 'string' ? text.includes(wanted) : wanted.test(text)) ? text : undefined;
      }),
    exited: (sessionId: string) => until(() => exits.get(sessionId)),
    wasDetached: (sessionId: string) => until(() => (detached.has(sessionId) ? true : undefined)),
    /** Acknowledges characters by hand (autoAck false). */
    ack: (sessionId: string, chars: number) => socket.emit('ack', { sessionId, chars }),
  };
  return page;
}

/**
 * Points HOME at an empty folder for this test file's process, so the login shells its
 * terminals start read no dotfiles of the machine's user (a pyenv or conda init that takes
 * seconds, or waits on a lock a killed shell left behind). Returns the way back.
 */
export function cleanHome(): () => void {
  const before = process.env.HOME;
  const home = mkdtempSync(path.join(os.tmpdir(), 'aura-home-'));
  process.env.HOME = home;
  return () => {
    process.env.HOME = before;
    rmSync(home, { recursive: true, force: true });
  };
}
