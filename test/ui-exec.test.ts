import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noHorizontalScroll, touchTargets } from './harness/a11y.ts';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium, signInAsAdmin } from './harness/browser.ts';

describe('the Run command panel in Chromium', () => {
  let browser: Browser;
  let t: TestAura;

  beforeAll(async () => {
    // A 1 s default timeout and 1 KiB of output per stream, to see both in the panel.
    t = await startTestAura({ plugins: { exec: { defaultTimeoutSeconds: 1, maxOutputKb: 1 } } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openPanel(width = 1280, height = 800): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await signInAsAdmin(page, t.url);
    await page.goto(`${t.url}/s/local/exec`);
    await page.getByRole('heading', { name: 'Run a command on This machine' }).waitFor();
    return page;
  }

  const toast = (page: Page, code: string) => page.getByTestId('toast').filter({ hasText: code });

  it('runs a command and shows its output, stderr and exit code; a denied one says why; ↑ recalls', async () => {
    const page = await openPanel();
    const line = page.getByLabel('Command');
    const first = 'echo "hi $((6*7))"; echo oops >&2; exit 3';
    await line.fill(first);
    await page.getByRole('button', { name: 'Run' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByText('exit code 3').waitFor();
    expect(await result.getByLabel('Standard output').textContent()).toBe('hi 42\n');
    expect(await result.getByLabel('Standard error').textContent()).toBe('oops\n');
    expect(await result.locator('.ran').textContent()).toBe(first);
    expect(await result.getByText(/^\d+ ms$|^\d+\.\d s$/).count()).toBe(1); // the duration
    // Failure red and standard error in red; both meet AA (the a11y test runs axe on this page).
    const colour = (selector: string) => result.locator(selector).evaluate((el) => getComputedStyle(el).color);
    expect(await colour('.badge')).toBe(await colour('.stderr'));
    expect(await colour('.badge')).not.toBe(await colour('.stdout'));
    expect(await line.inputValue()).toBe(''); // it ran: the line is cleared
    await page.screenshot({ path: path.join(ARTIFACTS, 'exec.png') });

    await line.fill('sudo reboot');
    await page.getByRole('button', { name: 'Run' }).click();
    await toast(page, 'COMMAND_DENIED').waitFor();
    expect(await toast(page, 'COMMAND_DENIED').textContent()).toContain('shutting the server down');
    expect(await line.inputValue()).toBe('sudo reboot'); // kept, to be put right
    expect(await result.getByText('exit code 3').count()).toBe(1); // the last result stays

    await line.fill('echo second');
    await line.press('Enter');
    await result.getByText('exit code 0').waitFor();

    // ↑ walks back through what ran (not the refused line), ↓ comes back to what was typed.
    await line.fill('ech');
    await line.press('ArrowUp');
    await expect.poll(() => line.inputValue()).toBe('echo second');
    await line.press('ArrowUp');
    expect(await line.inputValue()).toBe(first);
    await line.press('ArrowDown');
    expect(await line.inputValue()).toBe('echo second');
    await line.press('ArrowDown');
    expect(await line.inputValue()).toBe('ech');
    await page.close();
  });

  it('shows the output so far when a command times out, and says when output was cut', async () => {
    const page = await openPanel();
    const line = page.getByLabel('Command');
    const result = page.getByRole('region', { name: 'Result' });
    await line.fill('echo partial; sleep 30');
    await page.getByRole('button', { name: 'Run' }).click();
    await toast(page, 'COMMAND_TIMEOUT').waitFor();
    await result.getByText('timed out').waitFor();
    expect(await result.getByLabel('Standard output').textContent()).toBe('partial\n');

    await line.fill('head -c 5000 /dev/zero | tr "\\0" x');
    await page.getByRole('button', { name: 'Run' }).click();
    await result.getByText('truncated', { exact: true }).waitFor();
    expect(await result.getByLabel('Standard output').textContent()).toBe('x'.repeat(1024));
    await page.close();
  });

  it('fits a phone: 390 px, no sideways scroll, 44 px targets, long output wraps', async () => {
    const page = await openPanel(390, 844);
    await page.getByLabel('Command').fill(`echo ${'long-word-'.repeat(40)}; ls -la /`);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByText('exit code 0').waitFor();
    await noHorizontalScroll(page);
    await touchTargets(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'exec-390.png'), fullPage: true });
    await page.close();
  });
});
