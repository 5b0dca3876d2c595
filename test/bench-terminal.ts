/**
 * The terminal's figures for `npm run bench`: throughput of a flood from a local pty to a
 * socket.io page (against the raw pty read in-process), a keystroke's echo round trip, Aura's
 * RSS at the flood's peak, and how long Ctrl-C takes to stop a flood.
 */
import { readFileSync } from 'node:fs';
import { connectSocket } from './harness/sockets.ts';
import { terminalPage } from './harness/terminal.ts';

const FLOOD = 'head -c 200M /dev/zero | base64';
const ECHOES = 500;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** The same flood read straight from node-pty in this process: what the pty itself gives. */
async function rawPtyMbps(): Promise<number> {
  const nodePty = await import('node-pty');
  const started = performance.now();
  let chars = 0;
  const p = nodePty.spawn('sh', ['-c', FLOOD], { cols: 80, rows: 24 });
  p.onData((d) => (chars += d.length));
  await new Promise<void>((resolve) => p.onExit(() => resolve()));
  return chars / 1e6 / ((performance.now() - started) / 1000);
}

export async function terminalBench(url: string, pid: number, token: string): Promise<string[][]> {
  const socket = await connectSocket(url, 'terminal', { token, serverId: 'local' });
  const page = terminalPage(socket, { keep: 4096 });
  try {
    const id = await page.open({ cols: 120, rows: 40 });
    await page.type(id, 'echo "ready-$((1+1))"\r');
    await page.seen(id, 'ready-2');

    // A keystroke's echo: one character typed, the same character back (before the flood, whose
    // 270 MB of strings this process then collects).
    const rtts: number[] = [];
    for (let i = 0; i < ECHOES; i++) {
      const before = page.received(id);
      const t0 = performance.now();
      void page.type(id, 'x');
      await new Promise<void>((resolve) => {
        const check = () => (page.received(id) > before ? resolve() : setImmediate(check));
        check();
      });
      rtts.push(performance.now() - t0);
      if (i % 100 === 99) await page.type(id, '\x15'); // Ctrl-U: an empty line again
    }

    // Throughput, and Aura's memory at the flood's peak.
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const watch = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 20);
    const from = page.received(id);
    const started = performance.now();
    await page.type(id, `${FLOOD}; echo "flood-$((6*7))-done"\r`);
    await page.seen(id, 'flood-42-done');
    const seconds = (performance.now() - started) / 1000;
    clearInterval(watch);
    const mbps = (page.received(id) - from) / 1e6 / seconds;
    const raw = await rawPtyMbps();

    // Ctrl-C in the middle of a flood, until the shell answers again.
    page.clear(id);
    await page.type(id, 'yes\r');
    const floodFrom = page.received(id);
    await new Promise<void>((resolve) => {
      const check = () => (page.received(id) - floodFrom > 20e6 ? resolve() : setTimeout(check, 5));
      check();
    });
    const c0 = performance.now();
    await page.type(id, '\x03');
    await page.type(id, 'echo "stopped-$((3*3))"\r');
    await page.seen(id, 'stopped-9');
    const ctrlC = performance.now() - c0;
    await page.call('close', { sessionId: id });

    return [
      [`terminal flood to socket.io (${FLOOD})`, `${mbps.toFixed(0)} MB/s`, 'goal ≥ 100 MB/s'],
      ['the same flood, raw node-pty in-process', `${raw.toFixed(0)} MB/s`, ''],
      ['ratio terminal / raw pty', (mbps / raw).toFixed(2), ''],
      [`keystroke echo p50 (${ECHOES})`, `${percentile(rtts, 0.5).toFixed(2)} ms`, ''],
      [`keystroke echo p99 (${ECHOES})`, `${percentile(rtts, 0.99).toFixed(2)} ms`, 'goal ≤ 5 ms'],
      ['Aura RSS growth at the flood peak', `${(rssPeak - rssBefore).toFixed(1)} MB`, 'goal ≤ +50 MB'],
      ['Ctrl-C in a flood until the prompt answers', `${ctrlC.toFixed(0)} ms`, 'goal < 1000 ms'],
    ];
  } finally {
    socket.close();
  }
}
