import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium } from './harness/browser.ts';
import { startAuraWithGoogle, type AuraWithGoogle, type MockGoogle } from './harness/google.ts';

/**
 * The identity provider is served from `localhost` and Aura from `127.0.0.1`: two sites, so
 * Chromium applies real SameSite rules on the way back from "Google".
 */
describe('Google sign-in in Chromium', () => {
  let browser: Browser;
  let aura: AuraWithGoogle;
  let google: MockGoogle;
  let t: TestAura;

  beforeAll(async () => {
    browser = await launchChromium();
    aura = await startAuraWithGoogle([{ email: 'alice@example.org', role: 'admin' }], { idpHost: 'localhost', consent: true });
    ({ google, t } = aura);
  });
  afterAll(async () => {
    await browser?.close();
    await aura?.stop();
  });

  it('signs in across sites and lands on the dashboard, signed in, with Lax cookies', async () => {
    google.claims = { email: 'alice@example.org', email_verified: true, name: 'Alice' };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/login`);
    expect(await page.getByLabel('Password').count()).toBe(0); // local login is off with Google on
    // A SameSite=Strict control cookie: the browser must withhold it on the way back from Google.
    await context.addCookies([{ name: 'strict_probe', value: '1', url: t.url, sameSite: 'Strict' }]);
    const hops: string[] = [];
    let callbackCookies = '';
    page.on('request', async (r) => {
      if (!r.isNavigationRequest()) return;
      hops.push(new URL(r.url()).host);
      if (r.url().includes('/login/google/authorized')) callbackCookies = (await r.allHeaders()).cookie ?? '';
    });
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.getByRole('link', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(callbackCookies).toContain('aura_oauth_state=');
    expect(callbackCookies).not.toContain('strict_probe');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(hops).toContain(new URL(google.url).host); // it really went to the other site
    expect(await page.getByText('alice@example.org').count()).toBe(1);

    const cookies = await context.cookies(t.url);
    const session = cookies.find((c) => c.name === 'aura_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookies.find((c) => c.name === 'aura_oauth_state')).toBeUndefined(); // single use, cleared
    await page.screenshot({ path: path.join(ARTIFACTS, 'google-signed-in.png') });
    await context.close();
  });

  it('shows the refusal page for an account that is not allowed', async () => {
    google.claims = { email: 'mallory@example.org', email_verified: true };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/login`);
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.getByRole('link', { name: 'Allow' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('This Google account is not allowed here.');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await context.cookies(t.url)).find((c) => c.name === 'aura_session')).toBeUndefined();
    await page.screenshot({ path: path.join(ARTIFACTS, 'google-refused.png') });
    await context.close();
  });
});
