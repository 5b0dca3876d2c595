import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKnownHosts, fingerprint } from './hostkeys.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-hostkeys-'));
function newKey(name: string): { line: string; blob: Buffer } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)]);
  const [type, b64] = readFileSync(path.join(dir, `${name}.pub`), 'utf8')
    .trim()
    .split(' ');
  return { line: `${type} ${b64}`, blob: Buffer.from(b64!, 'base64') };
}

describe('known_hosts', () => {
  const good = newKey('good');
  const other = newKey('other');
  const file = path.join(dir, 'known_hosts');

  it('matches the fingerprint ssh-keygen prints', () => {
    const printed = execFileSync('ssh-keygen', ['-lf', path.join(dir, 'good.pub')])
      .toString()
      .split(' ')[1];
    expect(fingerprint(good.blob)).toBe(printed);
  });

  it('trusts a listed key, by plain name, port form, wildcard or hashed name', () => {
    writeFileSync(file, `# comment\nexample.org,203.0.113.7 ${good.line}\n[127.0.0.1]:2222 ${good.line}\n*.lan ${good.line}\n`);
    expect(checkKnownHosts(file, '203.0.113.7', 22, good.blob)).toBe('trusted');
    expect(checkKnownHosts(file, '127.0.0.1', 2222, good.blob)).toBe('trusted');
    expect(checkKnownHosts(file, '127.0.0.1', 22, good.blob)).toBe('unknown');
    expect(checkKnownHosts(file, 'nas.lan', 22, good.blob)).toBe('trusted');
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).not.toContain('example.org');
    expect(checkKnownHosts(file, 'example.org', 22, good.blob)).toBe('trusted');
  });

  it('says changed for another key of a known host, and honours negation', () => {
    writeFileSync(file, `example.org ${good.line}\n*.org,!evil.org ${other.line}\n`);
    expect(checkKnownHosts(file, 'example.org', 22, other.blob)).toBe('trusted');
    expect(checkKnownHosts(file, 'evil.org', 22, other.blob)).toBe('unknown');
    writeFileSync(file, `example.org ${good.line}\n`);
    expect(checkKnownHosts(file, 'example.org', 22, other.blob)).toBe('changed');
  });

  it('lets @revoked win wherever it stands', () => {
    writeFileSync(file, `example.org ${good.line}\n@revoked * ${good.line}\n`);
    expect(checkKnownHosts(file, 'example.org', 22, good.blob)).toBe('revoked');
  });
});
