import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium } from './harness/browser.ts';
import { freePort } from './harness/net.ts';
import { bootSystemd, installTestUnit, type SystemdBox } from './harness/systemd.ts';

const UNIT = 'aura-web.service';

describe('the Services panel in Chromium, on a booted systemd', () => {
  let browser: Browser;
  let box: SystemdBox;
  let t: TestAura;

  beforeAll(async () => {
    box = await bootSystemd();
    const port = await freePort();
    await installTestUnit(box, UNIT, port);
    t = await startTestAura({
      servers: [box.server('box')],
      plugins: { services: { enabled: true, units: { box: [{ unit: UNIT, name: 'Web' }] } } },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await box?.stop();
  });

  const mainPid = async () => Number((await box.exec(['systemctl', 'show', '-p', 'MainPID', '--value', UNIT])).trim());

  it('restarts and stops the unit from the panel, and shows its live journal', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${t.url}/login`);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Server').selectOption('box');
    await page.goto(`${t.url}/s/box/services`);
    const row = page.getByRole('row').filter({ hasText: UNIT });
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('active');

    const before = await mainPid();
    await row.getByRole('button', { name: 'Restart' }).click();
    await expect.poll(mainPid).not.toBe(before);
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('active');

    await row.getByRole('button', { name: 'Logs' }).click();
    const drawer = page.getByRole('complementary', { name: `Logs of ${UNIT}` });
    await expect.poll(() => drawer.getByText(/Started .*Aura test web/).count()).toBeGreaterThan(0);
    const started = await drawer.getByText(/Started .*Aura test web/).count();
    await row.getByRole('button', { name: 'Restart' }).click(); // the follow shows the new start live
    await expect.poll(() => drawer.getByText(/Started .*Aura test web/).count(), { timeout: 15_000 }).toBeGreaterThan(started);
    await page.screenshot({ path: path.join(ARTIFACTS, 'services-panel.png') });
    await drawer.getByRole('button', { name: 'Close logs' }).click();

    await row.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('inactive');
    expect((await box.exec(['systemctl', 'is-active', UNIT]).catch((e: { stdout: string }) => e.stdout)).trim()).toBe('inactive');
    await page.close();
  });
});
