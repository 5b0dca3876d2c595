import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { commandsConfig, type CommandTool } from './config.ts';
import { commandLine, fillArgv, paramsSchema } from './params.ts';

const toolOf = (tool: Record<string, unknown>): CommandTool =>
  commandsConfig.parse({ tools: [{ id: 't', title: 'T', description: 'D.', ...tool }] }).tools[0]!;

/** One `path: message` per issue, or the parsed values. */
const parse = (tool: CommandTool, values: unknown) => {
  const r = paramsSchema(tool).safeParse(values);
  return r.success ? r.data : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('paramsSchema', () => {
  const disk = toolOf({
    argv: ['df', '-h', '{path}'],
    params: { path: { pattern: '/[a-z/]*', default: '/', description: 'A mount point' } },
  });
  const grep = toolOf({
    argv: ['grep', '{expr}', '{file}'],
    params: { expr: { pattern: '.*' }, file: { pattern: '[\\s\\S]*', allowLeadingDash: true } },
  });

  it('takes values matching the whole pattern, and fills in defaults', () => {
    expect(parse(disk, { path: '/var/log' })).toEqual({ path: '/var/log' });
    expect(parse(disk, {})).toEqual({ path: '/' });
    expect(parse(grep, { expr: 'a b; c', file: '-' })).toEqual({ expr: 'a b; c', file: '-' });
  });

  it('refuses a value that does not match with one message, naming the pattern', () => {
    expect(parse(disk, { path: 'x/tmp' })).toEqual(['path: must match /[a-z/]*']);
    expect(parse(disk, { path: '/tmp; id' })).toEqual(['path: must match /[a-z/]*']);
    expect(parse(disk, { path: '-/tmp' })).toEqual(['path: must match /[a-z/]*']);
  });

  it('refuses a leading dash where the pattern allows one, unless the parameter allows it', () => {
    expect(parse(grep, { expr: '--help', file: 'x' })).toEqual(['expr: must not start with "-" (it would be read as an option)']);
    expect(parse(grep, { expr: '-e', file: 'x' })).toEqual(['expr: must not start with "-" (it would be read as an option)']);
    expect(parse(grep, { expr: 'a-b', file: '--output=/etc/passwd' })).toEqual({
      expr: 'a-b',
      file: '--output=/etc/passwd',
    });
  });

  it('refuses control characters whatever the pattern allows', () => {
    for (const file of ['a\nb', 'a\tb', 'a\0', '\r', 'a\x1b[31m', 'a\x7f'])
      expect(parse(grep, { expr: 'x', file })).toEqual(['file: must not contain control characters (newlines, tabs, NUL)']);
    expect(parse(grep, { expr: 'x', file: 'a b ~ é' })).toEqual({ expr: 'x', file: 'a b ~ é' });
  });

  it('issues its own refusals as custom issues', () => {
    expect(paramsSchema(grep).safeParse({ expr: '-x', file: 'x' }).error?.issues).toEqual([
      { code: 'custom', path: ['expr'], message: 'must not start with "-" (it would be read as an option)' },
    ]);
  });

  it('refuses missing, unknown, overlong and non-string values', () => {
    expect(parse(grep, { file: 'x' })).toEqual(['expr: Invalid input: expected string, received undefined']);
    expect(parse(disk, { path: '/', extra: 'x' })).toEqual([': Unrecognized key: "extra"']);
    expect(parse(grep, { expr: 'x'.repeat(1024), file: 'x' })).toEqual({ expr: 'x'.repeat(1024), file: 'x' });
    expect(parse(grep, { expr: 'x'.repeat(1025), file: 'x' })).toEqual([
      'expr: Too big: expected string to have <=1024 characters',
    ]);
    expect(parse(disk, { path: 42 })).toEqual(['path: Invalid input: expected string, received number']);
  });

  it('publishes the anchored pattern, the default and the description as JSON schema', () => {
    expect(z.toJSONSchema(paramsSchema(disk), { io: 'input' }).properties).toEqual({
      path: { type: 'string', maxLength: 1024, pattern: '^(?:\\/[a-z/]*)$', default: '/', description: 'A mount point' },
    });
    const schema = z.toJSONSchema(paramsSchema(grep), { io: 'input' });
    expect(schema.properties!.expr).toEqual({ type: 'string', maxLength: 1024, pattern: '^(?:.*)$' });
    expect(schema.required).toEqual(['expr', 'file']);
  });
});

describe('fillArgv', () => {
  it('puts each value in its own element, whole, and leaves other elements alone', () => {
    const tool = toolOf({
      argv: ['find', '{dir}', '-name', '{name}', '-exec', 'ls', '{}', ';', '{print $1}'],
      params: { dir: { pattern: '.*' }, name: { pattern: '.*' } },
    });
    expect(fillArgv(tool, { dir: '/var/log', name: '*.log; rm -rf /' })).toEqual([
      'find',
      '/var/log',
      '-name',
      '*.log; rm -rf /',
      '-exec',
      'ls',
      '{}',
      ';',
      '{print $1}',
    ]);
  });
});

describe('commandLine', () => {
  it('quotes only the words that need it', () => {
    expect(commandLine(['df', '-h', '/var/log', 'a_b@c%d+e=f:g,h.i/{j}-k'])).toBe('df -h /var/log a_b@c%d+e=f:g,h.i/{j}-k');
    expect(commandLine(['sh', '-c', 'echo started; exec sleep 60'])).toBe("sh -c 'echo started; exec sleep 60'");
    expect(commandLine(['echo', "it's", '', 'a$b', '*', ' x', 'x '])).toBe(`echo 'it'\\''s' '' 'a$b' '*' ' x' 'x '`);
  });
});
