import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildArgv, checkArgv, shellQuote, toRemoteCommand } from './argv.ts';
import { HOSTILE_ARGS } from '../../test/harness/host-contract.ts';

/** What a caller is told when a command is refused before it runs. */
function refusal(run: () => unknown) {
  try {
    run();
  } catch (e) {
    const { status, code, message } = e as { status: number; code: string; message: string };
    return { status, code, message };
  }
  return expect.unreachable('the command should have been refused');
}
const invalid = (message: string) => ({ status: 400, code: 'INVALID_COMMAND', message });

describe('argv for hosts', () => {
  it('quotes so that sh hands every argument over unchanged', () => {
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${HOSTILE_ARGS.map(shellQuote).join(' ')}`]).toString();
    expect(out.split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
    expect(shellQuote("a'b'c")).toBe("'a'\\''b'\\''c'");
  });

  it('execs the program, after cd when a directory is given', () => {
    expect(toRemoteCommand(['ls', '-l'])).toBe("exec 'ls' '-l'");
    expect(toRemoteCommand(['ls'], "/tmp/it's")).toBe("cd '/tmp/it'\\''s' && exec 'ls'");
  });

  it('adds sudo -n only when root is needed and not already held', () => {
    expect(buildArgv(['id'], { sudo: true }, false)).toEqual(['sudo', '-n', '--', 'id']);
    expect(buildArgv(['id'], { sudo: true }, true)).toEqual(['id']);
    expect(buildArgv(['id'], {}, false)).toEqual(['id']);
    expect(buildArgv(['id'], { env: { A: '1' } }, false)).toEqual(['env', '--', 'A=1', 'id']);
  });

  it('passes variables through env, under sudo when root is needed', () => {
    expect(buildArgv(['make', 'x'], { sudo: true, env: { _B2: 'a=b c', LANG: '' } }, false)).toEqual([
      'sudo',
      '-n',
      '--',
      'env',
      '--',
      '_B2=a=b c',
      'LANG=',
      'make',
      'x',
    ]);
    expect(buildArgv(['id'], { env: {} }, false)).toEqual(['id']);
  });

  it('refuses variable names that are not shell names, and values with NUL bytes', () => {
    for (const name of ['1A', 'A-B', 'A B', '', 'X=Y', '-A'])
      expect(
        refusal(() => buildArgv(['id'], { env: { [name]: '1' } }, false)),
        name,
      ).toEqual(invalid(`Invalid environment variable "${name}".`));
    expect(refusal(() => buildArgv(['id'], { env: { A: 'x\0y' } }, false))).toEqual(invalid('Invalid environment variable "A".'));
  });

  it('refuses what no argv can carry, before anything runs', () => {
    expect(refusal(() => checkArgv([]))).toEqual(invalid('A command needs at least a program name.'));
    expect(refusal(() => checkArgv('ls' as never))).toEqual(invalid('A command needs at least a program name.'));
    expect(refusal(() => checkArgv(['ls', 1 as never]))).toEqual(invalid('Every argument must be a string.'));
    expect(refusal(() => checkArgv(['ls', 'a\0b']))).toEqual(invalid('Arguments cannot contain NUL bytes.'));
    expect(refusal(() => checkArgv(['', 'x']))).toEqual(invalid('The program name is empty.'));
    expect(refusal(() => buildArgv(['', 'x'], { sudo: true }, false))).toEqual(invalid('The program name is empty.'));
    expect(() => checkArgv(['ls', ''])).not.toThrow();
  });
});
