import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium } from './harness/browser.ts';

/** The API tokens page: copy, a ready curl line, relative dates, a styled revoke, phones. */

const MINUTE = 60_000;

let browser: Browser;
let t: TestAura;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  // Aura's clock runs two minutes behind the browser's: what it makes is "2 minutes ago" at once.
  t = await startTestAura({}, { now: () => Date.now() - 2 * MINUTE });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
});

/** A signed-in page on /tokens that may use the clipboard; window dialogs count as problems. */
async function tokensPage(url: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && !/status of 40[01]/.test(m.text()) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`window.${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${url}/login`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('main#main').waitFor();
  await page.goto(`${url}/tokens`);
  await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  return { page, problems };
}

async function createToken(page: Page, name: string, days = 30): Promise<string> {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Expires in (days)').fill(String(days));
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByRole('heading', { name: `New token “${name}”` }).waitFor();
  return (await page.getByTestId('new-token').textContent())!;
}

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

describe('the API tokens page', () => {
  it('copies a new token and a ready curl line, and dates the tokens relatively', async () => {
    const { page, problems } = await tokensPage(t.url);
    const token = await createToken(page, 'nightly backup');
    expect(token).toMatch(/^aura_/);

    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied ✓' }).waitFor();
    expect(await clipboard(page)).toBe(token);

    const curl = `curl -H "Authorization: Bearer ${token}" ${t.url}/api/servers`;
    expect(await page.getByTestId('curl-example').textContent()).toBe(curl);
    await page.getByRole('button', { name: 'Copy command' }).click();
    await expect.poll(() => clipboard(page)).toBe(curl);

    const row = page.getByRole('row').filter({ hasText: 'nightly backup' });
    expect((await row.getByRole('cell').allTextContents()).map((c) => c.trim())).toEqual([
      'nightly backup',
      'created 2 minutes ago',
      'expires in 30 days',
      'never used',
      'Revoke',
    ]);
    // The exact moment is in the tooltip, in the reader's locale.
    const created = row.locator('time').first();
    const iso = (await created.getAttribute('datetime'))!;
    expect(await created.getAttribute('title')).toContain(String(new Date(iso).getFullYear()));

    await page.screenshot({ path: path.join(ARTIFACTS, 'tokens.png'), fullPage: true });
    expect((await t.request('/api/servers', { token })).status).toBe(200);
    await page.reload();
    await expect.poll(async () => (await row.getByRole('cell').nth(3).textContent())?.trim()).toBe('used 2 minutes ago');
    expect(problems).toEqual([]);
  });

  it('asks in the styled dialog before revoking: Cancel and Escape keep the token, Revoke ends it', async () => {
    const { page, problems } = await tokensPage(t.url);
    const token = await createToken(page, 'deploy bot');
    const row = page.getByRole('row').filter({ hasText: 'deploy bot' });
    const revoke = row.getByRole('button', { name: 'Revoke deploy bot' });
    const dialog = page.getByRole('dialog', { name: 'Revoke "deploy bot"?' });

    await revoke.click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Scripts using it stop working at once.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => revoke.evaluate((b) => b === document.activeElement)).toBe(true);
    await revoke.click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await row.count()).toBe(1);
    expect((await t.request('/api/servers', { token })).status).toBe(200);

    await revoke.click();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await t.request('/api/servers', { token })).status).toBe(401);
    // Its secret is no longer on screen, and focus is not lost with the row.
    expect(await page.getByTestId('new-token').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Your tokens');
    expect(problems).toEqual([]);
  });

  it('signs out everywhere only once confirmed in the styled dialog', async () => {
    const own = await startTestAura();
    try {
      const { page, problems } = await tokensPage(own.url);
      const token = await createToken(page, 'kept');
      const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect((await own.request('/api/servers', { token })).status).toBe(200);

      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByLabel('Password').waitFor();
      expect((await own.request('/api/servers', { token })).status).toBe(401);
      expect(problems).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it("holds the expiry to the server's limit and shows a refusal under the field", async () => {
    const { page } = await tokensPage(t.url);
    expect(await page.getByLabel('Expires in (days)').getAttribute('max')).toBe('90'); // session.maxTokenDays' default

    const short = await startTestAura({ session: { maxTokenDays: 7 } });
    try {
      const { page: other, problems } = await tokensPage(short.url);
      // Today the page learns the limit from the server's 400; were it told before (/api/about),
      // its own check says the same, in the same place, and nothing is sent.
      const posts: number[] = [];
      other.on('response', (r) => r.request().method() === 'POST' && r.url().endsWith('/api/tokens') && posts.push(r.status()));
      const days = other.getByLabel('Expires in (days)');
      await other.getByLabel('Name').fill('too long-lived');
      await days.fill('30');
      await other.getByRole('button', { name: 'Create token' }).click();
      const error = other.locator('#token-days-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/at most 7 days/);
      expect(await days.getAttribute('aria-invalid')).toBe('true');
      expect(await days.getAttribute('aria-describedby')).toContain('token-days-error');
      expect(await days.getAttribute('max')).toBe('7');
      expect(posts.every((status) => status === 400)).toBe(true);
      expect(await other.getByRole('cell', { name: 'No tokens yet.' }).count()).toBe(1);

      await days.fill('7');
      await other.getByRole('button', { name: 'Create token' }).click();
      await other.getByRole('row').filter({ hasText: 'too long-lived' }).getByText('expires in 7 days').waitFor();
      expect(await error.count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await short.close();
    }
  });

  it('shows tokens as cards on a phone, with no sideways scrolling at 390 px', async () => {
    const { page, problems } = await tokensPage(t.url, { width: 390, height: 844 });
    await createToken(page, 'a rather long token name for the nightly offsite backup job');
    await page.getByTestId('curl-example').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const row = page.getByRole('row').filter({ hasText: 'nightly offsite backup' });
    expect(await row.evaluate((r) => getComputedStyle(r).display)).toBe('grid');
    const revoke = (await row.getByRole('button', { name: /^Revoke/ }).boundingBox())!;
    expect(revoke.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: path.join(ARTIFACTS, 'tokens-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
