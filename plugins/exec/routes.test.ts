import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realLocalHost, startPluginTest, type PluginTest } from '../../test/kit/index.ts';
import exec from './index.ts';

type Result = { stdout: string; stderr: string; exitCode: number | null; durationMs: number; truncated: boolean };

const alive = (pid: string) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('exec on this machine', () => {
  let kit: PluginTest;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aura-exec-'));
  const run = async (command: unknown, extra: Record<string, unknown> = {}, as?: 'admin' | 'viewer' | 'stranger', t = kit) => {
    const res = await t.request('/api/servers/local/exec', { method: 'POST', json: { command, ...extra }, as });
    return { status: res.status, body: (await res.json()) as Result & { code?: string; detail?: string } };
  };

  beforeAll(async () => {
    kit = await startPluginTest({ plugins: [exec], hosts: { local: realLocalHost() }, settings: { exec: { maxOutputKb: 4 } } });
  });
  afterAll(async () => {
    await kit?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a shell line and answers its output, errors, exit code and duration', async () => {
    const { status, body } = await run('echo "out $((6*7))"; echo oops >&2; exit 3');
    expect(status).toBe(200);
    expect(body).toEqual({ stdout: 'out 42\n', stderr: 'oops\n', exitCode: 3, truncated: false, durationMs: expect.any(Number) });
  });

  it('cuts output at maxOutputKb and says so', async () => {
    const { body } = await run('head -c 10000 /dev/zero | tr "\\0" x');
    expect(body.stdout).toBe('x'.repeat(4096));
    expect(body.truncated).toBe(true);
  });

  it('stops a command at its timeout with everything it started, and answers 504 with the output so far', async () => {
    const pidFile = path.join(scratch, 'child.pid');
    const { status, body } = await run(`echo started; sleep 60 & echo $! > ${pidFile}; wait`, { timeoutSeconds: 1 });
    expect(status).toBe(504);
    expect(body).toMatchObject({ code: 'COMMAND_TIMEOUT', stdout: 'started\n', exitCode: null, truncated: false });
    const pid = readFileSync(pidFile, 'utf8').trim();
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it.each([
    'rm -rf /',
    'sudo  rm  -rf  "/"',
    "r''m -fr /*",
    'touch MARK; sudo -u root reboot',
    'touch MARK && sh -c "mkfs.ext4 /dev/sda"',
    'touch MARK; :(){ :|:& };:',
  ])('refuses %j with 403 COMMAND_DENIED and runs nothing of it', async (line) => {
    const marker = path.join(scratch, 'MARK');
    const { status, body } = await run(`cd ${scratch}; ${line}`);
    expect(status).toBe(403);
    expect(body.code).toBe('COMMAND_DENIED');
    expect(existsSync(marker)).toBe(false);
  });

  it('in allow-list mode runs only what is listed', async () => {
    const strict = await startPluginTest({
      plugins: [exec],
      hosts: { local: realLocalHost() },
      settings: { exec: { allow: ['uptime', 'echo [a-z]+'] } },
    });
    try {
      expect((await run('echo hello', {}, 'admin', strict)).status).toBe(200);
      expect((await run('uptime; echo ok', {}, 'admin', strict)).status).toBe(200);
      const refused = await run('echo hello; id', {}, 'admin', strict);
      expect(refused).toMatchObject({ status: 403, body: { code: 'COMMAND_DENIED' } });
      expect(refused.body.detail).toContain('plugins.exec.allow');
    } finally {
      await strict.close();
    }
  });

  it('keeps each user their last commands, newest first, with exit codes', async () => {
    await run('echo first');
    await run('exit 5');
    const res = await kit.request('/api/servers/local/exec/history');
    const history = (await res.json()) as { command: string; exitCode: number | null }[];
    expect(history.slice(0, 2)).toEqual([
      expect.objectContaining({ command: 'exit 5', exitCode: 5 }),
      expect.objectContaining({ command: 'echo first', exitCode: 0 }),
    ]);
    expect(history.some((h) => h.command.includes('rm -rf'))).toBe(false);
  });

  it('keeps at most 100 commands', async () => {
    for (let i = 0; i < 105; i++) await run(`echo ${i}`);
    const history = (await (await kit.request('/api/servers/local/exec/history')).json()) as { command: string }[];
    expect(history).toHaveLength(100);
    expect(history[0]!.command).toBe('echo 104');
  });

  it('is for admins only, audited with the command, and checks its input', async () => {
    expect((await run('id', {}, 'viewer')).status).toBe(403);
    expect((await kit.request('/api/servers/local/exec/history', { as: 'viewer' })).status).toBe(403);
    expect((await run('id', {}, 'stranger')).status).toBe(401);
    for (const [command, extra] of [
      ['', {}],
      ['   ', {}],
      ['a\0b', {}],
      ['x'.repeat(8193), {}],
      [42, {}],
      ['id', { timeoutSeconds: 601 }],
      ['id', { timeoutSeconds: 0 }],
      ['id', { shell: 'bash' }],
    ] as const)
      expect((await run(command, extra)).body.code).toBe('VALIDATION_ERROR');
    await run('echo audited-line');
    const entry = (await kit.audit()).find((e) => e.action === 'exec.run' && e.target === 'echo audited-line');
    expect(entry).toMatchObject({ user: 'admin', result: 'success', server: 'local' });
  });

  it('offers the agent no exec tool unless agentTool is on, and then a destructive one', async () => {
    const names = async (t: PluginTest) =>
      ((await (await t.request('/api/tools')).json()) as { name: string; destructive?: boolean }[]).filter((x) =>
        x.name.startsWith('exec.'),
      );
    expect(await names(kit)).toEqual([]);
    const withTool = await startPluginTest({
      plugins: [exec],
      hosts: { local: realLocalHost() },
      settings: { exec: { agentTool: true } },
    });
    try {
      expect(await names(withTool)).toEqual([expect.objectContaining({ name: 'exec.run', destructive: true })]);
      expect(await withTool.tool('exec.run', { serverId: 'local', command: 'echo via-agent' })).toMatchObject({
        stdout: 'via-agent\n',
        exitCode: 0,
      });
      await expect(withTool.tool('exec.run', { serverId: 'local', command: 'sudo reboot' })).rejects.toMatchObject({
        code: 'COMMAND_DENIED',
      });
    } finally {
      await withTool.close();
    }
  });
});
