import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputBeforeTimeout, type DialTarget, type Host } from '../../core/hosts/host.ts';

/** Arguments a shell would act on; every host must hand them to the program literally. */
/** What a hostile argument creates if it ever reaches a shell. */
const PWNED = '/tmp/aura-pwned';

export const HOSTILE_ARGS = [
  '; touch /tmp/aura-pwned',
  '$(touch /tmp/aura-pwned)',
  '`touch /tmp/aura-pwned`',
  'a\nb; touch /tmp/aura-pwned',
  "it's",
  // Two or more quotes: a quoter that escapes only the first one runs the rest.
  "a'b'c",
  "a'b';touch /tmp/aura-pwned;'",
  "''''",
  '-rf',
  '--help',
  '*',
  '',
  ' spaced  out ',
  '"quoted"',
  '\\',
];

/** What a dialled stream says, as it comes, and all of it once it ends. */
export function collect(stream: Duplex) {
  let text = '';
  let waiting: (() => void)[] = [];
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const now = waiting;
    waiting = [];
    now.forEach((check) => check());
  });
  const ended = new Promise<string>((resolve, reject) => {
    stream.once('end', () => resolve(text));
    stream.on('error', reject);
  });
  const closed = new Promise<void>((resolve) => stream.once('close', resolve));
  return {
    ended,
    closed,
    /** Settles once the output so far contains `part`. */
    seen: (part: string) =>
      new Promise<string>((resolve) => {
        const check = () => (text.includes(part) ? resolve(text) : waiting.push(check));
        check();
      }),
  };
}

