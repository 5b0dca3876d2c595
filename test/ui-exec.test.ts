import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium, signInAsAdmin } from './harness/browser.ts';

describe('the Run command panel in Chromium', () => {
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

  it('runs a command and shows its output, stderr and exit code; a denied one says why; ↑ recalls', async () => {
    const page = await browser.newPage();
    await signInAsAdmin(page, t.url);
    await page.goto(`${t.url}/s/local/exec`);
    const line = page.getByLabel('Command');
    await line.fill('echo "hi $((6*7))"; echo oops >&2; exit 3');
    await page.getByRole('button', { name: 'Run' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByText('exit code 3').waitFor();
    expect(await result.getByLabel('Standard output').textContent()).toBe('hi 42\n');
    expect(await result.getByLabel('Standard error').textContent()).toBe('oops\n');
    await page.screenshot({ path: path.join(ARTIFACTS, 'exec.png') });

    await line.fill('sudo reboot');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('toast').filter({ hasText: 'COMMAND_DENIED' }).waitFor();
    expect(await result.getByText('exit code 3').count()).toBe(1);

    await line.fill('');
    await line.press('ArrowUp');
    await expect.poll(() => line.inputValue()).toBe('echo "hi $((6*7))"; echo oops >&2; exit 3');
    await page.close();
  });
});
