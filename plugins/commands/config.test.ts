import { describe, expect, it } from 'vitest';
import { commandsConfig } from './config.ts';

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
});
