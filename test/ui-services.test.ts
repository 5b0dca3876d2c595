import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium } from './harness/browser.ts';
import { startAuraWithGoogle, viewerContext } from './harness/google.ts';
import { freePort } from './harness/net.ts';
import { bootSystemd, installTestUnit, writeUnit, type SystemdBox } from './harness/systemd.ts';

const UNIT = 'aura-web.service';
/** Logs one line at each of three priorities (journald reads the `<n>` prefix), then idles. */
const NOISY = 'aura-noisy.service';
const GHOST = 'aura-ghost.service';

describe('the Services panel in Chromium, on a booted systemd', { timeout: 120_000 }, () => {
  let browser: Browser;
  let box: SystemdBox;
  let t: TestAura;
  /** The browsers' socket.io connections, to cut them as a network drop would. */
  const upgraded: Socket[] = [];

  beforeAll(async () => {
    box = await bootSystemd();
    await installTestUnit(box, UNIT, await freePort());
    await writeUnit(
      box,
      NOISY,
      `[Service]\nExecStart=/bin/sh -c 'echo "<3>disk on fire"; echo "<4>getting warm"; echo "<6>all fine"; exec sleep infinity'\n`,
    );
    t = await startTestAura({
      servers: [
        { ...box.server('box'), name: 'Web server' },
        { ...box.server('spare'), name: 'Spare box' },
      ],
      plugins: {
        services: {
          enabled: true,
          units: {
            box: [
              { unit: UNIT, name: 'Web' },
              { unit: NOISY, name: 'Noisy' },
              { unit: GHOST, name: 'Typo' },
            ],
          },
        },
      },
    });
    t.aura.server.on(
      'upgrade',
      (req: { url?: string }, socket: Socket) => req.url?.startsWith('/socket.io/') && upgraded.push(socket),
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await box?.stop();
  });

  const mainPid = async () => Number(await box.show(UNIT, 'MainPID'));

  async function signIn(width = 1280, height = 800): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    const page = await context.newPage();
    await page.goto(`${t.url}/login`);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return page;
  }

  /** Answers the styled confirmation, after checking it names the unit, the server and the consequence. */
  async function confirm(page: Page, title: string, body: RegExp, button: string) {
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(body);
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

  it('restarts and stops the unit after a styled confirmation, and shows its live journal', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/box/services`);
    await page.getByRole('heading', { name: 'Services on Web server' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: UNIT });
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('active');

    const before = await mainPid();
    await row.getByRole('button', { name: `Restart ${UNIT}` }).click();
    // Cancelling asks nothing of the server.
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await mainPid()).toBe(before);
    await row.getByRole('button', { name: `Restart ${UNIT}` }).click();
    await confirm(page, `Restart ${UNIT} on Web server?`, /connections are dropped/, 'Restart');
    await expect.poll(mainPid).not.toBe(before);
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('active');

    const logsButton = row.getByRole('button', { name: `Logs of ${UNIT}` });
    await logsButton.click();
    expect(await logsButton.getAttribute('aria-expanded')).toBe('true');
    const drawer = page.getByRole('complementary', { name: `Logs of ${UNIT}` });
    const started = drawer.getByText(/Started .*Aura test web/);
    await expect.poll(() => started.count()).toBeGreaterThan(0);
    // Timestamps carry the date.
    expect(await drawer.locator('time').first().textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const count = await started.count();
    await row.getByRole('button', { name: `Restart ${UNIT}` }).click(); // the follow shows the new start live
    await confirm(page, `Restart ${UNIT} on Web server?`, /connections are dropped/, 'Restart');
    await expect.poll(() => started.count(), { timeout: 15_000 }).toBeGreaterThan(count);
    await page.screenshot({ path: path.join(ARTIFACTS, 'services-panel.png') });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      drawer.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^aura-web\.service-[\d-]+\.log$/);
    const saved = readFileSync((await download.path())!, 'utf8');
    expect(saved).toMatch(/^\d{4}-\d\d-\d\dT\S+ Started .*Aura test web/m);

    // Escape closes the drawer and gives focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe(`Logs of ${UNIT}`);
    expect(await logsButton.getAttribute('aria-expanded')).toBe('false');

    await row.getByRole('button', { name: `Stop ${UNIT}` }).click();
    await confirm(page, `Stop ${UNIT} on Web server?`, /stays stopped/, 'Stop');
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('inactive');
    expect((await box.exec(['systemctl', 'is-active', UNIT]).catch((e: { stdout: string }) => e.stdout)).trim()).toBe('inactive');
    // Start needs no question.
    await row.getByRole('button', { name: `Start ${UNIT}`, exact: true }).click();
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('active');
    expect(await page.getByTestId('toast').count()).toBe(0);
    await page.context().close();
  });

  it('filters the journal by severity, and marks the gap when the socket reconnects', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/box/services`);
    await page.getByRole('button', { name: `Logs of ${NOISY}` }).click();
    const drawer = page.getByRole('complementary', { name: `Logs of ${NOISY}` });
    await drawer.getByText('all fine').waitFor();
    const severity = drawer.getByLabel('Severity');
    await severity.selectOption('warning');
    await drawer.getByText('all fine').waitFor({ state: 'detached' });
    expect(await drawer.getByText('getting warm').count()).toBe(1);
    await severity.selectOption('error');
    await drawer.getByText('getting warm').waitFor({ state: 'detached' });
    expect(await drawer.getByText('disk on fire').count()).toBe(1);
    await severity.selectOption('all');

    // Cut the websocket as a network drop would; socket.io reconnects and the drawer says so.
    for (const socket of upgraded.splice(0)) socket.destroy();
    await drawer.getByText('— reconnected, entries may be missing —').waitFor({ timeout: 20_000 });
    await page.context().close();
  });

  it('shows a unit systemd does not know as not found, with its actions disabled', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/box/services`);
    const row = page.getByRole('row').filter({ hasText: GHOST });
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('not found');
    for (const action of ['Start', 'Stop', 'Restart'])
      expect(await row.getByRole('button', { name: `${action} ${GHOST}`, exact: true }).isDisabled()).toBe(true);
    await page.context().close();
  });

  it('disables the actions and stops the uptime clock while Aura cannot be reached', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/box/services`);
    const row = page.getByRole('row').filter({ hasText: UNIT });
    const restart = row.getByRole('button', { name: `Restart ${UNIT}` });
    await expect.poll(() => restart.isEnabled()).toBe(true);
    await page.context().setOffline(true);
    await expect.poll(() => restart.isDisabled(), { timeout: 20_000 }).toBe(true);
    const uptime = await row.locator('td').nth(2).textContent();
    // Once the data is marked stale, the clock has had seconds to move; it must not have.
    await page.getByTestId('updated').filter({ hasText: 'stale' }).waitFor({ timeout: 30_000 });
    expect(await row.locator('td').nth(2).textContent()).toBe(uptime);
    await page.context().setOffline(false);
    await expect.poll(() => restart.isEnabled(), { timeout: 20_000 }).toBe(true);
    await page.context().close();
  });

  it('shows refused limits under their field, and applies good ones after a confirmation', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/box/services`);
    const row = page.getByRole('row').filter({ hasText: UNIT });
    const toggle = row.getByRole('button', { name: `Limits of ${UNIT}` });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const form = page.getByRole('form', { name: `Limits of ${UNIT}` });
    await form.getByLabel('CPUQuota').fill('lots');
    await form.getByRole('button', { name: 'Apply and restart' }).click();
    await confirm(page, `Apply limits to ${UNIT} on Web server?`, /CPU lots.*restarted/, 'Apply and restart');
    const cpu = form.getByLabel('CPUQuota');
    await expect.poll(() => cpu.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('alert').textContent()).toMatch(/must be a percentage/);
    expect(await page.getByTestId('toast').count()).toBe(0);

    await cpu.fill('50%');
    await form.getByLabel('MemoryMax').fill('256M');
    await form.getByRole('button', { name: 'Apply and restart' }).click();
    await confirm(page, `Apply limits to ${UNIT} on Web server?`, /CPU 50%, memory 256M/, 'Apply and restart');
    const shown = (p: string) => () => box.show(UNIT, p);
    await expect.poll(shown('CPUQuotaPerSecUSec'), { timeout: 20_000 }).toBe('500ms');
    expect(await shown('MemoryMax')()).toBe('268435456');
    await expect.poll(() => form.textContent()).toMatch(/Now: CPU 50%, memory 256 MiB/);
    await page.context().close();
  });

  it('shows an error card, not an empty list, when systemctl fails, and Retry reads again', async () => {
    const page = await signIn();
    await box.exec(['mount', '--bind', '/bin/false', '/usr/bin/systemctl']);
    try {
      await page.goto(`${t.url}/s/box/services`);
      const card = page.getByTestId('error-card');
      await card.waitFor();
      expect(await card.textContent()).toMatch(/The services could not be read on Web server.*SYSTEMD_ERROR/s);
      expect(await page.getByText(/No services are managed/).count()).toBe(0);
      expect(await page.getByTestId('toast').count()).toBe(0);
    } finally {
      await box.exec(['umount', '/usr/bin/systemctl']);
    }
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('row').filter({ hasText: UNIT }).waitFor();
    expect(await page.getByTestId('error-card').count()).toBe(0);
    await page.context().close();
  });

  it('on a server with no units, names the config file to edit and copies a snippet for it', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/spare/services`);
    await page.getByRole('heading', { name: 'No services are managed on Spare box yet' }).waitFor();
    // This Aura read no config file, so the one to write is config/local.yaml.
    expect(await page.getByTestId('config-file').textContent()).toMatch(/Create config\/local\.yaml/);
    const snippet = 'plugins:\n  services:\n    units:\n      spare:\n        - { unit: app.service, name: App }\n';
    expect(await page.getByTestId('snippet').textContent()).toBe(snippet);
    await page.getByRole('button', { name: 'Copy the config snippet' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);
    await page.context().close();
  });

  it('on a phone: cards with a ⋯ menu, full-width drawer, 44 px targets, no sideways scroll', async () => {
    const page = await signIn(390, 844);
    await page.goto(`${t.url}/s/box/services`);
    const menuButton = page.getByRole('button', { name: `Actions for ${UNIT}` });
    await menuButton.waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: UNIT }).getByTestId('state').textContent()).toBe('active');
    expect(await menuButton.getAttribute('aria-haspopup')).toBe('menu');
    expect(await menuButton.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-panel] :is(button, input, select)')]
        .filter((e) => e.checkVisibility())
        .map((e) => ({ name: e.getAttribute('aria-label') ?? e.textContent, box: e.getBoundingClientRect() }))
        .filter((e) => e.box.height < 44 || e.box.width < 44)
        .map((e) => e.name),
    );
    expect(small).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'services-390.png'), fullPage: true });

    // Escape closes the menu and leaves focus on its button.
    await menuButton.click();
    expect(await menuButton.getAttribute('aria-expanded')).toBe('true');
    const menu = page.getByRole('menu', { name: `Actions for ${UNIT}` });
    expect(await menu.getByRole('menuitem', { name: `Restart ${UNIT}` }).isEnabled()).toBe(true);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe(`Actions for ${UNIT}`);

    await menuButton.click();
    await menu.getByRole('menuitem', { name: `Logs of ${UNIT}` }).click();
    const drawer = page.getByRole('complementary', { name: `Logs of ${UNIT}` });
    await drawer.waitFor();
    expect((await drawer.boundingBox())!.width).toBe(390);
    await page.screenshot({ path: path.join(ARTIFACTS, 'services-390-logs.png') });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe(`Actions for ${UNIT}`);

    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByRole('button', { name: `Restart ${UNIT}` }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'services-1400.png'), fullPage: true });
    await page.context().close();
  });

  it('offers a viewer only the logs of a unit, not its actions or limits', async () => {
    const google = await startAuraWithGoogle([{ email: 'vera@example.org', role: 'viewer' }], {
      config: {
        servers: [{ ...box.server('box'), name: 'Web server' }],
        plugins: { services: { enabled: true, units: { box: [{ unit: UNIT, name: 'Web' }] } } },
      },
    });
    try {
      const context = await viewerContext(browser, google);
      const page = await context.newPage();
      await page.goto(`${google.t.url}/s/box/services`);
      const row = page.getByRole('row').filter({ hasText: UNIT });
      await row.getByRole('button', { name: `Logs of ${UNIT}` }).waitFor();
      for (const name of [`Start ${UNIT}`, `Stop ${UNIT}`, `Restart ${UNIT}`, `Limits of ${UNIT}`])
        expect(await page.getByRole('button', { name }).count(), name).toBe(0);
      await context.close();
    } finally {
      await google.stop();
    }
  });
});
