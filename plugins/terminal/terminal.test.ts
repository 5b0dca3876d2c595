import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanHome, terminalPage } from '../../test/harness/terminal.ts';
import { realLocalHost, startPluginTest, type PluginTest } from '../../test/kit/index.ts';
import { HIGH_WATERMARK, MAX_BATCH } from './flow.ts';
import terminal from './index.ts';

/** This process's children that still run: the shells node-pty started here. */
function liveChildren(): string[] {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(ppid) === process.pid && state !== 'Z';
    } catch {
      return false;
    }
  });
}

const alive = (pid: string) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** The shell's pid, asked of the shell itself. */
async function shellPid(page: ReturnType<typeof terminalPage>, sessionId: string): Promise<string> {
  await page.type(sessionId, 'echo "pid-$$-end"\r');
  return /pid-(\d+)-end/.exec(await page.seen(sessionId, /pid-\d+-end/))![1]!;
}

describe('the terminal plugin on this machine', () => {
  let kit: PluginTest;
  const sockets: { close(): void }[] = [];
  const connect = async (opts: { autoAck?: boolean; as?: 'admin' | 'viewer' } = {}) => {
    const socket = await kit.socket('terminal', { as: opts.as });
    sockets.push(socket);
    return terminalPage(socket, opts);
  };

  let restoreHome: () => void;

  beforeAll(async () => {
    restoreHome = cleanHome();
    kit = await startPluginTest({
      plugins: [terminal],
      hosts: { local: realLocalHost() },
      settings: {
        terminal: { maxSessionsPerUser: 3, shortcuts: [{ label: 'Uptime', command: 'uptime' }], record: true },
      },
    });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    // A failed test must not leave its sessions to count against the next one's limit.
    const sweeper = terminalPage(await kit.socket('terminal'));
    for (const { sessionId } of (await sweeper.call('list')) as unknown as { sessionId: string }[])
      await sweeper.call('close', { sessionId });
    sweeper.socket.close();
  });
  afterAll(async () => {
    await kit?.close();
    restoreHome?.();
  });

  it('runs a login shell in the home folder that answers, and follows resizes', async () => {
    const page = await connect();
    const id = await page.open({ cols: 80, rows: 24 });
    await page.type(id, 'echo "mark-$((6*7))"; pwd; echo "term=$TERM"\r');
    const out = await page.seen(id, 'term=xterm-256color');
    expect(out).toContain('mark-42');
    expect(out).toContain(os.homedir());
    expect(await page.call('resize', { sessionId: id, cols: 100, rows: 40 })).toEqual({ sessionId: id, cols: 100, rows: 40 });
    await page.type(id, 'stty size\r');
    await page.seen(id, '40 100');
    expect(await page.call('list')).toEqual([
      expect.objectContaining({ sessionId: id, serverId: 'local', cols: 100, rows: 40, attached: true }),
    ]);
    await page.call('close', { sessionId: id });
  });

  it('keeps a session when its page goes, and replays its output on attach', async () => {
    const first = await connect();
    const id = await first.open();
    await first.type(id, 'echo "before-$((1+2))"\r');
    await first.seen(id, 'before-3');
    first.socket.close();

    const second = await connect();
    await expect.poll(() => second.call('list')).toEqual([expect.objectContaining({ sessionId: id, attached: false })]);
    expect(await second.call('attach', { sessionId: id })).toEqual({ sessionId: id });
    await second.seen(id, 'before-3');
    await second.type(id, 'echo "after-$((2+2))"\r');
    await second.seen(id, 'after-4');
    // A third page takes the session over: the second is told, and input from it is refused no more than before.
    const third = await connect();
    await third.call('attach', { sessionId: id });
    expect(await second.wasDetached(id)).toBe(true);
    await third.seen(id, 'after-4');
    await third.call('close', { sessionId: id });
    expect(await third.call('list')).toEqual([]);
  });

  it('says when the shell exits, with its code, and forgets the session', async () => {
    const page = await connect();
    const id = await page.open();
    await page.type(id, 'exit 7\r');
    expect(await page.exited(id)).toBe(7);
    expect(await page.call('input', { sessionId: id, data: 'x' })).toMatchObject({ code: 'TERMINAL_NOT_FOUND' });
    const entries = await kit.audit();
    expect(entries.find((e) => e.action === 'terminal.exit' && e.target === id)).toMatchObject({ detail: 'exit code 7' });
  });

  it('leaves no process behind after 100 opens and closes, background jobs included', async () => {
    const before = liveChildren().length;
    const page = await connect();
    const withJob = await page.open();
    await page.type(withJob, 'sleep 300 & echo "job-$!-end"\r');
    const job = /job-(\d+)-end/.exec(await page.seen(withJob, /job-\d+-end/))![1]!;
    await page.call('close', { sessionId: withJob });
    for (let i = 0; i < 100; i++) {
      const id = await page.open();
      expect(await page.call('close', { sessionId: id })).toEqual({ sessionId: id });
    }
    await expect.poll(() => liveChildren().length).toBe(before);
    await expect.poll(() => alive(job)).toBe(false);
  });

  it('holds a flood back while the page has not drawn it, and Ctrl-C stops it once it has', async () => {
    const page = await connect({ autoAck: false });
    const id = await page.open();
    await page.type(id, 'yes flood-line-of-text\r');
    await expect.poll(() => page.received(id)).toBeGreaterThan(HIGH_WATERMARK);
    // The page acknowledges nothing: round trips pass, and no more than one batch past the mark arrives.
    for (let i = 0; i < 20; i++) await page.call('list');
    const held = page.received(id);
    expect(held).toBeLessThanOrEqual(HIGH_WATERMARK + MAX_BATCH);
    for (let i = 0; i < 20; i++) await page.call('list');
    expect(page.received(id)).toBe(held);

    await page.type(id, '\x03');
    await page.type(id, 'echo "stopped-$((3*3))"\r');
    page.clear(id);
    // The page draws what it has; after Ctrl-C only what was already in flight may still come.
    const atCtrlC = page.received(id);
    page.ack(id, held);
    const waiting = page.seen(id, 'stopped-9');
    const pump = setInterval(() => page.ack(id, page.received(id)), 1);
    try {
      await waiting;
    } finally {
      clearInterval(pump);
    }
    expect(page.received(id) - atCtrlC).toBeLessThan(HIGH_WATERMARK + 4 * MAX_BATCH + 64 * 1024);
    await page.call('close', { sessionId: id });
  });

  it('ends a session whose page has been gone for detachMinutes', async () => {
    const quick = await startPluginTest({
      plugins: [terminal],
      hosts: { local: realLocalHost() },
      settings: { terminal: { detachMinutes: 0.002 } },
    });
    try {
      const socket = await quick.socket('terminal');
      const page = terminalPage(socket);
      const id = await page.open();
      const pid = await shellPid(page, id);
      socket.close();
      await expect.poll(() => alive(pid)).toBe(false);
      const other = terminalPage(await quick.socket('terminal'));
      expect(await other.call('list')).toEqual([]);
      expect(await other.call('attach', { sessionId: id })).toMatchObject({ code: 'TERMINAL_NOT_FOUND' });
      other.socket.close();
      expect((await quick.audit()).find((e) => e.action === 'terminal.close')).toMatchObject({
        target: id,
        detail: 'detached for 0.002 min',
      });
    } finally {
      await quick.close();
    }
  });

  it('limits the sessions per user', async () => {
    const page = await connect();
    const ids = [await page.open(), await page.open(), await page.open()];
    expect(await page.call('open', { cols: 80, rows: 24 })).toMatchObject({ code: 'TOO_MANY_TERMINALS' });
    await page.call('close', { sessionId: ids[0] });
    ids[0] = await page.open();
    for (const sessionId of ids) await page.call('close', { sessionId });
  });

  it('checks every payload and refuses sessions it does not know', async () => {
    const page = await connect();
    expect(await page.call('open', { cols: 0, rows: 24 })).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await page.call('open', { cols: 80, rows: 24, argv: ['sh'] })).toMatchObject({ code: 'VALIDATION_ERROR' });
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [event, payload] of [
      ['input', { sessionId: unknown, data: 'x' }],
      ['resize', { sessionId: unknown, cols: 80, rows: 24 }],
      ['attach', { sessionId: unknown }],
      ['close', { sessionId: unknown }],
    ] as const)
      expect(await page.call(event, payload)).toMatchObject({ code: 'TERMINAL_NOT_FOUND' });
    expect(await page.call('input', { sessionId: '../../etc', data: 'x' })).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('gives a viewer FORBIDDEN on every event, and starts nothing for them', async () => {
    // Shells of earlier tests may still be ending: what counts is that none is new.
    const before = new Set(liveChildren());
    const viewer = await connect({ as: 'viewer' });
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [event, payload] of [
      ['open', { cols: 80, rows: 24 }],
      ['attach', { sessionId: id }],
      ['input', { sessionId: id, data: 'id\r' }],
      ['resize', { sessionId: id, cols: 80, rows: 24 }],
      ['ack', { sessionId: id, chars: 1 }],
      ['close', { sessionId: id }],
      ['list', undefined],
    ] as const)
      expect(await viewer.call(event, payload)).toMatchObject({ code: 'FORBIDDEN' });
    expect(liveChildren().filter((pid) => !before.has(pid))).toEqual([]);
    expect((await kit.request('/api/servers/local/terminal/settings', { as: 'viewer' })).status).toBe(403);
  });

  it('refuses a page from another origin before any shell starts', async () => {
    const before = new Set(liveChildren());
    await expect(kit.socket('terminal', { origin: 'https://evil.example' })).rejects.toThrow();
    expect(liveChildren().filter((pid) => !before.has(pid))).toEqual([]);
  });

  it('gives admins the shortcuts from the settings', async () => {
    const res = await kit.request('/api/servers/local/terminal/settings');
    expect(await res.json()).toEqual({
      shortcuts: [{ label: 'Uptime', command: 'uptime' }],
      detachMinutes: 10,
      maxSessionsPerUser: 3,
    });
  });

  it('audits open, attach and close, never keystrokes, and records output as asciicast v2', async () => {
    const page = await connect();
    const id = await page.open({ cols: 90, rows: 30 });
    await page.type(id, 'echo "secret-$((40+2))"\r');
    await page.seen(id, 'secret-42');
    await page.call('attach', { sessionId: id });
    await page.call('close', { sessionId: id });
    const mine = (await kit.audit()).filter((e) => e.target === id);
    expect(mine.map((e) => e.action).sort()).toEqual(['terminal.attach', 'terminal.close', 'terminal.open']);
    expect(JSON.stringify(mine)).not.toContain('secret');

    const cast = path.join(kit.dataDir, 'plugins', 'terminal', `${id}.cast`);
    await expect.poll(() => existsSync(cast) && readFileSync(cast, 'utf8').includes('secret-42')).toBe(true);
    expect(statSync(cast).mode & 0o777).toBe(0o600);
    const [header, ...events] = readFileSync(cast, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(header).toMatchObject({ version: 2, width: 90, height: 30, env: { TERM: 'xterm-256color' } });
    for (const e of events) expect(e).toEqual([expect.any(Number), 'o', expect.any(String)]);
  });
});
