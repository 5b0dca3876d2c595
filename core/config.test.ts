import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configPath, deepMerge, formatIssues, loadConfig } from './config.ts';
import { ROOT_DIR } from './version.ts';

const run = promisify(execFile);

function writeConfig(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-config-')), 'aura.yaml');
  writeFileSync(file, yaml);
  return file;
}

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('takes paths in the config from the checkout, and ~/ from the home folder', () => {
    expect(configPath('/srv/aura', './data')).toBe('/srv/aura/data');
    expect(configPath('/srv/aura', '/var/lib/aura')).toBe('/var/lib/aura');
    expect(configPath('/srv/aura', '~/aura-plugins')).toBe(path.join(os.homedir(), 'aura-plugins'));
    expect(configPath('/srv/aura', '~')).toBe(os.homedir());
    // Only a leading ~ and only as a whole word: ~bob's home is not ours to guess.
    expect(configPath('/srv/aura', '~bob/x')).toBe('/srv/aura/~bob/x');
    expect(configPath('/srv/aura', 'a/~/b')).toBe('/srv/aura/a/~/b');
  });

  it('reads the shipped defaults', () => {
    const { config } = loadConfig(ROOT_DIR, { AURA_CONFIG: writeConfig('') });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(config.dataDir).toBe('./data');
    expect(config.plugins.ports).toEqual({ enabled: true });
  });

  it('merges the override file and the environment over the defaults', () => {
    const file = writeConfig('listen: { port: 8080 }\nplugins: { ports: { enabled: false } }\n');
    const { config } = loadConfig(ROOT_DIR, { AURA_CONFIG: file, AURA_HOST: '0.0.0.0', AURA_DATA_DIR: '/var/lib/aura' });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.dataDir).toBe('/var/lib/aura');
    expect(config.plugins.ports?.enabled).toBe(false);
  });

  it('names every problem by its key path, one line each', () => {
    const file = writeConfig(
      [
        'listen: { port: "http" }',
        'plugns: {}',
        'publicUrl: not a url',
        'servers:',
        '  - { id: web, host: example.org, user: aura, privateKeyPath: k, port: 70000 }',
        '  - { id: web, host: example.org, user: aura, privateKeyPath: k, hostKey: "md5:aa" }',
        '  - { id: local, host: x, user: aura, privateKeyPath: k }',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig(ROOT_DIR, { AURA_CONFIG: file }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^listen\.port: .*number/),
        expect.stringMatching(/^\(root\): .*plugns/),
        expect.stringMatching(/^publicUrl: /),
        expect.stringMatching(/^servers\.0\.port: /),
        expect.stringMatching(/^servers\.1\.hostKey: must be a SHA256/),
        expect.stringMatching(/^servers\.2\.id: "local" is reserved/),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('refuses a bad AURA_PORT and a missing AURA_CONFIG file', () => {
    expect(problemsOf(() => loadConfig(ROOT_DIR, { AURA_CONFIG: writeConfig(''), AURA_PORT: '80a' }))).toEqual([
      'AURA_PORT: must be a port number, got "80a"',
    ]);
    expect(problemsOf(() => loadConfig(ROOT_DIR, { AURA_CONFIG: '/nonexistent.yaml' }))[0]).toMatch(/^AURA_CONFIG: no such file/);
  });

  it('reports YAML syntax errors with the file name', () => {
    const file = writeConfig('listen: [unclosed');
    expect(problemsOf(() => loadConfig(ROOT_DIR, { AURA_CONFIG: file }))[0]).toContain(file);
  });

  it('merges mappings key by key and replaces lists', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] } }, { a: { c: [3] } })).toEqual({ a: { b: 1, c: [3] } });
  });

  it('stops the real CLI with the problems on stderr and exit code 1', async () => {
    const file = writeConfig('listen: { port: -1 }\nservers: [{ id: "Bad Id" }]\n');
    const err = await run(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'core', 'main.ts')], {
      env: { ...process.env, AURA_CONFIG: file },
      cwd: ROOT_DIR,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    const lines = (err as { stderr: string }).stderr.trim().split('\n');
    expect(lines[0]).toBe('Aura cannot start: invalid configuration:');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual([
      'listen.port',
      'servers.0.id',
      'servers.0.host',
      'servers.0.user',
      'servers.0.privateKeyPath',
    ]);
  });
});

describe('formatIssues', () => {
  it("names the key a setting has and says what it must be, under the plugin's prefix", () => {
    const schema = z.object({ params: z.record(z.string().regex(/^[a-z]+$/, 'must be lowercase letters'), z.string()) });
    const { error } = schema.safeParse({ params: { 'Bad-1': 'x' } });
    expect(formatIssues(error!.issues, ['plugins', 'commands'])).toEqual([
      'plugins.commands.params.Bad-1: this key must be lowercase letters',
    ]);
  });
});
