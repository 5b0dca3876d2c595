import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host, RunOptions } from '../../core/index.ts';
import { realLocalHost, startPluginTest, type As, type PluginTest } from '../../test/kit/index.ts';
import exec from './index.ts';

type Result = { stdout: string; stderr: string; exitCode: number | null; durationMs: number; truncated: boolean };
type Answer = Result & { code?: string; detail?: string; issues?: { path: string }[] };
type Entry = { command: string; exitCode: number | null; at: string; durationMs: number };

/** Every line that contains it is hostile: the test host refuses to run it, whatever the guard says. */
const HOSTILE = 'touch MARK';

/**
 * This machine, with every line handed to `sh -c` recorded, and hostile ones never run: if the
 * guard rail ever let one through, the test fails instead of the machine.
 */
function watchedLocalHost(): Host & { lines: string[] } {
  const host = realLocalHost();
  const lines: string[] = [];
  return Object.assign(Object.create(host) as Host, {
    lines,
    run: (argv: string[], opts?: RunOptions) => {
      lines.push(argv[2] ?? '');
      if (argv.some((a) => a.includes(HOSTILE))) return Promise.reject(new Error(`the guard let through: ${argv.join(' ')}`));
      return host.run(argv, opts);
    },
  });
}

/** Whether a process is still there: a zombie (dead, not yet reaped by whoever adopted it) is not. */
const alive = (pid: string) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const OPS = { username: 'ops@example.org', role: 'admin' as const, provider: 'google' as const };

