import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout Aura runs from, whether from sources (core/) or compiled (dist/core/). */
export const ROOT_DIR = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

/** The core's version, which plugins' coreVersion ranges are checked against. */
export const CORE_VERSION: string = (JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string })
  .version;

/** True when running the tsc output in dist/, which must load plugins' compiled files too. */
export const RUNNING_COMPILED = import.meta.url.endsWith('.js');
