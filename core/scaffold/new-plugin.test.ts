import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../test/harness/command.ts';
import { captureLines } from '../../test/harness/requests.ts';
import { discoverPlugins, loadPlugins } from '../loader.ts';
import { CORE_VERSION, ROOT_DIR } from '../version.ts';
import { newPlugin } from './new-plugin.ts';

const PLUGINS = path.join(ROOT_DIR, 'plugins');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'aura-new-plugin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file and folder under dir, for "nothing was written". */
const tree = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();

describe('npm run new-plugin refuses, writing nothing', () => {
  // A pluginDir holding a plugin "elsewhere", and a folder that is in the way.
  const pluginDir = path.join(tmp, 'more-plugins');
  mkdirSync(path.join(pluginDir, 'elsewhere'), { recursive: true });
  writeFileSync(path.join(pluginDir, 'elsewhere', 'index.js'), 'export default {};\n');
  const parent = path.join(tmp, 'mine');
  mkdirSync(path.join(parent, 'in-the-way'), { recursive: true });
  const config = path.join(tmp, 'aura.yaml');
  writeFileSync(config, `pluginDirs: [${JSON.stringify(pluginDir)}]\n`);
  const env = { ...process.env, AURA_CONFIG: config };

  const run = (args: string[]) => {
    const out = captureLines();
    const err = captureLines();
    const before = [tree(PLUGINS), tree(tmp)];
    const code = newPlugin(args, { out: out.stream, err: err.stream, env });
    expect([tree(PLUGINS), tree(tmp)]).toEqual(before);
    return { code, out: out.text(), err: err.text() };
  };

  it.each(['Bad', '../x', 'a b', '', '9lives', 'a'.repeat(33)])('a bad id: %j', (id) => {
    expect(run([id, '--dir', parent])).toEqual({
      code: 1,
      out: '',
      err: `new-plugin: "${id}" is not a plugin id: use 1 to 32 lowercase letters, digits and dashes, starting with a letter (e.g. backups)\n`,
    });
  });

  it('a folder that exists, in plugins/ or in --dir', () => {
    expect(run(['ports']).err).toBe(
      `new-plugin: ${path.join(PLUGINS, 'ports')} already exists: pick another id or remove that folder first\n`,
    );
    const inTheWay = run(['in-the-way', '--dir', parent]);
    expect(inTheWay.code).toBe(1);
    expect(inTheWay.err).toBe(
      `new-plugin: ${path.join(parent, 'in-the-way')} already exists: pick another id or remove that folder first\n`,
    );
  });

  it('an id a plugin in plugins/ or in a configured pluginDir already has', () => {
    expect(run(['ports', '--dir', parent])).toMatchObject({
      code: 1,
      err: `new-plugin: the id "ports" is taken by the plugin in ${path.join(PLUGINS, 'ports')}\n`,
    });
    expect(run(['elsewhere']).err).toBe(
      `new-plugin: the id "elsewhere" is taken by the plugin in ${path.join(pluginDir, 'elsewhere')}\n`,
    );
  });

  it('a missing id, a stray argument, an unknown option or scope', () => {
    const usage = 'usage: npm run new-plugin -- <id> [--dir <parent folder>] [--scope host|global]';
    expect(run([]).err).toBe(`new-plugin: ${usage}\n`);
    expect(run(['one', 'two']).err).toBe(`new-plugin: ${usage}\n`);
    expect(run(['fresh', '--force']).err).toMatch(/^new-plugin: Unknown option '--force'.*\(usage: .*\)\n$/);
    expect(run(['fresh', '--scope', 'cluster'])).toMatchObject({
      code: 1,
      err: 'new-plugin: --scope must be host or global, not "cluster"\n',
    });
  });

  it('through npm, with exit code 1 and one line on stderr', async () => {
    const res = await runCommand('npm', ['run', '--silent', 'new-plugin', '--', 'Bad']);
    expect(res).toMatchObject({ code: 1, stdout: '' });
    expect(res.stderr).toMatch(/^new-plugin: "Bad" is not a plugin id: [^\n]*\n$/);
  });
});

