import { describe, expect, it } from 'vitest';
import { anchored, commandsConfig, valueProblem } from './config.ts';

const problems = (tool: Record<string, unknown>) => {
  const r = commandsConfig.safeParse({ tools: [{ id: 'disk', title: 'Disk', description: 'Disk use.', ...tool }] });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('plugins.commands.tools', () => {
  it('takes a tool whose parameters fill whole argv elements', () => {
    expect(problems({ argv: ['df', '-h', '{path}'], params: { path: { pattern: '/[a-z/]*', default: '/' } } })).toEqual([]);
    // Braces that are not a placeholder stay literal: find's {} and awk programs.
    expect(problems({ argv: ['find', '/tmp', '-exec', 'ls', '{}', ';'] })).toEqual([]);
    expect(problems({ argv: ['awk', '{print $1}', '/etc/hostname'] })).toEqual([]);
  });

  it('refuses a parameter inside an element, as the program, unknown or unused', () => {
    expect(problems({ argv: ['du', '--max-depth={depth}'], params: { depth: { pattern: '[0-9]' } } })).toEqual([
      'tools.0.argv.1: a parameter must be a whole argv element ("{name}"), never part of one: --max-depth={depth}',
      'tools.0.params.depth: is not used in argv',
    ]);
    expect(problems({ argv: ['{prog}'], params: { prog: { pattern: '[a-z]+' } } })).toEqual([
      'tools.0.argv.0: the program must be fixed, not a parameter',
    ]);
    expect(problems({ argv: ['ls', '{dir}'] })).toEqual(['tools.0.argv.1: no parameter "dir" in params']);
  });

  it('refuses defaults that their own rules would refuse, and patterns that are not regular expressions', () => {
    const p = (spec: Record<string, unknown>) => problems({ argv: ['ls', '{dir}'], params: { dir: spec } });
    expect(p({ pattern: '/[a-z]*', default: 'etc' })).toEqual(['tools.0.params.dir.default: must match /[a-z]*']);
    expect(p({ pattern: '.*', default: '-la' })).toEqual([
      'tools.0.params.dir.default: must not start with "-" (it would be read as an option)',
    ]);
    expect(p({ pattern: '.*', default: '-la', allowLeadingDash: true })).toEqual([]);
    expect(p({ pattern: '[\\s\\S]*', default: 'a\nb' })).toEqual([
      'tools.0.params.dir.default: must not contain control characters (newlines, tabs, NUL)',
    ]);
    expect(p({ pattern: '([a-z]', default: 'x' })).toEqual(['tools.0.params.dir.pattern: must be a valid regular expression']);
  });

  it('refuses two tools with one id, and ids that are not lowercase words', () => {
    const tool = { title: 'T', description: 'D.', argv: ['true'] };
    const r = commandsConfig.safeParse({
      tools: [
        { id: 'up', ...tool },
        { id: 'up', ...tool },
        { id: 'Up', ...tool },
      ],
    });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['tools.2.id', 'tools.1.id']);
  });

  it('fills in what is left out', () => {
    expect(commandsConfig.parse({})).toEqual({ tools: [], maxOutputKb: 256 });
    expect(commandsConfig.parse({ tools: [{ id: 'up', title: 'Up', description: 'Uptime.', argv: ['uptime'] }] })).toEqual({
      tools: [
        {
          id: 'up',
          title: 'Up',
          description: 'Uptime.',
          argv: ['uptime'],
          params: {},
          readOnly: false,
          timeoutSeconds: 30,
          sudo: false,
        },
      ],
      maxOutputKb: 256,
    });
  });

  it('refuses a placeholder with anything after it in the same element', () => {
    expect(problems({ argv: ['ls', '{dir}x'], params: { dir: { pattern: '.*' } } })).toEqual([
      'tools.0.argv.1: a parameter must be a whole argv element ("{name}"), never part of one: {dir}x',
      'tools.0.params.dir: is not used in argv',
    ]);
    expect(problems({ argv: ['ls', 'x{dir}'], params: { dir: { pattern: '.*' } } })).toEqual([
      'tools.0.argv.1: a parameter must be a whole argv element ("{name}"), never part of one: x{dir}',
      'tools.0.params.dir: is not used in argv',
    ]);
  });

  it.each(['a', 'up', 'up-2', 'a1', `a${'b'.repeat(39)}`])('takes the tool id %j', (id) => {
    expect(problems({ id, argv: ['true'] })).toEqual([]);
  });

  it.each(['', 'Up', '2up', '-up', 'up_time', 'up.', 'up!', 'up time', 'up\n', `a${'b'.repeat(40)}`])(
    'refuses the tool id %j',
    (id) => {
      expect(problems({ id, argv: ['true'] })).toEqual([
        'tools.0.id: must be lowercase letters, digits and dashes, starting with a letter',
      ]);
    },
  );

  it('takes parameter names made of a letter then letters, digits or _', () => {
    const name = `a${'B_9'.repeat(10)}z`;
    expect(problems({ argv: ['ls', `{${name}}`], params: { [name]: { pattern: '.*' } } })).toEqual([]);
    for (const bad of ['1x', '_x', 'x-y', 'x.y', 'x y', `a${'b'.repeat(32)}`]) {
      const r = commandsConfig.safeParse({
        tools: [{ id: 'ls', title: 'Ls', description: 'Lists.', argv: ['ls', `{${bad}}`], params: { [bad]: { pattern: '.*' } } }],
      });
      expect(r.error?.issues).toMatchObject([
        {
          path: ['tools', 0, 'params', bad],
          issues: [{ message: 'must be a letter then letters, digits or _' }],
        },
      ]);
    }
  });

  it('issues its own refusals as custom issues, and names an id used twice', () => {
    const tool = { title: 'T', description: 'D.' };
    const r = commandsConfig.safeParse({
      tools: [
        { id: 'a', ...tool, argv: ['{p}', 'x{q}', '{r}'], params: { p: { pattern: '.*' }, s: { pattern: 'x', default: 'y' } } },
        { id: 'a', ...tool, argv: ['true'] },
      ],
    });
    expect(r.error?.issues).toEqual([
      { code: 'custom', path: ['tools', 0, 'argv', 0], message: 'the program must be fixed, not a parameter' },
      { code: 'custom', path: ['tools', 0, 'argv', 1], message: expect.stringContaining('never part of one') },
      { code: 'custom', path: ['tools', 0, 'argv', 2], message: 'no parameter "r" in params' },
      { code: 'custom', path: ['tools', 0, 'params', 's'], message: 'is not used in argv' },
      { code: 'custom', path: ['tools', 0, 'params', 's', 'default'], message: 'must match x' },
      { code: 'custom', path: ['tools', 1, 'id'], message: '"a" is used twice' },
    ]);
  });
});

describe('valueProblem', () => {
  const spec = { pattern: '[a-z-]+', allowLeadingDash: false };

  it('answers null for a value that may fill the parameter', () => {
    expect(valueProblem('abc', spec)).toBeNull();
    expect(valueProblem('a-b', spec)).toBeNull();
    expect(valueProblem('-ab', { ...spec, allowLeadingDash: true })).toBeNull();
  });

  it('says why a value may not, control characters first', () => {
    expect(valueProblem('-a\n', spec)).toBe('must not contain control characters (newlines, tabs, NUL)');
    expect(valueProblem('-ab', spec)).toBe('must not start with "-" (it would be read as an option)');
    expect(valueProblem('ab1', spec)).toBe('must match [a-z-]+');
    expect(valueProblem('x abc', spec)).toBe('must match [a-z-]+');
  });

  it('anchors a pattern to the whole value, alternatives too', () => {
    expect(['ab', 'ab; id', 'x ab'].map((v) => anchored('[a-z]+').test(v))).toEqual([true, false, false]);
    expect(['a', 'b', 'ab', 'xa', 'bx'].map((v) => anchored('a|b').test(v))).toEqual([true, true, false, false, false]);
  });
});
