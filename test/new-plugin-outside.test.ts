import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverPlugins } from '../core/loader.ts';
import { collectViews, ensureUiBuilt } from '../core/ui.ts';
import { ROOT_DIR } from '../core/version.ts';
import { builtInsDisabled, startTestAura, type TestAura } from './harness/aura.ts';
import { launchChromium, signInAsAdmin } from './harness/browser.ts';
import { runCommand } from './harness/command.ts';
import { connectSocket } from './harness/sockets.ts';

/**
 * `npm run new-plugin -- <id> --dir <folder outside the checkout>`, then everything a plugin
 * author does with it: its test, tsc, plain Node's import of it, and a real Aura that serves its
 * route, socket, tool and panel. The plugin imports `aura/plugin`, never a path into the checkout.
 */
const ID = 'kernel-probe';
const parent = mkdtempSync(path.join(os.tmpdir(), 'aura-plugin-dir-'));
const dir = path.join(parent, ID);
const kernel = execFileSync('uname', ['-sr']).toString().trim();

beforeAll(async () => {
  const made = await runCommand('npm', ['run', '--silent', 'new-plugin', '--', ID, '--dir', parent]);
  expect(made.code, made.stderr).toBe(0);
  expect(made.stdout).toContain(`pluginDirs:\n  - ${parent}\n`);
  expect(made.stdout).toContain(`npm run test:plugin -- ${dir}`);
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('a plugin made outside the checkout, for its author', () => {
  it("passes its generated test with the checkout's vitest", { timeout: 240_000 }, async () => {
    const res = await runCommand('npm', ['run', '--silent', 'test:plugin', '--', dir]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`${ID}.test.ts`);
  });

  it('type-checks with tsc -p through its tsconfig.json', { timeout: 240_000 }, async () => {
    const res = await runCommand('npx', ['tsc', '-p', dir]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
  });

  it(
    "is imported by Aura's loader under plain Node (tsx), sharing the running core and its zod",
    { timeout: 120_000 },
    async () => {
      // Outside vitest, so Node's own resolution (the hook in core/plugin-imports-hook.mjs) is what runs.
      const script = `
      import { AuraError } from './core/index.ts';
      import { discoverPlugins, loadPlugins } from './core/loader.ts';
      const { records } = await loadPlugins(discoverPlugins([${JSON.stringify(parent)}]).found, {}, '0.1.0');
      const def = records[0].definition;
      const error = def?.errors?.${ID.toUpperCase().replace(/-/g, '_')}_UNAME_FAILED('x');
      console.log(JSON.stringify({ state: records[0].state, error: records[0].error, sameCore: error instanceof AuraError }));
    `;
      const res = await runCommand(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
      expect(res.code, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout)).toEqual({ state: 'pending', sameCore: true });
    },
  );
});

describe('a plugin made outside the checkout, in a real Aura', () => {
  let t: TestAura;
  let browser: Browser;
  let uiOutDir: string;

  beforeAll(async () => {
    // The UI with just this plugin's panel (the built-in ones are off), built into a temporary folder.
    uiOutDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-ui-')), 'build');
    const found = discoverPlugins([parent]).found;
    const views = collectViews(found.map((p) => ({ ...p, enabled: true })));
    expect(views.map((v) => `${v.id}:${v.kind}`)).toEqual([`${ID}:panel`]);
    await ensureUiBuilt({ uiDir: path.join(ROOT_DIR, 'ui'), outDir: uiOutDir, views });
    t = await startTestAura({ pluginDirs: [parent], plugins: builtInsDisabled() }, { uiOutDir });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (uiOutDir) rmSync(path.dirname(uiOutDir), { recursive: true, force: true });
  });

  it('serves its route to a signed-in request', async () => {
    const { token } = await t.login();
    const res = await t.request(`/api/servers/local/${ID}`, { token });
    expect(await res.json()).toEqual({ server: 'local', kernel });
    expect((await t.request(`/api/servers/local/${ID}`)).status).toBe(401);
  });

  it('answers its socket event over a real socket.io client', async () => {
    const { token } = await t.login();
    const socket = await connectSocket(t.url, ID, { token, serverId: 'local' });
    try {
      expect(await socket.emitWithAck('hello')).toEqual({ greeting: 'Hello, admin, from local' });
    } finally {
      socket.close();
    }
  });

  it("lists its agent tool in the core's tool registry", async () => {
    const { token } = await t.login();
    const tools = (await (await t.request('/api/tools', { token })).json()) as {
      name: string;
      plugin: string;
      readOnly: boolean;
    }[];
    expect(tools.find((tool) => tool.name === `${ID}.kernel`)).toMatchObject({ plugin: ID, readOnly: true });
  });

  it('shows its panel in Chromium', async () => {
    const page = await browser.newPage();
    try {
      await signInAsAdmin(page, t.url);
      await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link', { name: 'Kernel probe' }).click();
      await page.waitForURL(new RegExp(`/s/local/${ID}$`));
      await page.getByRole('heading', { name: 'Kernel probe on This machine' }).waitFor();
      await expect.poll(() => page.getByTestId(`${ID}-kernel`).textContent()).toBe(kernel);
      await expect.poll(() => page.getByTestId(`${ID}-greeting`).textContent()).toBe('Hello, admin, from local');
    } finally {
      await page.close();
    }
  });
});
