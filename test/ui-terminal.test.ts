import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { cleanHome } from './harness/terminal.ts';

/** What the active terminal shows, as the user reads it. */
const screenText = (page: Page) => page.locator('.screen:not([hidden]) .xterm-rows').innerText();

describe('the Terminal panel in Chromium', () => {
  let browser: Browser;
  let t: TestAura;
  let restoreHome: () => void;

  beforeAll(async () => {
    restoreHome = cleanHome();
    t = await startTestAura({
      plugins: { terminal: { enabled: true, shortcuts: [{ label: 'Who am I', command: 'echo "me-$(id -u)-end"' }] } },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    restoreHome?.();
  });

  it('answers typed commands, survives a reload with its output, runs shortcuts, and opens more tabs', async () => {
    const page = await browser.newPage();
    await signInAsAdmin(page, t.url);
    await page.goto(`${t.url}/s/local/terminal`);
    await page.locator('.screen:not([hidden]) .xterm-rows').waitFor();
    await page.locator('.screen:not([hidden]) .xterm-helper-textarea').focus();
    await page.keyboard.type('echo "mark-$((6*7))"');
    await page.keyboard.press('Enter');
    await expect.poll(() => screenText(page)).toContain('mark-42');
    await page.screenshot({ path: path.join(ARTIFACTS, 'terminal.png') });

    await page.reload();
    await expect.poll(() => screenText(page)).toContain('mark-42');
    expect(await page.getByRole('button', { name: /^Shell \d+$/ }).count()).toBe(1);
    await page.locator('.screen:not([hidden]) .xterm-helper-textarea').focus();
    await page.keyboard.type('echo "again-$((2+3))"');
    await page.keyboard.press('Enter');
    await expect.poll(() => screenText(page)).toContain('again-5');

    await page.getByRole('button', { name: 'Who am I' }).click();
    await expect.poll(() => screenText(page)).toMatch(/me-\d+-end/);

    await page.getByRole('button', { name: 'New terminal' }).click();
    await expect.poll(() => page.getByRole('button', { name: /^Shell \d+$/ }).count()).toBe(2);
    await expect.poll(() => screenText(page)).not.toContain('mark-42');
    await page
      .getByRole('button', { name: /^Shell \d+$/ })
      .first()
      .click();
    await expect.poll(() => screenText(page)).toContain('mark-42');
    await page.close();
  });
});
