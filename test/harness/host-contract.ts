import { expect, it } from 'vitest';
import type { Host } from '../../core/hosts/host.ts';

/** Arguments a shell would act on; every host must hand them to the program literally. */
export const HOSTILE_ARGS = [
  '; touch /tmp/aura-pwned',
  '$(touch /tmp/aura-pwned)',
  '`touch /tmp/aura-pwned`',
  'a\nb; touch /tmp/aura-pwned',
  "it's",
  '-rf',
  '--help',
  '*',
  '',
  ' spaced  out ',
  '"quoted"',
  '\\',
];

/**
 * The behaviour every Host kind shares, run against each of them: the proof that a plugin
 * need not know whether it talks to this machine or to an SSH server.
 */
export function hostContract(getHost: () => Host, scratchDir: () => string): void {
  it('runs argv and reports stdout, stderr and the exit code', async () => {
    const r = await getHost().run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
  });

  it('passes hostile arguments literally, never to a shell', async () => {
    const r = await getHost().run(['printf', '%s\\0', ...HOSTILE_ARGS]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
    const marker = await getHost().run(['test', '-e', '/tmp/aura-pwned']);
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

  it('stops a command at its timeout, with everything it started', async () => {
    const marker = `${scratchDir()}/timeout-${Date.now()}`;
    await expect(getHost().run(['sh', '-c', `sleep 2 && touch ${marker}`], { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'COMMAND_TIMEOUT',
      status: 504,
    });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await getHost().run(['test', '-e', marker])).toEqual({ stdout: '', stderr: '', exitCode: 1 });
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
    await new Promise((r) => setTimeout(r, 100));
    pty.write('stty size; echo "mark-$((40+2))"; exit 5\n');
    expect(await exited).toBe(5);
    expect(out).toContain('40 100');
    expect(out).toContain('mark-42');
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

  it('says which file is missing', async () => {
    await expect(getHost().readFile('/nonexistent/aura.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
    await expect(getHost().writeFile('/nonexistent/dir/aura.txt', 'x')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
}