/** An echo server on a unix socket the SSH test user may open too (chmod 0666). */
export async function echoSocket(socketPath: string): Promise<{ close(): Promise<void> }> {
  const server = net.createServer({ allowHalfOpen: true }, (c) => c.pipe(c));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  chmodSync(socketPath, 0o666);
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The behaviour every Host kind shares, run against each of them: the proof that a plugin
 * need not know whether it talks to this machine or to an SSH server.
 */
export function hostContract(getHost: () => Host, scratchDir: () => string): void {
  // A marker left by an earlier run that did break quoting must not fail every run after it.
  beforeAll(() => rmSync(PWNED, { force: true }));

  it('runs argv and reports stdout, stderr and the exit code', async () => {
    const r = await getHost().run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3, truncated: false });
  });

  it('keeps the first maxOutputBytes of each stream and says it cut them', async () => {
    const r = await getHost().run(['sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" a; echo tail >&2'], {
      maxOutputBytes: 1000,
    });
    expect(r).toEqual({ stdout: 'a'.repeat(1000), stderr: 'tail\n', exitCode: 0, truncated: true });
  });

  it('passes hostile arguments literally, never to a shell', async () => {
    const r = await getHost().run(['printf', '%s\\0', ...HOSTILE_ARGS]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
    const marker = await getHost().run(['test', '-e', PWNED]);
    expect(marker.exitCode).toBe(1);
  });

  it('reports death by a signal as 128 + its number, as a shell does', async () => {
    expect((await getHost().run(['sh', '-c', 'kill -TERM $$'])).exitCode).toBe(143);
  });

  it('answers 127 for a program that does not exist', async () => {
    const r = await getHost().run(['aura-no-such-program']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/not found/);
  });

  it('rejects argv that cannot be passed safely', async () => {
    await expect(getHost().run([])).rejects.toMatchObject({ code: 'INVALID_COMMAND', status: 400 });
    await expect(getHost().run(['echo', 'a\0b'])).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
    await expect(getHost().run(['echo'], { env: { 'A;B': '1' } })).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
  });

  it('feeds input, sets the working directory and environment', async () => {
    expect((await getHost().run(['cat'], { input: 'hello\nworld' })).stdout).toBe('hello\nworld');
    expect((await getHost().run(['pwd'], { cwd: '/tmp' })).stdout.trim()).toBe('/tmp');
    const env = await getHost().run(['sh', '-c', 'printf %s "$AURA_X"'], { env: { AURA_X: '$(id) ;x' } });
    expect(env.stdout).toBe('$(id) ;x');
  });

  it('stops a command at its timeout, with everything it started, and keeps its output so far', async () => {
    const pidFile = `${scratchDir()}/timeout-${Date.now()}.pid`;
    const err: unknown = await getHost()
      .run(['sh', '-c', `echo before; echo oops >&2; sleep 60 & echo $! > ${pidFile}; wait`], { timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'COMMAND_TIMEOUT', status: 504 });
    expect(outputBeforeTimeout(err)).toEqual({ stdout: 'before\n', stderr: 'oops\n', truncated: false });
    const pid = (await getHost().readFile(pidFile)).toString().trim();
    await expect.poll(async () => (await getHost().run(['kill', '-0', pid])).exitCode).not.toBe(0);
  });

  it('stops a command when its signal aborts', async () => {
    const ac = new AbortController();
    const run = getHost().run(['sleep', '30'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('streams output line by line and resolves with the exit code', async () => {
    const lines: string[] = [];
    const result = await getHost().stream(
      ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.05; done; echo oops >&2; exit 4'],
      {
        onLine: (line, source) => lines.push(`${source}:${line}`),
      },
    );
    expect(result.exitCode).toBe(4);
    expect(lines).toEqual(['stdout:line 1', 'stdout:line 2', 'stdout:line 3', 'stderr:oops']);
  });

  it('ends a stream when its signal aborts', async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    const stream = getHost().stream(['sh', '-c', 'while true; do echo tick; sleep 0.05; done'], {
      signal: ac.signal,
      onLine: (l) => {
        lines.push(l);
        if (lines.length === 3) ac.abort();
      },
    });
    await expect(stream).rejects.toMatchObject({ name: 'AbortError' });
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it('opens a pty that echoes, resizes and exits', async () => {
    const pty = await getHost().pty({ cols: 80, rows: 24, argv: ['sh'] });
    let out = '';
    pty.onData((d) => (out += d));
    const exited = new Promise<number>((resolve) => pty.onExit(resolve));
    pty.resize(100, 40);
    pty.write('stty size; echo "mark-$((40+2))"; exit 5\n');
    expect(await exited).toBe(5);
    expect(out).toContain('40 100');
    expect(out).toContain('mark-42');
  });

  it("holds a pty's program back while paused, and lets it run on after resume", async () => {
    const pidFile = `${scratchDir()}/pty-${Date.now()}.pid`;
    const pty = await getHost().pty({ cols: 80, rows: 24, argv: ['sh', '-c', `echo $$ > ${pidFile}; exec base64 /dev/zero`] });
    let received = 0;
    pty.onData((d) => (received += d.length));
    const exited = new Promise<number>((resolve) => pty.onExit(resolve));
    try {
      await expect.poll(() => received).toBeGreaterThan(0);
      pty.pause();
      const pid = (await getHost().readFile(pidFile)).toString().trim();
      // Blocked on a full terminal, base64 writes no more: its byte count stays put.
      const written = async () => /wchar: (\d+)/.exec((await getHost().readFile(`/proc/${pid}/io`)).toString())![1]!;
      const readings: string[] = [];
      await expect.poll(async () => readings.push(await written()) >= 3 && new Set(readings.slice(-3)).size === 1).toBe(true);
      const whilePaused = received;
      await written();
      // What was already under way still arrives: the terminal's buffer and, over SSH, the window.
      expect(received - whilePaused).toBeLessThan(4 * 1024 * 1024);
      pty.resume();
      await expect.poll(() => received).toBeGreaterThan(whilePaused + 4 * 1024 * 1024);
    } finally {
      pty.kill();
    }
    await exited;
  });

  it('writes files atomically with a mode, and reads them back', async () => {
    const file = `${scratchDir()}/written-${Date.now()}.txt`;
    await getHost().writeFile(file, 'first');
    await getHost().writeFile(file, 'second version', { mode: 0o600 });
    expect((await getHost().readFile(file)).toString()).toBe('second version');
    expect((await getHost().run(['stat', '-c', '%a', file])).stdout.trim()).toBe('600');
    const leftovers = await getHost().run(['sh', '-c', `ls -A ${scratchDir()} | grep -c aura- || true`]);
    expect(leftovers.stdout.trim()).toBe('0');
  });

  it("reads the kernel's files (procfs, read in a different way locally) like any other", async () => {
    const { stdout } = await getHost().run(['cat', '/proc/version']);
    expect((await getHost().readFile('/proc/version')).toString()).toBe(stdout);
    expect((await getHost().readFile('/proc/./sys/../version')).toString()).toBe(stdout);
    await expect(getHost().readFile('/proc/0/stat')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
  });

  it("lists a folder, and the kernel's", async () => {
    const dir = `${scratchDir()}/listed-${Date.now()}`;
    await getHost().run(['mkdir', dir]);
    await getHost().writeFile(`${dir}/a.txt`, 'a');
    await getHost().writeFile(`${dir}/b c.txt`, 'b');
    expect((await getHost().readDir(dir)).sort()).toEqual(['a.txt', 'b c.txt']);
    expect(await getHost().readDir('/proc')).toEqual(expect.arrayContaining(['1', 'self', 'stat']));
    await expect(getHost().readDir('/nonexistent/aura')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
  });

  it('says which file is missing', async () => {
    await expect(getHost().readFile('/nonexistent/aura.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
    await expect(getHost().writeFile('/nonexistent/dir/aura.txt', 'x')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    // A path that goes through a file (ENOTDIR) is missing too, on every host alike.
    await expect(getHost().readFile('/etc/hostname/aura.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
    await expect(getHost().readDir('/etc/hostname')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
  });

  describe('dial', () => {
    let echo: { close(): Promise<void> } | undefined;
    const socketPath = () => `${scratchDir()}/echo.sock`;
    const dial = (target: DialTarget, signal?: AbortSignal) => getHost().dial(target, { signal });
    /** The pid that `sh -c 'echo $$; exec …'` printed first. */
    const pidOf = async (out: ReturnType<typeof collect>) => Number((await out.seen('\n')).trim());
    /** Whether the process still exists (kill -0 only checks). */
    const isRunning = async (pid: number) => (await getHost().run(['kill', '-0', String(pid)])).exitCode === 0;

    beforeAll(async () => {
      echo = await echoSocket(socketPath());
    });
    afterAll(async () => {
      await echo?.close();
    });

    it('talks to a unix socket on the host, both ways and half-closed', async () => {
      const stream = await dial({ unixSocket: socketPath() });
      const out = collect(stream);
      stream.write('ping\n');
      expect(await out.seen('ping\n')).toBe('ping\n');
      stream.end('pong');
      expect(await out.ended).toBe('ping\npong');
      await out.closed;
    });

    it("talks to a command's stdin and stdout", async () => {
      const stream = await dial({ argv: ['cat'] });
      const out = collect(stream);
      stream.write('one ');
      expect(await out.seen('one ')).toBe('one ');
      stream.end('two');
      expect(await out.ended).toBe('one two');
      await out.closed;
    });

    it('carries megabytes of binary data both ways, intact', async () => {
      const data = randomBytes(4 * 1024 * 1024);
      for (const target of [{ argv: ['cat'] }, { unixSocket: socketPath() }]) {
        const stream = await dial(target);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        const ended = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
        stream.end(data);
        await ended;
        expect(Buffer.concat(chunks).equals(data)).toBe(true);
      }
    });

    it('ends the stream when the command exits', async () => {
      const out = collect(await dial({ argv: ['sh', '-c', 'printf hi'] }));
      expect(await out.ended).toBe('hi');
      await out.closed;
    });

    it('passes hostile arguments literally, never to a shell', async () => {
      const quoted = collect(await dial({ argv: ['printf', '%s', "a'b'c;touch /tmp/aura-pwned"] }));
      expect(await quoted.ended).toBe("a'b'c;touch /tmp/aura-pwned");
      const all = collect(await dial({ argv: ['printf', '%s\\0', ...HOSTILE_ARGS] }));
      expect((await all.ended).split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
      expect((await getHost().run(['test', '-e', PWNED])).exitCode).toBe(1);
    });

    it('runs the command as root with sudo', async () => {
      expect(await collect(await dial({ argv: ['id', '-u'], sudo: true })).ended).toBe('0\n');
    });

    it('fails the stream of a command that exits non-zero or does not exist, quoting its stderr', async () => {
      const failed = collect(await dial({ argv: ['sh', '-c', 'printf partial; echo broken >&2; exit 3'] }));
      await expect(failed.ended).rejects.toMatchObject({ status: 502, message: expect.stringMatching(/code 3: broken/) });
      await failed.closed;
      const missing = collect(await dial({ argv: ['aura-no-such-program'] }));
      await expect(missing.ended).rejects.toMatchObject({ status: 502, message: expect.stringMatching(/code 127.*not found/) });
    });

    it('says which socket is missing, and which path is no listening socket', async () => {
      const missing = `${scratchDir()}/no-such.sock`;
      await expect(dial({ unixSocket: missing })).rejects.toMatchObject({
        code: 'FILE_NOT_FOUND',
        status: 404,
        message: `No such socket: ${missing}`,
      });
      await expect(dial({ unixSocket: '/nonexistent/dir/aura.sock' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      const plain = `${scratchDir()}/plain-file`;
      writeFileSync(plain, 'not a socket');
      chmodSync(plain, 0o666);
      await expect(dial({ unixSocket: plain })).rejects.toMatchObject({
        status: 502,
        message: expect.stringContaining(`Cannot connect to ${plain}`),
      });
    });

    it('rejects a target that is neither or both, or a relative socket path', async () => {
      await expect(dial({} as DialTarget)).rejects.toMatchObject({ code: 'INVALID_COMMAND', status: 400 });
      await expect(dial({ unixSocket: socketPath(), argv: ['cat'] } as DialTarget)).rejects.toMatchObject({
        code: 'INVALID_COMMAND',
      });
      await expect(dial({ unixSocket: 'echo.sock' })).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
      await expect(dial({ argv: [] })).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
    });

    it('kills the command when the stream is destroyed, then closes', async () => {
      // sleep never reads its stdin: only a kill ends it.
      const stream = await dial({ argv: ['sh', '-c', 'echo $$; exec sleep 1000'] });
      const out = collect(stream);
      const pid = await pidOf(out);
      expect(await isRunning(pid)).toBe(true);
      stream.destroy();
      await out.closed;
      expect(await isRunning(pid)).toBe(false);
    });

    it('kills the command when the signal aborts', async () => {
      const ac = new AbortController();
      const stream = await dial({ argv: ['sh', '-c', 'echo $$; exec sleep 1000'] }, ac.signal);
      const out = collect(stream);
      const pid = await pidOf(out);
      ac.abort();
      await expect(out.ended).rejects.toMatchObject({ name: 'AbortError' });
      await out.closed;
      expect(await isRunning(pid)).toBe(false);
      await expect(dial({ argv: ['cat'] }, ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('closes a socket stream when the signal aborts', async () => {
      const ac = new AbortController();
      const out = collect(await dial({ unixSocket: socketPath() }, ac.signal));
      ac.abort();
      await expect(out.ended).rejects.toMatchObject({ name: 'AbortError' });
      await out.closed;
    });
  });
}
