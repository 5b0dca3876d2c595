import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildArgv, shellQuote, toRemoteCommand } from './argv.ts';
import { HOSTILE_ARGS } from '../../test/harness/host-contract.ts';

describe('argv for hosts', () => {
  it('quotes so that sh hands every argument over unchanged', () => {
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${HOSTILE_ARGS.map(shellQuote).join(' ')}`]).toString();
    expect(out.split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
  });

  it('execs the program, after cd when a directory is given', () => {
    expect(toRemoteCommand(['ls', '-l'])).toBe("exec 'ls' '-l'");
    expect(toRemoteCommand(['ls'], "/tmp/it's")).toBe("cd '/tmp/it'\\''s' && exec 'ls'");
  });

  it('adds sudo -n only when root is needed and not already held', () => {
    expect(buildArgv(['id'], { sudo: true }, false)).toEqual(['sudo', '-n', '--', 'id']);
    expect(buildArgv(['id'], { sudo: true }, true)).toEqual(['id']);
    expect(buildArgv(['id'], { env: { A: '1' } }, false)).toEqual(['env', '--', 'A=1', 'id']);
  });
});