describe('exec on this machine', () => {
  let kit: PluginTest;
  let local: ReturnType<typeof watchedLocalHost>;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aura-exec-'));

  const run = async (command: unknown, extra: Record<string, unknown> = {}, as?: As, t = kit, server = 'local') => {
    const res = await t.request(`/api/servers/${server}/exec`, { method: 'POST', json: { command, ...extra }, as });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const history = async (t = kit, server = 'local') =>
    (await (await t.request(`/api/servers/${server}/exec/history`)).json()) as Entry[];

  beforeAll(async () => {
    local = watchedLocalHost();
    kit = await startPluginTest({
      plugins: [exec],
      hosts: { local, box: realLocalHost() },
      settings: { exec: { maxOutputKb: 4, maxTimeoutSeconds: 120 } },
    });
  });
  afterAll(async () => {
    await kit?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a shell line and answers its output, errors, exit code and duration', async () => {
    const { status, body } = await run('echo "out $((6*7))"; echo oops >&2; exit 3');
    expect(status).toBe(200);
    expect(body).toEqual({ stdout: 'out 42\n', stderr: 'oops\n', exitCode: 3, truncated: false, durationMs: expect.any(Number) });
    expect(local.lines.at(-1)).toBe('echo "out $((6*7))"; echo oops >&2; exit 3'); // one argv word: sh -c <line>
    expect((await run('true')).body).toMatchObject({ stdout: '', stderr: '', exitCode: 0 });
    expect((await run('exit 255')).body.exitCode).toBe(255);
  });

  it('cuts each stream at maxOutputKb and says so', async () => {
    const { status, body } = await run('head -c 10000 /dev/zero | tr "\\0" x; head -c 9000 /dev/zero | tr "\\0" y >&2');
    expect(status).toBe(200);
    expect(body.stdout).toBe('x'.repeat(4096));
    expect(body.stderr).toBe('y'.repeat(4096));
    expect(body.truncated).toBe(true);
    expect((await run('head -c 4096 /dev/zero | tr "\\0" x')).body).toMatchObject({ truncated: false });
  });

  it('stops a command at its timeout with everything it started, and answers 504 with the output so far', async () => {
    const pidFile = path.join(scratch, 'child.pid');
    const { status, body } = await run(`echo started; echo warned >&2; sleep 60 & echo $! > ${pidFile}; wait`, {
      timeoutSeconds: 1,
    });
    expect(status).toBe(504);
    expect(body).toEqual({
      code: 'COMMAND_TIMEOUT',
      detail: 'The command ran past 1 s and was stopped, with everything it started.',
      stdout: 'started\n',
      stderr: 'warned\n',
      exitCode: null,
      truncated: false,
      durationMs: expect.any(Number),
    });
    expect(body.durationMs).toBeGreaterThanOrEqual(1000);
    // The background sleep was in the command's process group: it goes too.
    const pid = readFileSync(pidFile, 'utf8').trim();
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    expect((await history())[0]).toMatchObject({ command: expect.stringContaining('sleep 60 &'), exitCode: null });
  });

  it.each([
    'rm -rf /',
    'rm  -rf\t/',
    'rm -r -f /*',
    'rm --recursive --force --no-preserve-root /',
    "'rm' -rf '/'",
    'r""m -fr /*',
    'r\\m -rf /',
    '/bin/rm -rf /',
    'sudo  rm  -rf  "/"',
    'sudo -u root rm -rf /',
    'sudo -nu root -- /usr/bin/rm -rf /',
    'FOO="a b" nohup nice -n 5 rm -rf /',
    'sudo -u root reboot',
    'systemctl poweroff',
    'init 0',
    'sh -c "mkfs.ext4 /dev/sda"',
    "bash -lc 'echo; dd if=/dev/zero of=/dev/sda'",
    'eval "shutdown -h now"',
    'echo $(halt)',
    ':(){ :|:& };:',
  ])('refuses %j with 403 COMMAND_DENIED and runs nothing of the line', async (hostile) => {
    const line = `cd ${scratch} && ${HOSTILE}; ${hostile}`;
    const { status, body } = await run(line);
    expect(status).toBe(403);
    expect(body).toEqual({
      code: 'COMMAND_DENIED',
      detail: expect.stringMatching(/^Refused: .*(plugins\.exec\.deny|fork bomb)/),
    });
    expect(local.lines).not.toContain(line);
    expect(existsSync(path.join(scratch, 'MARK'))).toBe(false);
    expect((await history()).some((h) => h.command === line)).toBe(false);
  });

  it('lets look-alikes run', async () => {
    for (const line of ['echo reboot', 'ls / > /dev/null', `rm -rf ${scratch}/nothing-here`, 'grep -c shutdown /dev/null; true'])
      expect((await run(line)).status).toBe(200);
  });

  it('in allow-list mode runs only what is listed, and deny still applies', async () => {
    const strict = await startPluginTest({
      plugins: [exec],
      hosts: { local: watchedLocalHost() },
      settings: { exec: { allow: ['uptime', 'echo [a-z]+', 'reboot'] } },
    });
    try {
      expect((await run('echo hello', {}, 'admin', strict)).body).toMatchObject({ stdout: 'hello\n', exitCode: 0 });
      expect((await run('uptime; echo ok', {}, 'admin', strict)).status).toBe(200);
      for (const line of ['echo hello; id', 'echo Hello', 'echo hello > /tmp/x', 'uptime $(id)', 'sudo uptime']) {
        const refused = await run(line, {}, 'admin', strict);
        expect(refused).toEqual({
          status: 403,
          body: { code: 'COMMAND_DENIED', detail: expect.stringMatching(/is not in plugins\.exec\.allow\.$/) },
        });
      }
      expect((await run('reboot', {}, 'admin', strict)).body).toMatchObject({
        code: 'COMMAND_DENIED',
        detail: expect.stringContaining('plugins.exec.deny'),
      });
    } finally {
      await strict.close();
    }
  });

  it('keeps each user their commands per server, newest first, with exit codes, times and durations', async () => {
    const before = Date.now();
    await run('echo first');
    await run('exit 5');
    await run('echo elsewhere', {}, 'admin', kit, 'box');
    const mine = await history();
    expect(mine.slice(0, 2)).toEqual([
      { command: 'exit 5', exitCode: 5, at: expect.any(String), durationMs: expect.any(Number) },
      { command: 'echo first', exitCode: 0, at: expect.any(String), durationMs: expect.any(Number) },
    ]);
    expect(Date.parse(mine[0]!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(mine[0]!.at).toISOString()).toBe(mine[0]!.at);
    expect(mine.some((h) => h.command === 'echo elsewhere')).toBe(false);
    expect((await history(kit, 'box')).map((h) => h.command)).toEqual(['echo elsewhere']);
  });

  it('keeps at most 100 commands', async () => {
    for (let i = 0; i < 105; i++) await run(`echo ${i}`);
    const kept = await history();
    expect(kept).toHaveLength(100);
    expect(kept[0]!.command).toBe('echo 104');
    expect(kept[99]!.command).toBe('echo 5');
  });

  it('is for admins only: viewers get 403 and strangers 401 on every route, and nothing runs', async () => {
    const ran = local.lines.length;
    for (const [as, status, code] of [
      ['viewer', 403, 'FORBIDDEN'],
      ['stranger', 401, 'UNAUTHENTICATED'],
    ] as const) {
      const post = await run('echo not-for-you', {}, as);
      expect(post).toMatchObject({ status, body: { code } });
      const read = await kit.request('/api/servers/local/exec/history', { as });
      expect(read.status).toBe(status);
      expect(await read.json()).toMatchObject({ code });
    }
    expect(local.lines.length).toBe(ran);
  });

  it('checks its input: 400 VALIDATION_ERROR, nothing run', async () => {
    const ran = local.lines.length;
    for (const [command, extra, field] of [
      ['', {}, 'command'],
      ['   ', {}, 'command'],
      ['\n\t', {}, 'command'],
      ['a\0b', {}, 'command'],
      ['x'.repeat(8193), {}, 'command'],
      [42, {}, 'command'],
      [undefined, {}, 'command'],
      ['id', { timeoutSeconds: 601 }, 'timeoutSeconds'],
      ['id', { timeoutSeconds: 121 }, 'timeoutSeconds'], // over maxTimeoutSeconds here
      ['id', { timeoutSeconds: 0 }, 'timeoutSeconds'],
      ['id', { timeoutSeconds: 1.5 }, 'timeoutSeconds'],
      ['id', { timeoutSeconds: '5' }, 'timeoutSeconds'],
      ['id', { shell: 'bash' }, ''],
    ] as const) {
      const { status, body } = await run(command, extra);
      expect(status).toBe(400);
      expect(body.code).toBe('VALIDATION_ERROR');
      expect(body.issues?.map((i) => i.path)).toContain(field);
    }
    expect(local.lines.length).toBe(ran);
    const longest = `: ${'x'.repeat(8190)}`; // 8192 characters exactly is fine
    expect(await run(longest)).toMatchObject({ status: 200, body: { exitCode: 0 } });
  });

  it('audits each line with its text (cut short, credentials hidden), refused ones too', async () => {
    // A kit of its own: the refusals above have used up this minute's failure entries (20 per user and action).
    const fresh = await startPluginTest({ plugins: [exec], hosts: { local: watchedLocalHost() } });
    try {
      await run('echo audited-line', {}, 'admin', fresh);
      await run(`${HOSTILE}; sudo reboot`, {}, 'admin', fresh);
      await run(`echo ${'y'.repeat(500)}`, {}, 'admin', fresh);
      await run('echo https://ops:hunter2secret@example.invalid/ > /dev/null', {}, 'admin', fresh);
      const entries = (await fresh.audit()).filter((e) => e.action === 'exec.run');
      expect(entries.find((e) => e.target === 'echo audited-line')).toMatchObject({
        user: 'admin',
        result: 'success',
        server: 'local',
      });
      expect(entries.find((e) => e.target === `${HOSTILE}; sudo reboot`)).toMatchObject({ user: 'admin', result: 'failure' });
      expect(entries.find((e) => e.target?.startsWith('echo yyy'))?.target).toHaveLength(300);
      expect(entries.find((e) => e.target?.startsWith('echo https'))?.target).toBe(
        'echo https://ops:[redacted]@example.invalid/ > /dev/null',
      );
      expect(JSON.stringify(entries)).not.toContain('hunter2secret');
    } finally {
      await fresh.close();
    }
  });

  it('offers the agent no exec tool unless agentTool is on, and then a destructive one with the same guard', async () => {
    const tools = async (t: PluginTest) =>
      ((await (await t.request('/api/tools')).json()) as { name: string; destructive: boolean; readOnly: boolean }[]).filter(
        (x) => x.name.startsWith('exec.'),
      );
    expect(await tools(kit)).toEqual([]);
    await expect(kit.tool('exec.run', { command: 'id' })).rejects.toMatchObject({ code: 'TOOL_NOT_FOUND' });

    const host = watchedLocalHost();
    const withTool = await startPluginTest({ plugins: [exec], hosts: { local: host }, settings: { exec: { agentTool: true } } });
    try {
      expect(await tools(withTool)).toEqual([expect.objectContaining({ name: 'exec.run', destructive: true, readOnly: false })]);
      expect(await withTool.tool('exec.run', { serverId: 'local', command: 'echo via-agent; exit 4' })).toEqual({
        stdout: 'via-agent\n',
        stderr: '',
        exitCode: 4,
        truncated: false,
        durationMs: expect.any(Number),
      });
      await expect(withTool.tool('exec.run', { command: `${HOSTILE}; sudo reboot` })).rejects.toMatchObject({
        code: 'COMMAND_DENIED',
      });
      await expect(withTool.tool('exec.run', { command: 'id' }, { as: 'viewer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(withTool.tool('exec.run', { command: '' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(host.lines).toEqual(['echo via-agent; exit 4']);

      // Another admin's commands are theirs: not in the admin's history.
      await withTool.aura.tools.invoke(
        'exec.run',
        { command: 'echo from-ops' },
        { user: OPS, signal: AbortSignal.timeout(10_000) },
      );
      expect((await history(withTool)).map((h) => h.command)).toEqual(['echo via-agent; exit 4']);

      const audit = await withTool.audit();
      expect(audit.find((e) => e.action === 'exec.run' && e.target === 'echo via-agent; exit 4')).toMatchObject({
        user: 'admin',
        server: 'local',
        result: 'success',
        detail: 'exit code 4',
      });
      expect(audit.find((e) => e.action === 'exec.run' && e.target === `${HOSTILE}; sudo reboot`)).toMatchObject({
        result: 'failure',
      });
      expect(audit.find((e) => e.action === 'exec.run' && e.target === 'echo from-ops')).toMatchObject({ user: OPS.username });
      expect(audit.filter((e) => e.action === 'tool.exec.run').length).toBeGreaterThanOrEqual(3);
    } finally {
      await withTool.close();
    }
  });
});
