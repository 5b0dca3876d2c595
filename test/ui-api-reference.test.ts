import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { docScreenshot, launchChromium, signInAsAdmin } from './harness/browser.ts';

describe('the API reference page in Chromium', () => {
  let browser: Browser;
  let t: TestAura;

  beforeAll(async () => {
    t = await startTestAura();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sends a stranger to sign in', async () => {
    const res = await t.request('/api-reference', { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fapi-reference');
  });

  it("renders this Aura's OpenAPI document from Aura's own files, within the page's CSP", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => new URL(r.url()).origin !== new URL(t.url).origin && elsewhere.push(r.url()));
    await signInAsAdmin(page, t.url);
    await page.getByRole('link', { name: 'API reference' }).click();
    await page.waitForURL(`${t.url}/api-reference`);
    await page.getByRole('heading', { name: /^Aura/ }).waitFor();
    // A plugin's route, with the summary its routeInput declared.
    const exec = page.locator('.opblock').filter({ hasText: '/api/servers/{serverId}/exec' }).first();
    await exec.waitFor();
    expect(await exec.textContent()).toContain('Runs one shell line');
    await docScreenshot(page, 'api-reference.png');
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]); // no CDN, no fonts, no validator
    await page.close();
  });
});
