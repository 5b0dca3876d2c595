import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT_DIR } from '../../core/version.ts';
import { ADMIN } from './aura.ts';

/** Screenshots and other things a person may want to look at after a run. */
export const ARTIFACTS = path.join(ROOT_DIR, 'test-artifacts');

/** Debian's Chromium, headless; never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-sandbox'],
  });
}

/** Signs `page` in through Aura's login form as the local admin, and waits to be let in. */
export async function signInAsAdmin(page: Page, auraUrl: string): Promise<void> {
  await page.goto(`${auraUrl}/login`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/**
 * A screenshot the README shows. It goes to docs/screenshots only when UPDATE_SCREENSHOTS=1
 * (run the UI tests with it after a visible change, and commit the pictures); any other run
 * writes it to test-artifacts, so that running the tests leaves the work tree as it was.
 */
export async function docScreenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT_DIR, 'docs', 'screenshots') : ARTIFACTS;
  await page.screenshot({ path: path.join(dir, name), ...opts });
}
