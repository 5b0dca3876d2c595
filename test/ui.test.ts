import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, builtInsDisabled, startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium } from './harness/browser.ts';

describe('the web UI in Chromium', () => {
  let browser: Browser;
  let t: TestAura;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestAura();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Collects what the page's console and CSP complain about: a clean page has none. */
  const watch = (page: Page) => {
    const problems: string[] = [];
    // The shell asks /auth/me before sign-in; that 401 is expected, not a problem.
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    return problems;
  };

  async function signIn(page: Page, url: string) {
    await page.goto(`${url}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Server').waitFor();
  }

  it("signs in, picks local, and shows Aura's own port in the Ports panel", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watch(page);
    await signIn(page, t.url);
    await page.getByLabel('Server').selectOption('local');
    await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link', { name: 'Ports' }).click();
    await page.waitForURL(/\/s\/local\/ports$/);
    const port = new URL(t.url).port;
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: port, exact: true }) });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
    const comm = readFileSync('/proc/self/comm', 'utf8').trim(); // "node", or Node 24's "MainThread"
    expect(await row.first().getByRole('cell', { name: comm, exact: true }).count()).toBe(1);

    await page.getByLabel('Filter ports').fill(port);
    await expect.poll(() => page.getByRole('row').count()).toBe(2); // header + Aura's port
    await page.screenshot({ path: path.join(ARTIFACTS, 'ports-panel.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sorts by a column when its header is clicked', async () => {
    const page = await browser.newPage();
    await signIn(page, t.url);
    await page.goto(`${t.url}/s/local/ports`);
    await page.getByRole('table', { name: 'Listening ports' }).getByRole('row').nth(1).waitFor();
    const ports = async () => (await page.locator('tbody tr td:nth-child(3)').allTextContents()).map(Number);
    const ascending = await ports();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.getByRole('button', { name: /^Port/ }).click();
    await expect.poll(ports).toEqual([...ascending].reverse());
    await page.close();
  });

  it('shows no panel for a disabled plugin', async () => {
    const off = await startTestAura({
      plugins: builtInsDisabled(),
    });
    const page = await browser.newPage();
    try {
      await signIn(page, off.url);
      expect(await page.getByRole('navigation', { name: 'Plugins' }).getByRole('link').count()).toBe(0);
      await page.goto(`${off.url}/s/local/ports`);
      await page.getByRole('heading', { name: 'Not available' }).waitFor();
    } finally {
      await page.close();
      await off.close();
    }
  });

  it('lets an admin create an API token, shows it once, and revokes it', async () => {
    const page = await browser.newPage();
    await signIn(page, t.url);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill('nightly backup');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent())!;
    expect(token).toMatch(/^aura_/);
    expect((await t.request('/api/servers', { token })).status).toBe(200);
    const row = page.getByRole('row').filter({ hasText: 'nightly backup' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click(); // the styled confirmation
    await row.waitFor({ state: 'detached' });
    expect((await t.request('/api/servers', { token })).status).toBe(401);
    // Signing out everywhere ends this browser and every token with it.
    await page.getByLabel('Name').fill('kept');
    await page.getByRole('button', { name: 'Create token' }).click();
    const kept = (await page.getByTestId('new-token').textContent())!;
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByLabel('Password').waitFor();
    expect((await t.request('/api/servers', { token: kept })).status).toBe(401);
    await page.goto(`${t.url}/tokens`);
    await page.getByLabel('Password').waitFor(); // sent back to sign in
    await page.close();
  });

  it('shows a failed read in an error card, not a toast', async () => {
    const page = await browser.newPage();
    await signIn(page, t.url);
    await page.goto(`${t.url}/s/nope/ports`);
    const card = page.getByRole('alert').filter({ hasText: 'SERVER_NOT_FOUND' });
    await card.waitFor();
    expect(await card.textContent()).toContain('No server "nope" is configured.');
    expect(await page.getByTestId('toast').count()).toBe(0);
    await page.close();
  });
});
