import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './harness/net.ts';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { startSshd, type TestSshd } from './harness/sshd.ts';

/** The shell: connection status, phone layout, server switching, keyboard flow, honest states. */

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, url: string) {
  await signInAsAdmin(page, url);
  await page.locator('main#main').waitFor(); // the shell (on a phone the server selector is in the closed menu)
}

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const focused = (page: Page) => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent}`);

describe('one connection status', () => {
  const running: TestAura[] = [];
  afterAll(async () => {
    for (const t of running) await t.close().catch(() => undefined);
  });

  it('shows a banner while Aura is down, an error inside the shell on navigation, and recovers without a reload', async () => {
    const first = await startTestAura();
    running.push(first);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    await signIn(page, first.url);
    await page.goto(`${first.url}/s/local/ports`);
    await page.getByRole('table', { name: 'Listening ports' }).waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    await first.close({ keepData: true });
    const banner = page.getByRole('alert').filter({ hasText: 'Aura cannot be reached — retrying…' });
    await banner.waitFor();

    // Signing out needs Aura: the user is told, and stays on the page, signed in.
    const signOut = page.getByRole('button', { name: 'Sign out' });
    await signOut.click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Not signed out' });
    await toast.waitFor();
    await expect.poll(() => signOut.isEnabled()).toBe(true);
    await signOut.click(); // the same message again: one toast, counted
    await expect.poll(() => toast.getByTestId('toast-count').textContent()).toBe('×2');
    expect(await page.getByTestId('toast').count()).toBe(1);
    expect(page.url()).toMatch(/\/s\/local\/ports$/);

    // Navigating while down: the shell stays, and says why in place of the page.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).click();
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: 'Aura cannot be reached', level: 1 }).waitFor();
    await main.getByTestId('error-card').getByRole('button', { name: 'Retry' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link', { name: 'Ports' }).count()).toBe(1);
    expect(await page.title()).toBe('Error · Aura');
    await page.screenshot({ path: path.join(ARTIFACTS, 'shell-offline.png') });

    const port = Number(new URL(first.url).port);
    const second = await startTestAura({ listen: { port } }, { dataDir: first.dataDir });
    running.push(second);
    await banner.waitFor({ state: 'detached' });
    await main.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor(); // loaded again by itself
    expect(await page.title()).toBe('API tokens · Aura');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42); // no reload
    expect(await page.getByLabel('Server').inputValue()).toBe('local');

    // An error toast stays until dismissed.
    expect(await toast.count()).toBe(1);
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await toast.waitFor({ state: 'detached' });
    await page.close();
  });
});

describe('the shell on one server', () => {
  let t: TestAura;
  let page: Page;

  beforeAll(async () => {
    t = await startTestAura();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    await signIn(page, t.url);
  });
  afterAll(async () => {
    await page?.close();
    await t?.close();
  });

  it('says why a panel cannot be shown, in an error card, without a toast', async () => {
    await page.goto(`${t.url}/s/nope/ports`);
    const card = page.getByTestId('error-card');
    await card.waitFor();
    expect(await card.textContent()).toContain('No server "nope" is configured.');
    expect(await card.textContent()).toContain('SERVER_NOT_FOUND');
    // Aura does not serve its README: the section is named, not linked to a page that is not there.
    expect(await card.textContent()).toContain("What to do: see “Adding a server” in Aura's README.md");
    await card.getByRole('button', { name: 'Retry' }).waitFor();
    expect(await page.getByTestId('toast').count()).toBe(0);

    await page.goto(`${t.url}/s/local/nothing`);
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
    expect(await page.getByTestId('error-card').textContent()).toContain('No plugin "nothing" is installed.');
  });

  it('lists plugins in the same order at home and in the sidebar, and says which cannot work here', async () => {
    await page.goto(`${t.url}/?server=local`);
    const table = page.getByRole('table', { name: 'Plugins' });
    await table.waitFor();
    expect(await page.title()).toBe('Home · Aura');
    const ids = (list: string[]) => list.filter((id) => id === 'ports' || id === 'services');
    const inNav = await page
      .locator('nav[aria-label="Plugins"] li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-plugin')!));
    const atHome = await table.locator('tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute('data-plugin')!));
    expect(ids(inNav)).toEqual(['services', 'ports']); // nav.order 10 and 50, not alphabetical
    expect(ids(atHome)).toEqual(ids(inNav));
    // Services needs systemd, which this machine lacks: not a green "started".
    const services = table.locator('tr[data-plugin="services"]');
    expect(await services.locator('.badge').textContent()).toBe('unavailable here');
    expect(await services.textContent()).toContain('does not run systemd');
    expect(await table.locator('tr[data-plugin="ports"] .badge').textContent()).toBe('started');
  });

  it('has a skip link first, and moves focus to the h1 after each navigation', async () => {
    await page.goto(`${t.url}/?server=local`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('A Skip to content');
    const box = await page.getByRole('link', { name: 'Skip to content' }).boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0); // visible once focused
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('H1 Dashboard');

    await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link', { name: 'Ports' }).click();
    await expect.poll(() => focused(page)).toMatch(/^H1 Ports/); // a lazily loaded panel's h1
    expect(await page.title()).toBe('Ports · This machine · Aura');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).click();
    await expect.poll(() => focused(page)).toBe('H1 API tokens');
    expect(await page.locator('h1').getAttribute('tabindex')).toBe('-1');
  });

  it('on a phone: a top bar with a menu that opens the nav as a drawer, no sideways scroll, big targets', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true });
    phone.setDefaultTimeout(20_000);
    try {
      await signIn(phone, t.url);
      const menu = phone.getByRole('button', { name: 'Menu' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await menu.getAttribute('aria-controls')).toBe('shell-nav');
      expect(await phone.getByTestId('topbar-server').textContent()).toBe('This machine');
      const nav = phone.locator('#shell-nav');
      expect(await nav.isVisible()).toBe(false);
      expect(await noHorizontalScroll(phone)).toBe(true);

      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await nav.waitFor();
      expect((await nav.boundingBox())!.width).toBeGreaterThanOrEqual(380);
      const targets = nav.locator('a, button, select');
      for (const target of await targets.all()) {
        const b = (await target.boundingBox())!;
        expect({ target: await target.textContent(), height: b.height >= 44 }).toEqual({
          target: await target.textContent(),
          height: true,
        });
      }
      expect((await menu.boundingBox())!.height).toBeGreaterThanOrEqual(44);
      await phone.screenshot({ path: path.join(ARTIFACTS, 'shell-phone-drawer.png') });

      await phone.keyboard.press('Escape');
      await nav.waitFor({ state: 'hidden' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await phone.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Menu');

      await menu.click();
      await nav.getByRole('link', { name: 'Ports' }).click();
      await phone.waitForURL(/\/s\/local\/ports$/);
      await nav.waitFor({ state: 'hidden' });
      await phone.getByRole('table', { name: 'Listening ports' }).waitFor();
      expect(await noHorizontalScroll(phone)).toBe(true);
      await phone.goto(`${t.url}/tokens`);
      await phone.getByRole('heading', { name: 'API tokens' }).waitFor();
      expect(await noHorizontalScroll(phone)).toBe(true);
    } finally {
      await phone.close();
    }
  });
});

describe('server switching', () => {
  let sshd: TestSshd;
  let t: TestAura;

  beforeAll(async () => {
    sshd = await startSshd();
    const dead = { ...sshd.server('dead'), name: 'Dead box', port: await freePort() };
    t = await startTestAura({ servers: [{ ...sshd.server('box'), name: 'Test box' }, dead] });
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  it('keeps the chosen server in the URL and every link, remembers it, and shows whether each answers', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    try {
      await signIn(page, t.url);
      await page.goto(`${t.url}/s/local/ports`);
      await page.getByRole('table', { name: 'Listening ports' }).waitFor();
      await page.getByLabel('Server').selectOption('box');
      await page.waitForURL(/\/s\/box\/ports$/);
      await expect.poll(() => page.title()).toBe('Ports · Test box · Aura');
      const status = page.getByTestId('server-status');
      await expect.poll(() => status.textContent()).toContain('Reachable');
      expect(await page.getByTestId('topbar-server').textContent()).toBe('Test box');

      const settings = page.getByRole('navigation', { name: 'Settings' });
      expect(await settings.getByRole('link', { name: 'API tokens' }).getAttribute('href')).toBe('/tokens?server=box');
      expect(await page.getByRole('link', { name: 'Aura', exact: true }).getAttribute('href')).toBe('/?server=box');
      await settings.getByRole('link', { name: 'API tokens' }).click();
      await page.waitForURL(/\/tokens\?server=box$/);
      expect(await page.getByLabel('Server').inputValue()).toBe('box');

      // A page whose URL names no server gets the last choice, and the links agree after a reload.
      await page.goto(`${t.url}/tokens`);
      await page.getByRole('heading', { name: 'API tokens' }).waitFor();
      expect(await page.getByLabel('Server').inputValue()).toBe('box');
      expect(
        await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link', { name: 'Ports' }).getAttribute('href'),
      ).toBe('/s/box/ports');

      // Another page with ?server=: the selector follows the URL.
      await page.goto(`${t.url}/?server=local`);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      expect(await page.getByLabel('Server').inputValue()).toBe('local');

      // The server that does not answer says so, beside the selector and in its option.
      const deadOption = page.getByLabel('Server').locator('option[value="dead"]');
      await expect.poll(() => deadOption.textContent(), { timeout: 20_000 }).toContain('— unreachable');
      await page.getByLabel('Server').selectOption('dead');
      await page.waitForURL(/\?server=dead$/);
      await expect.poll(() => status.getAttribute('data-state')).toBe('down');
      expect(await status.innerText()).toMatch(/^Unreachable: Cannot reach server "dead"/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'shell-servers.png') });
    } finally {
      await page.close();
    }
  });
});
