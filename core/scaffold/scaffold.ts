import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { discoverPlugins, PLUGIN_ID, pluginFolders } from '../loader.ts';
import { auraImportPaths } from '../plugin-imports.ts';
import { CORE_VERSION, ROOT_DIR } from '../version.ts';

/** In the checkout, also when Aura runs compiled from dist/. */
const TEMPLATES = path.join(ROOT_DIR, 'core', 'scaffold', 'template');

/** A refusal: one line for the person who typed the command. */
export class ScaffoldError extends Error {}

export interface ScaffoldOptions {
  id: string;
  /** The folder the plugin's folder goes in (absolute); default the checkout's plugins/. */
  parent?: string;
  scope?: 'host' | 'global';
  rootDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface Scaffolded {
  dir: string;
  /** Paths relative to dir, in the order written. */
  files: string[];
  /** False for a folder outside the checkout's plugins/, which imports the core as `aura/plugin`. */
  builtInFolder: boolean;
  /** Whether the configured pluginDirs already include the parent folder. */
  inPluginDirs: boolean;
}

/** The configured plugin folders; the plugins found there, by id. */
function knownPlugins(rootDir: string, env: NodeJS.ProcessEnv) {
  let config;
  try {
    config = loadConfig(rootDir, env).config;
  } catch (err) {
    throw new ScaffoldError(`cannot read the config to check the id: ${(err as Error).message.replace(/\s*\n\s*/g, '; ')}`);
  }
  const folders = pluginFolders(rootDir, config);
  return { folders, found: discoverPlugins(folders).found };
}

/** Every template file under a folder, as paths relative to it. */
const templatesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));

function render(text: string, vars: Record<string, string>, file: string): string {
  const out = text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole);
  const left = /\{\{\w+\}\}/.exec(out);
  if (left) throw new Error(`template ${file}: nothing fills ${left[0]}`);
  return out;
}

/** tsconfig.json for a plugin outside the checkout: the editor and `tsc -p` find Aura's files by absolute path. */
function tsconfigFor(rootDir: string): string {
  const modules = (name: string) => path.join(rootDir, 'node_modules', name);
  const paths = {
    ...Object.fromEntries(Object.entries(auraImportPaths(rootDir)).map(([name, file]) => [name, [file]])),
    '@aura/ui': [path.join(rootDir, 'ui', 'src', 'lib', 'index.ts')],
    // Every other package the plugin imports comes from Aura's node_modules, as at run time.
    '*': [modules('@types/*'), modules('*')],
  };
  const compilerOptions = {
    target: 'ES2023',
    // Bundler: Aura's loader, not plain Node, resolves a plugin's imports; paths may name package folders.
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2023', 'DOM'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    isolatedModules: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [modules('@types')],
    paths,
  };
  // Short arrays on one line, as Prettier writes them.
  const json = JSON.stringify({ compilerOptions, include: ['**/*.ts'] }, null, 2).replace(
    /\[\s+([^[\]{}]*?)\s+\]/g,
    (_, items: string) => `[${items.split(/,\s+/).join(', ')}]`,
  );
  return `${json}\n`;
}

function howToTest(o: { rootDir: string; dir: string; builtInFolder: boolean; id: string }): string {
  if (o.builtInFolder)
    return [
      'From the checkout:',
      '',
      '```sh',
      `npm run test:plugin -- plugins/${o.id}   # vitest, with this folder's *.test.ts (no UI build, no container)`,
      'npx tsc -p .                            # type-check it with the rest of Aura',
      '```',
    ].join('\n');
  return [
    `With the Aura checkout it was made from (${o.rootDir}), which has vitest and the test kit:`,
    '',
    '```sh',
    `cd ${o.rootDir}`,
    `npm run test:plugin -- ${o.dir}   # vitest, with this folder's *.test.ts`,
    `npx tsc -p ${o.dir}   # type-check it, through its tsconfig.json`,
    '```',
  ].join('\n');
}

const OUTSIDE_FILES = [
  "- `package.json`: marks the TypeScript files as ES modules; the plugin's own dependencies go here.",
  '- `tsconfig.json`: for the editor and `tsc -p`: `aura/plugin`, `aura/test-kit`, `@aura/ui`, zod, socket.io and',
  "  vitest point at the checkout's files by absolute path. At run time Aura's loader resolves `aura/plugin` to the",
  "  core it runs, and packages this folder does not have (zod) from Aura's `node_modules`.",
  '',
].join('\n');

/**
 * Writes a new plugin's folder from the templates: a route, a socket event, an agent tool, a
 * panel (host) or page (global), a README and a test that passes as written. Refuses a bad
 * id, an existing folder and an id another plugin has, before writing anything.
 */
export function scaffoldPlugin(opts: ScaffoldOptions): Scaffolded {
  const { id, rootDir, scope = 'host', env = process.env } = opts;
  if (!PLUGIN_ID.test(id))
    throw new ScaffoldError(
      `"${id}" is not a plugin id: use 1 to 32 lowercase letters, digits and dashes, starting with a letter (e.g. backups)`,
    );
  if (scope !== 'host' && scope !== 'global') throw new ScaffoldError(`--scope must be host or global, not "${String(scope)}"`);
  const builtIns = path.join(rootDir, 'plugins');
  const parent = path.resolve(opts.parent ?? builtIns);
  const dir = path.join(parent, id);
  if (existsSync(dir)) throw new ScaffoldError(`${dir} already exists: pick another id or remove that folder first`);
  const { folders, found } = knownPlugins(rootDir, env);
  const taken = found.find((p) => p.id === id);
  if (taken) throw new ScaffoldError(`the id "${id}" is taken by the plugin in ${taken.dir}`);

  const builtInFolder = parent === builtIns;
  const vars = {
    id,
    name: id.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
    code: id.toUpperCase().replace(/-/g, '_'),
    title: `${id[0]!.toUpperCase()}${id.slice(1).replace(/-+/g, ' ')}`,
    coreVersion: CORE_VERSION,
    core: builtInFolder ? '../../core/index.ts' : 'aura/plugin',
    kit: builtInFolder ? '../../test/kit/index.ts' : 'aura/test-kit',
    outsideFiles: builtInFolder ? '' : OUTSIDE_FILES,
    howToTest: howToTest({ rootDir, dir, builtInFolder, id }),
  };
  const scopeDir = path.join(TEMPLATES, scope);
  const files = new Map<string, string>();
  for (const rel of templatesIn(scopeDir)) {
    const target = rel.replace(/\.tmpl$/, '').replace(/^plugin\.test\.ts$/, `${id}.test.ts`);
    files.set(target, render(readFileSync(path.join(scopeDir, rel), 'utf8'), vars, rel));
  }
  if (!builtInFolder) {
    files.set('package.json', `${JSON.stringify({ name: `aura-plugin-${id}`, private: true, type: 'module' }, null, 2)}\n`);
    files.set('tsconfig.json', tsconfigFor(rootDir));
  }
  for (const [rel, text] of files) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text, { flag: 'wx' });
  }
  return { dir, files: [...files.keys()], builtInFolder, inPluginDirs: folders.includes(parent) };
}
