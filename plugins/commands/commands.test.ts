import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeHost, realLocalHost, startPluginTest, type As, type FakeHost, type PluginTest } from '../../test/kit/index.ts';
import commands from './index.ts';

const TOOLS = [
  {
    id: 'disk',
    title: 'Disk use',
    description: 'How full a filesystem is.',
    argv: ['df', '-h', '{path}'],
    params: { path: { pattern: '/[a-z/]*', default: '/', description: 'A mount point' } },
    readOnly: true,
  },
  {
    id: 'rotate',
    title: 'Rotate logs',
    description: 'Rotates one app’s logs now.',
    argv: ['logrotate', '-f', '{conf}', '--state', '{state}'],
    params: {
      conf: { pattern: '/etc/logrotate\\.d/[a-z]+' },
      state: { pattern: '/var/lib/[a-z/]+', default: '/var/lib/logrotate/status' },
    },
    servers: ['local'],
    sudo: true,
    timeoutSeconds: 45,
  },
];
const DF = 'Filesystem Size Used Avail Use% Mounted on\n/dev/sda1 40G 12G 26G 32% /\n';

describe('commands: tools from the config', () => {
  let kit: PluginTest;
  let local: FakeHost;
  let box: FakeHost;
  const run = async (id: string, body: unknown, as?: As, server = 'local') => {
    const res = await kit.request(`/api/servers/${server}/commands/${id}/run`, { method: 'POST', json: body, as });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    local = fakeHost({
      'df -h /': { stdout: DF },
      'df -h /var': { stdout: '', stderr: 'df: /var: No such file or directory\n', exitCode: 1 },
      'logrotate -f /etc/logrotate.d/web --state /var/lib/logrotate/status': { stdout: 'rotated\n' },
    });
    box = fakeHost({ 'df -h /': { stdout: DF } }, { id: 'box' });
    kit = await startPluginTest({
      plugins: [commands],
      hosts: { local, box },
      settings: { commands: { tools: TOOLS, maxOutputKb: 8 } },
    });
  });
  afterAll(() => kit?.close());

  it('lists the tools offered on each server, with their parameters', async () => {
    const list = async (server: string, as?: As) =>
      (await (await kit.request(`/api/servers/${server}/commands`, { as })).json()) as { id: string }[];
    expect(await list('local', 'viewer')).toEqual([
      {
        id: 'disk',
        title: 'Disk use',
        description: 'How full a filesystem is.',
        argv: ['df', '-h', '{path}'],
        command: 'df -h {path}',
        params: { path: { pattern: '/[a-z/]*', default: '/', description: 'A mount point', allowLeadingDash: false } },
        readOnly: true,
        sudo: false,
        timeoutSeconds: 30,
      },
      expect.objectContaining({ id: 'rotate', readOnly: false, sudo: true, timeoutSeconds: 45 }),
    ]);
    expect((await list('box')).map((t) => t.id)).toEqual(['disk']);
  });

  it('runs the argv with each value as one whole argument, and answers output, exit code and duration', async () => {
    const { status, body } = await run('disk', { params: { path: '/' } });
    expect(status).toBe(200);
    expect(body).toEqual({ stdout: DF, stderr: '', exitCode: 0, truncated: false, durationMs: expect.any(Number) });
    expect(local.calls.at(-1)).toMatchObject({
      argv: ['df', '-h', '/'],
      opts: { sudo: false, timeoutMs: 30_000, maxOutputBytes: 8192 },
    });
    // A failing command is an answer, not an error.
    expect((await run('disk', { params: { path: '/var' } })).body).toMatchObject({
      exitCode: 1,
      stderr: 'df: /var: No such file or directory\n',
    });
    // Defaults fill what the caller leaves out, with or without a params object.
    expect((await run('disk', {})).body.stdout).toBe(DF);
    expect((await run('rotate', { params: { conf: '/etc/logrotate.d/web' } })).body.stdout).toBe('rotated\n');
    expect(local.calls.at(-1)).toMatchObject({
      argv: ['logrotate', '-f', '/etc/logrotate.d/web', '--state', '/var/lib/logrotate/status'],
      opts: { sudo: true, timeoutMs: 45_000 },
    });
  });

  it.each([
    ['a shell separator', '/; id'],
    ['a command substitution', '/$(id)'],
    ['an option', '--help'],
    ['a newline', '/tmp\n/etc'],
    ['a NUL byte', '/tmp\0'],
    ['a partial match', 'x/tmp'],
    ['an array', ['/tmp']],
    ['an object', { toString: '/tmp' }],
    ['a number', 42],
    ['null', null],
  ])('refuses %s as a value with 400 naming the parameter, and runs nothing', async (_, value) => {
    const before = local.calls.length;
    const { status, body } = await run('disk', { params: { path: value } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_ERROR', detail: expect.stringMatching(/^Invalid input: params\.path: /) });
    expect(local.calls.length).toBe(before);
  });

  it('refuses unknown parameters, a missing required one and a malformed body', async () => {
    const before = local.calls.length;
    expect((await run('disk', { params: { path: '/', extra: 'x' } })).body.code).toBe('VALIDATION_ERROR');
    const missing = await run('rotate', { params: {} });
    expect(missing.body).toMatchObject({ code: 'VALIDATION_ERROR', detail: expect.stringContaining('params.conf') });
    expect((await run('disk', { params: '/' })).status).toBe(400);
    expect((await run('disk', { path: '/' })).status).toBe(400);
    expect(local.calls.length).toBe(before);
  });

  it('answers 404 for a tool that does not exist or is not offered on the server', async () => {
    expect(await run('nope', {})).toMatchObject({
      status: 404,
      body: { code: 'COMMAND_NOT_FOUND', detail: 'No tool "nope" in plugins.commands.tools.' },
    });
    const before = box.calls.length;
    expect(await run('rotate', { params: { conf: '/etc/logrotate.d/web' } }, 'admin', 'box')).toMatchObject({
      status: 404,
      body: { code: 'COMMAND_NOT_FOUND', detail: '"rotate" is not offered on box; it runs on local.' },
    });
    expect(box.calls.length).toBe(before);
  });

  it('lets viewers run read-only tools only, and audits every run with what it ran', async () => {
    expect((await run('disk', {}, 'viewer')).status).toBe(200);
    const before = local.calls.length;
    expect(await run('rotate', { params: { conf: '/etc/logrotate.d/web' } }, 'viewer')).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect(local.calls.length).toBe(before);
    expect((await run('rotate', { params: { conf: '/etc/logrotate.d/web' } })).status).toBe(200);
    const [ran, refused] = await kit.audit();
    expect(ran).toMatchObject({
      user: 'admin',
      server: 'local',
      action: 'commands.run',
      target: 'rotate: logrotate -f /etc/logrotate.d/web --state /var/lib/logrotate/status',
      result: 'success',
    });
    expect(refused).toMatchObject({ user: 'viewer@example.org', action: 'commands.run', target: 'rotate', result: 'failure' });
  });

  it('answers who may run what before it reads the body: 403 and 404 whatever was sent, each audited', async () => {
    const before = local.calls.length;
    expect(await run('rotate', { params: 'not an object' }, 'viewer')).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect(await run('nope', { params: 'not an object' })).toMatchObject({ status: 404, body: { code: 'COMMAND_NOT_FOUND' } });
    expect(local.calls.length).toBe(before);
    expect(await kit.audit()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user: 'viewer@example.org', action: 'commands.run', target: 'rotate', result: 'failure' }),
        expect.objectContaining({ user: 'admin', action: 'commands.run', target: 'nope', result: 'failure' }),
      ]),
    );
  });

  it('offers each tool to the agent with its parameters as the schema, read-only or needing approval', async () => {
    const tools = (await (await kit.request('/api/tools')).json()) as {
      name: string;
      readOnly: boolean;
      destructive: boolean;
      inputSchema: { properties: Record<string, unknown>; required?: string[] };
    }[];
    const disk = tools.find((t) => t.name === 'commands.disk')!;
    expect(disk).toMatchObject({ readOnly: true, destructive: false });
    const path = disk.inputSchema.properties.path as { pattern: string };
    expect(path).toMatchObject({ type: 'string', default: '/', description: 'A mount point' });
    // The pattern as the route enforces it: anchored.
    expect(['/var', 'x/var', '/var; id'].map((v) => new RegExp(path.pattern).test(v))).toEqual([true, false, false]);
    const rotate = tools.find((t) => t.name === 'commands.rotate')!;
    expect(rotate).toMatchObject({ readOnly: false, destructive: true });
    expect(rotate.inputSchema.required).toContain('conf');

    expect(await kit.tool('commands.disk', { path: '/', serverId: 'box' }, { as: 'viewer' })).toMatchObject({
      stdout: DF,
      exitCode: 0,
    });
    await expect(kit.tool('commands.disk', { path: '$(id)' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(kit.tool('commands.rotate', { conf: '/etc/logrotate.d/web', serverId: 'box' })).rejects.toMatchObject({
      code: 'COMMAND_NOT_FOUND',
    });
    await expect(kit.tool('commands.rotate', { conf: '/etc/logrotate.d/web' }, { as: 'viewer' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await kit.tool('commands.rotate', { conf: '/etc/logrotate.d/web' });
    expect((await kit.audit())[0]).toMatchObject({ action: 'tool.commands.rotate', server: 'local', result: 'success' });
  });
});

describe('commands on this machine', () => {
  let kit: PluginTest | undefined;
  afterAll(() => kit?.close());

  it('stops a tool at its timeout with what it printed, and cuts long output', async () => {
    kit = await startPluginTest({
      plugins: [commands],
      hosts: { local: realLocalHost() },
      settings: {
        commands: {
          maxOutputKb: 1,
          tools: [
            // The script is the config's own, fixed: no value reaches the shell.
            {
              id: 'hang',
              title: 'Hang',
              description: 'Never ends.',
              argv: ['sh', '-c', 'echo started; exec sleep 60'],
              timeoutSeconds: 1,
            },
            {
              id: 'zeros',
              title: 'Zeros',
              description: 'Prints a lot.',
              argv: ['head', '-c', '{n}', '/dev/zero'],
              params: { n: { pattern: '[0-9]{1,6}' } },
              readOnly: true,
            },
          ],
        },
      },
    });
    const hang = await kit.request('/api/servers/local/commands/hang/run', { method: 'POST', json: {} });
    expect(hang.status).toBe(504);
    expect(await hang.json()).toMatchObject({
      code: 'COMMAND_TIMEOUT',
      stdout: 'started\n',
      exitCode: null,
      durationMs: expect.any(Number),
    });
    // The audit says what ran as a person would type it.
    expect((await kit.audit())[0]).toMatchObject({ target: "hang: sh -c 'echo started; exec sleep 60'", result: 'failure' });
    const zeros = await kit.request('/api/servers/local/commands/zeros/run', { method: 'POST', json: { params: { n: '5000' } } });
    expect(await zeros.json()).toMatchObject({ exitCode: 0, truncated: true, stdout: '\0'.repeat(1024) });
  });

  it('does not start with a tool offered on a server that is not configured', async () => {
    await kit?.close();
    kit = await startPluginTest({
      plugins: [commands],
      hosts: { local: fakeHost() },
      settings: {
        commands: { tools: [{ id: 'up', title: 'Up', description: 'Uptime.', argv: ['uptime'], servers: ['local', 'web-1'] }] },
      },
    });
    const plugins = (await (await kit.request('/api/plugins')).json()) as { id: string; state: string; error: string }[];
    expect(plugins.find((p) => p.id === 'commands')).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('plugins.commands.tools.0.servers: no server "web-1"'),
    });
  });
});
