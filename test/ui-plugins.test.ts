import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverPlugins } from '../core/loader.ts';
import { collectViews, ensureUiBuilt } from '../core/ui.ts';
import { ROOT_DIR } from '../core/version.ts';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { startSshd, type TestSshd } from './harness/sshd.ts';

const FIXTURES = path.join(ROOT_DIR, 'test', 'fixtures', 'plugins');
const config = { pluginDirs: [FIXTURES], plugins: { boom: { enabled: false } } };

let browser: Browser;
let uiOutDir: string;

beforeAll(async () => {
  // The build collects the views of enabled plugins, wherever their folder is.
  uiOutDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-ui-')), 'build');
  const found = discoverPlugins([path.join(ROOT_DIR, 'plugins'), FIXTURES]).found;
  const views = collectViews(found.map((p) => ({ ...p, enabled: p.id !== 'boom' })));
  expect(views.map((v) => `${v.id}:${v.kind}`)).toEqual([
    'agent:page',
    'broken-panel:panel',
    'broken-panel:card',
    'chat-page:page',
    'commands:panel',
    'deploy:panel',
    'docker:panel',
    'echo:panel',
    'exec:panel',
    'metrics:panel',
    'metrics:card',
    'ports:panel',
    'root-only:panel',
    'services:panel',
    'services:card',
    'terminal:panel',
    'welcome-card:card',
  ]);
  await ensureUiBuilt({ uiDir: path.join(ROOT_DIR, 'ui'), outDir: uiOutDir, views });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  if (uiOutDir) rmSync(path.dirname(uiOutDir), { recursive: true, force: true });
});

async function signIn(page: Page, url: string) {
  await signInAsAdmin(page, url);
  await page.getByLabel('Server').waitFor();
}

describe('a pluginDir plugin in the UI', () => {
  const running: TestAura[] = [];
  afterAll(async () => {
    for (const t of running) await t.close().catch(() => undefined);
  });

  it('shows its panel, talks over its socket, and says so while the connection is lost', async () => {
    const first = await startTestAura(config, { uiOutDir });
    running.push(first);
    const page = await browser.newPage();
    await signIn(page, first.url);
    await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link', { name: 'Echo' }).click();
    await expect.poll(() => page.getByTestId('reply').textContent()).toBe('pong for admin');

    const banner = page.getByRole('alert').filter({ hasText: 'Aura cannot be reached — retrying…' });
    await first.close({ keepData: true });
    await banner.waitFor();
    expect(await page.getByTestId('status').textContent()).toBe('disconnected');

    const port = Number(new URL(first.url).port);
    const second = await startTestAura({ ...config, listen: { port } }, { uiOutDir, dataDir: first.dataDir });
    running.push(second);
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    // The heartbeat says Aura is back; the socket comes back on socket.io's own schedule.
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe('connected');
    await page.close();
  });
});

/** WCAG contrast of an element's text against the sidebar behind it. */
const contrast = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const rgb = (css: string) =>
        css
          .match(/\d+(\.\d+)?/g)!
          .slice(0, 3)
          .map(Number);
      const lum = (css: string) => {
        const [r, g, b] = rgb(css).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const fg = lum(getComputedStyle(el).color);
      const bg = lum(getComputedStyle(el.closest('aside')!).backgroundColor);
      return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    });

