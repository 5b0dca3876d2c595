import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverPlugins } from '../core/loader.ts';
import { collectPanels, ensureUiBuilt } from '../core/ui.ts';
import { ROOT_DIR } from '../core/version.ts';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { launchChromium } from './harness/browser.ts';

const FIXTURES = path.join(ROOT_DIR, 'test', 'fixtures', 'plugins');
const config = { pluginDirs: [FIXTURES], plugins: { boom: { enabled: false } } };

describe('a pluginDir plugin in the UI', () => {
  let browser: Browser;
  let uiOutDir: string;
  const running: TestAura[] = [];

  beforeAll(async () => {
    // The build collects the panels of enabled plugins, wherever their folder is.
    uiOutDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-ui-')), 'build');
    const found = discoverPlugins([path.join(ROOT_DIR, 'plugins'), FIXTURES]).found;
    const panels = collectPanels(found.map((p) => ({ ...p, enabled: p.id !== 'boom' })));
    expect(panels.map((p) => p.id)).toEqual(['echo', 'ports', 'services']);
    await ensureUiBuilt({ uiDir: path.join(ROOT_DIR, 'ui'), outDir: uiOutDir, panels });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const t of running) await t.close().catch(() => undefined);
    rmSync(path.dirname(uiOutDir), { recursive: true, force: true });
  });

  async function signIn(page: Page, url: string) {
    await page.goto(`${url}/login`);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Server').waitFor();
  }

  it('shows its panel, talks over its socket, and says so while the connection is lost', async () => {
    const first = await startTestAura(config, { uiOutDir });
    running.push(first);
    const page = await browser.newPage();
    await signIn(page, first.url);
    await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link', { name: 'Echo' }).click();
    await expect.poll(() => page.getByTestId('reply').textContent()).toBe('pong for admin');

    const banner = page.getByRole('alert').filter({ hasText: 'Lost connection; retrying…' });
    await first.close({ keepData: true });
    await banner.waitFor();
    expect(await page.getByTestId('status').textContent()).toBe('disconnected');

    const port = Number(new URL(first.url).port);
    const second = await startTestAura({ ...config, listen: { port } }, { uiOutDir, dataDir: first.dataDir });
    running.push(second);
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.getByTestId('status').textContent()).toBe('connected');
    await page.close();
  });
});
