import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../core/version.ts';

const RULE = 'aura/plugin-boundaries';
// This rule alone, without type information: the type-aware rules (and the program they need)
// take most of a minute over every plugin, and this rule reads import paths only.
const eslint = new ESLint({
  cwd: ROOT_DIR,
  ruleFilter: ({ ruleId }) => ruleId === RULE,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

/**
 * The rule's verdict on `code` as if it were the file at `file` (relative to the checkout).
 * JavaScript paths: a .ts file that is not on disk has no type information to lint with.
 */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT_DIR, file) });
  return result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('the plugin-boundaries lint rule', () => {
  it("fires on a plugin importing another plugin's file or the core's internals", async () => {
    for (const code of [
      "import { listPorts } from '../ports/ss.ts';\nexport const x = listPorts;\n",
      "export { servicesApi } from '../services/api.ts';\n",
      "import { startAura } from '../../core/app.ts';\nexport const x = startAura;\n",
      "export const later = () => import('../ports/index.ts');\n",
    ])
      expect(await problems('plugins/example/index.js', code), code).toEqual([
        expect.stringContaining('may import only core/index.ts and its own folder'),
      ]);
  });

  it('allows the core API, its own folder and packages; tests may use test/', async () => {
    const code = [
      "import { z } from 'zod';",
      "import { definePlugin } from '../../core/index.ts';",
      "import { helper } from './lib/helper.ts';",
      'export const x = [z, definePlugin, helper];',
      '',
    ].join('\n');
    expect(await problems('plugins/example/index.js', code)).toEqual([]);
    const test = "import { fakeHost } from '../../test/kit/index.ts';\nexport const x = fakeHost;\n";
    expect(await problems('plugins/example/example.test.js', test)).toEqual([]);
    expect(await problems('plugins/example/index.js', test)).toHaveLength(1);
  });

  it('keeps an example to its own folder and the aura/* names, as a plugin outside the checkout', async () => {
    const ok = "import { definePlugin } from 'aura/plugin';\nimport { x } from './x.ts';\nexport const y = [definePlugin, x];\n";
    expect(await problems('examples/certs/index.js', ok)).toEqual([]);
    for (const code of [
      "import { definePlugin } from '../../core/index.ts';\nexport const y = definePlugin;\n",
      "import { fakeHost } from '../../test/kit/index.ts';\nexport const y = fakeHost;\n",
    ])
      expect(await problems('examples/certs/certs.test.js', code), code).toEqual([expect.stringContaining('aura/plugin')]);
  });

  it('holds for every plugin and example in the checkout today', async () => {
    const results = await eslint.lintFiles([path.join(ROOT_DIR, 'plugins'), path.join(ROOT_DIR, 'examples')]);
    expect(results.flatMap((r) => r.messages.filter((m) => m.ruleId === RULE).map((m) => `${r.filePath}: ${m.message}`))).toEqual(
      [],
    );
  });
});