/**
 * The round trip in the checkout's layout: a host and a global plugin made in a plugins/ folder
 * beside links to this checkout's core, test kit and config, so that they import the core as
 * the built-in ones do. Not in the real plugins/: every other test file running meanwhile
 * would find them there, half written. Removed afterwards, pass or fail.
 */
describe('npm run new-plugin in plugins/', () => {
  const ids = { host: `tmp-host-${process.pid}`, global: `tmp-global-${process.pid}` };
  const checkout = path.join(ROOT_DIR, `.scaffold-check-${process.pid}`);
  const dirs = Object.values(ids).map((id) => path.join(checkout, 'plugins', id));
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it('makes plugins whose generated tests pass, in the repo style', { timeout: 240_000 }, async () => {
    mkdirSync(path.join(checkout, 'plugins'), { recursive: true });
    for (const name of ['core', 'test', 'config', 'node_modules', 'package.json', 'eslint-rules'])
      symlinkSync(path.join(ROOT_DIR, name), path.join(checkout, name));
    // Copies, not links: the repo's lint rules (boundaries, floating promises) apply by path
    // from where these files are, and a link would be followed back to this checkout.
    for (const name of ['eslint.config.js', 'tsconfig.json']) copyFileSync(path.join(ROOT_DIR, name), path.join(checkout, name));
    const made = (id: string, args: string[]) => {
      const out = captureLines();
      const err = captureLines();
      const code = newPlugin([id, ...args], { out: out.stream, err: err.stream, env: process.env, rootDir: checkout });
      return { code, stdout: out.text(), stderr: err.text() };
    };
    const host = made(ids.host, []);
    const global = made(ids.global, ['--scope', 'global']);
    expect([host.code, host.stderr, global.code, global.stderr]).toEqual([0, '', 0, '']);
    expect(host.stdout).toContain(`Created ${dirs[0]} (host scope): README.md, errors.ts, index.ts, kernel.ts, routes.ts`);
    expect(host.stdout).toContain(`Test it:  npm run test:plugin -- plugins/${ids.host}`);
    expect(tree(dirs[0]!)).toEqual(
      [
        'README.md',
        'errors.ts',
        'index.ts',
        'kernel.ts',
        `${ids.host}.test.ts`,
        'routes.ts',
        'sockets.ts',
        'tools.ts',
        'ui',
        'ui/Panel.svelte',
      ].sort(),
    );
    expect(tree(dirs[1]!)).toContain('ui/Page.svelte');
    // Inside the checkout a plugin imports the core as the built-in ones do.
    expect(readFileSync(path.join(dirs[0]!, 'index.ts'), 'utf8')).toContain("from '../../core/index.ts'");
    expect(existsSync(path.join(dirs[0]!, 'tsconfig.json'))).toBe(false);

    const tests = await runCommand('npx', ['vitest', 'run', '--config', 'vitest.plugin.config.ts', ...dirs.map((d) => `${d}/`)]);
    expect(tests.code, tests.stdout + tests.stderr).toBe(0);
    expect(stripVTControlCharacters(tests.stdout)).toMatch(/Tests +7 passed \(7\)/);
    const style = await runCommand('npx', ['prettier', '--check', ...dirs]);
    expect(style.code, style.stdout + style.stderr).toBe(0);
    const lint = await runCommand('npx', ['eslint', '--max-warnings', '0', 'plugins/'], { cwd: checkout });
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    // The rules that hold for plugins/ do hold here: a stray import is caught.
    writeFileSync(path.join(dirs[0]!, 'stray.ts'), "export { otherErrors } from '../other/errors.ts';\n");
    const stray = await runCommand('npx', ['eslint', 'plugins/'], { cwd: checkout });
    expect(stray.stdout).toContain('aura/plugin-boundaries');
    rmSync(path.join(dirs[0]!, 'stray.ts'));
    // As the repo's own tests require of every plugin (core/errors.test.ts): both declare their error codes.
    const { records } = await loadPlugins(discoverPlugins([path.join(checkout, 'plugins')]).found, {}, CORE_VERSION);
    expect(records.map((r) => [r.id, r.error ?? null, typeof r.definition?.errors])).toEqual([
      [ids.global, null, 'object'],
      [ids.host, null, 'object'],
    ]);
  });
});