describe('plugin views: cards, pages, panels, error boundaries and availability per server', () => {
  let sshd: TestSshd;
  let t: TestAura;
  let page: Page;

  beforeAll(async () => {
    sshd = await startSshd();
    t = await startTestAura({ ...config, servers: [{ ...sshd.server('box'), name: 'Test box' }] }, { uiOutDir });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000); // a missing element fails the step, with its name, before the test times out
    await signIn(page, t.url);
  });
  afterAll(async () => {
    await page?.close();
    await t?.close();
    await sshd?.stop();
  });

  const nav = () => page.getByRole('navigation', { name: 'Plugins' });

  it("shows each server's plugin cards on the home page, a failing one with its error", async () => {
    await page.goto(`${t.url}/`);
    const server = (name: string) => page.getByRole('region', { name, exact: true });
    const card = (name: string) => server(name).getByRole('region', { name: 'Welcome card' }).getByTestId('welcome-card');
    await expect.poll(() => card('This machine').textContent()).toBe('Hello from local.');
    await expect.poll(() => card('Test box').textContent(), { timeout: 10_000 }).toBe('Hello from box.');
    const broken = server('This machine').getByRole('region', { name: 'Broken panel' }).getByRole('alert');
    await expect.poll(() => broken.textContent()).toContain('The Broken panel card could not be read on This machine');
    expect(await broken.textContent()).toContain('broken card module');
    await page.getByRole('table', { name: 'Plugins' }).getByRole('cell', { name: 'Echo' }).waitFor(); // the plugin table stays below
  });

  it("draws each nav link's icon and opens a global plugin's page from the nav", async () => {
    await page.goto(`${t.url}/?server=local`);
    const links = nav().getByRole('link');
    await links.first().waitFor();
    for (const link of await links.all()) expect(await link.locator('svg[aria-hidden="true"]').count()).toBe(1);
    expect(await nav().getByRole('link', { name: 'Ports' }).locator('svg').getAttribute('data-icon')).toBe('plug');
    await nav().getByRole('link', { name: 'Chat' }).click();
    await page.waitForURL(/\/p\/chat-page\?server=local$/); // the chosen server rides along
    await page.getByTestId('chat-page').waitFor();
    expect(await nav().getByRole('link', { name: 'Chat' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows a panel that throws in its own area, with Retry, while the nav keeps working', async () => {
    await nav().getByRole('link', { name: 'Broken' }).click();
    await page.waitForURL(/\/s\/local\/broken-panel$/);
    const failed = page.getByRole('main').getByRole('alert').filter({ hasText: 'broken on purpose' });
    await failed.waitFor();
    const render = async () => Number(/render (\d+)/.exec((await failed.textContent()) ?? '')?.[1]);
    const before = await render();
    await failed.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(render).toBe(before + 1); // the boundary was reset and the panel rendered again
    await nav().getByRole('link', { name: 'Echo' }).click();
    await expect.poll(() => page.getByTestId('reply').textContent()).toBe('pong for admin');
    expect(await failed.count()).toBe(0);
  });

  it('on local: links the root-only plugin and opens its panel, and greys out services (no systemd)', async () => {
    await page.goto(`${t.url}/?server=local`);
    await nav().getByRole('link', { name: 'Root only' }).click();
    await expect.poll(() => page.getByTestId('root-only').textContent()).toBe('Aura is root on local.');
    const services = nav()
      .getByRole('listitem')
      .filter({ has: page.getByTestId('unavailable-services') });
    await services.waitFor();
    expect(await nav().getByRole('link', { name: 'Services' }).count()).toBe(0);
    expect(await services.textContent()).toMatch(/Services.*not available.*systemd/);
    expect(await contrast(page, '[data-testid="unavailable-services"]')).toBeGreaterThanOrEqual(4.5);
    expect(await contrast(page, 'nav[aria-label="Plugins"] .reason')).toBeGreaterThanOrEqual(4.5);
  });

  it('on the SSH server: shows root-only unavailable with its reason, also when its URL is opened', async () => {
    await page.goto(`${t.url}/s/local/root-only`);
    await page.getByTestId('root-only').waitFor();
    await page.getByLabel('Server').selectOption('box'); // availability is fetched again for box
    await page.getByRole('heading', { name: 'Root only is not available on Test box' }).waitFor();
    expect(await page.getByTestId('unavailable-reason').textContent()).toBe(
      'Aura is not root on box, and this plugin needs root.',
    );
    const item = nav()
      .getByRole('listitem')
      .filter({ has: page.getByTestId('unavailable-root-only') });
    await expect.poll(() => item.textContent()).toContain('Aura is not root on box');
    expect(await nav().getByRole('link', { name: 'Root only' }).count()).toBe(0);
    expect(await nav().getByRole('link', { name: 'Echo' }).count()).toBe(1); // global: works everywhere
    await page.screenshot({ path: path.join(ARTIFACTS, 'plugin-views.png') });

    await page.goto(`${t.url}/s/box/root-only`);
    await page.getByRole('heading', { name: 'Root only is not available on Test box' }).waitFor();
    expect(await page.getByTestId('root-only').count()).toBe(0);
  });
});
