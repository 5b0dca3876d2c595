/**
 * `npm run new-plugin -- <id> [--dir <parent>] [--scope host|global]`: a new plugin's folder,
 * ready to run and test (see scaffold.ts). A refusal is one line on stderr and exit code 1.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ROOT_DIR } from '../version.ts';
import { scaffoldPlugin, ScaffoldError, type Scaffolded } from './scaffold.ts';

const USAGE = 'usage: npm run new-plugin -- <id> [--dir <parent folder>] [--scope host|global]';

function nextSteps(made: Scaffolded, rootDir: string, scope: string): string[] {
  const id = path.basename(made.dir);
  const view = scope === 'host' ? `its panel at /s/local/${id}` : `its page at /p/${id}`;
  const lines = [`Created ${made.dir} (${scope} scope): ${[...made.files].sort().join(', ')}`, ''];
  if (made.builtInFolder)
    return [...lines, `Test it:  npm run test:plugin -- plugins/${id}`, `Try it:   npm start, then open ${view}`];
  const parent = path.dirname(made.dir);
  return [
    ...lines,
    made.inPluginDirs
      ? `${parent} is already in pluginDirs.`
      : `Add its folder's parent to pluginDirs in ${path.join(rootDir, 'config', 'local.yaml')}:\n\npluginDirs:\n  - ${parent}\n`,
    `Test it:       cd ${rootDir} && npm run test:plugin -- ${made.dir}`,
    `Type-check it: cd ${rootDir} && npx tsc -p ${made.dir}`,
    `Try it:        npm start, then open ${view}`,
  ];
}

/** The command, for a test to call in-process; returns the exit code. */
export function newPlugin(
  argv: string[],
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; rootDir?: string; env?: NodeJS.ProcessEnv },
): number {
  const { rootDir = ROOT_DIR, env = process.env } = io;
  const fail = (message: string) => (io.err.write(`new-plugin: ${message}\n`), 1);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { dir: { type: 'string' }, scope: { type: 'string' } } });
  } catch (err) {
    return fail(`${(err as Error).message} (${USAGE})`);
  }
  const [id, ...extra] = parsed.positionals;
  if (id === undefined || extra.length) return fail(USAGE);
  const scope = (parsed.values.scope ?? 'host') as 'host' | 'global';
  // npm runs scripts in the checkout; a relative --dir means where the command was typed.
  const parent = parsed.values.dir === undefined ? undefined : path.resolve(env.INIT_CWD ?? process.cwd(), parsed.values.dir);
  try {
    const made = scaffoldPlugin({ id, parent, scope, rootDir, env });
    io.out.write(`${nextSteps(made, rootDir, scope).join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ScaffoldError) return fail(err.message);
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = newPlugin(process.argv.slice(2), { out: process.stdout, err: process.stderr });
