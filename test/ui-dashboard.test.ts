import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, noHorizontalScroll, touchTargets } from './harness/a11y.ts';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { docScreenshot, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { freePort } from './harness/net.ts';
import { startSshd, type TestSshd } from './harness/sshd.ts';
import { bootSystemd, writeUnit, type SystemdBox } from './harness/systemd.ts';

/** The README's pictures, taken from the real thing. */

/** Passes connections on `port` to `target` until closed: a network path to a server that can be cut. */
async function forward(target: number): Promise<{ port: number; cut(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    open.add(client).add(upstream);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

describe('the dashboard and the Metrics panel in Chromium', { timeout: 120_000 }, () => {
  let browser: Browser;
  let sshd: TestSshd;
  let t: TestAura;
  /** The way to "box", a reachable SSH server, until the last test cuts it. */
  let boxLink: Awaited<ReturnType<typeof forward>>;

  beforeAll(async () => {
    sshd = await startSshd();
    boxLink = await forward(sshd.port);
    t = await startTestAura({
      servers: [
        // "far" is configured where nothing listens: an SSH server that is down.
        { ...sshd.server('far'), port: await freePort(), name: 'Far server' },
        { ...sshd.server('box'), port: boxLink.port, name: 'Box' },
      ],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await boxLink?.cut();
    await sshd?.stop();
  });

  async function signIn(opts: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1280, height: 860 },
      colorScheme: opts.colorScheme ?? 'light',
      bypassCSP: true, // lets axe's script tag in
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await signInAsAdmin(page, t.url);
    return page;
  }

  const serverCard = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
  const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"]`).first().innerText();
  /** When the newest sample the panel or card shows was taken (ms), from its data-latest. */
  const latest = (page: Page, selector: string) => async () =>
    Number((await page.locator(selector).getAttribute('data-latest')) ?? 0);

  it('shows a card per server: live figures in human units for local, the reason for the unreachable one', async () => {
    const page = await signIn();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    expect(
      await page.locator('section[data-server]').evaluateAll((els) => els.map((e) => e.getAttribute('data-server'))),
    ).toEqual(['local', 'far', 'box']);

    const local = serverCard(page, 'This machine');
    await local.getByTestId('figures').waitFor();
    expect(await figure(page, 'cpu')).toMatch(/^\d+(\.\d)? %$/);
    expect(await figure(page, 'memory')).toMatch(/^\d+(\.\d)? [KMG]iB of \d+(\.\d)? GiB$/);
    expect(await figure(page, 'disk')).toMatch(/^\d+(\.\d)? % \/\S*$/);
    expect(await figure(page, 'load')).toMatch(/^\d+\.\d\d · \d+\.\d\d · \d+\.\d\d$/);
    expect(await figure(page, 'uptime')).toMatch(/^\d+ (d \d+ h|h \d+ min|min|s)$/);
    expect(await local.innerText()).toContain('used = total − available');
    expect(await local.getByTestId('reachability').innerText()).toBe('Reachable');

    const far = serverCard(page, 'Far server');
    await expect.poll(() => far.getByTestId('reachability').innerText(), { timeout: 20_000 }).toBe('Unreachable');
    expect(await far.getByTestId('unreachable-reason').innerText()).toMatch(/Cannot reach server "far"/);
    // No figures that could be taken for its own: not even zeros.
    expect(await far.getByTestId('figures').count()).toBe(0);
    expect(await far.innerText()).not.toMatch(/\d+(\.\d)? %/);

    // The plugin table stays, below the cards.
    await page.getByRole('table', { name: 'Plugins' }).locator('tr[data-plugin="metrics"]').waitFor();
    // A fresh sample arrived after the first: the card is live, not a snapshot.
    const localCard = '[data-server="local"] .metrics-card';
    const first = await latest(page, localCard)();
    await expect.poll(latest(page, localCard), { timeout: 10_000 }).toBeGreaterThan(first);
    await docScreenshot(page, 'dashboard.png');

    await local.getByRole('link', { name: 'This machine' }).click();
    await page.waitForURL(/\/s\/local\/metrics$/);
    await page.getByRole('heading', { name: 'Metrics on This machine', level: 1 }).waitFor();
    await page.context().close();
  });

  it('draws live charts that move, with disks and the top processes, and loads the day on 24 h', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/local/metrics`);
    const cpu = page.getByRole('img', { name: /^CPU over the last hour: \d+(\.\d)? % now$/ });
    await cpu.waitFor();
    // Each chart labels itself once the first live sample has come (history alone has no total).
    await page.getByRole('img', { name: /^Memory used over the last hour: .+ of .+GiB now$/ }).waitFor();
    await page.getByRole('img', { name: /^Network over the last hour: .+B\/s received, .+B\/s sent now$/ }).waitFor();

    // The chart moves: new samples extend it (waited for by their time, not by the clock), and
    // its pixels change. A flat line (a machine held at 100 % CPU) moves by a pixel only every
    // few seconds, with the hour's window: so the pixels are waited for too.
    const before = await cpu.screenshot();
    const since = await latest(page, '[data-panel="metrics"]')();
    await expect.poll(latest(page, '[data-panel="metrics"]'), { timeout: 15_000 }).toBeGreaterThanOrEqual(since + 3000);
    await expect.poll(async () => (await cpu.screenshot()).equals(before), { timeout: 30_000 }).toBe(false);

    const disks = page.getByRole('region', { name: 'Disks' });
    expect(await disks.getByRole('listitem').first().innerText()).toMatch(/^\/.*\d+(\.\d)? % · .+iB of .+iB$/s);
    for (const name of ['Top processes by CPU', 'Top processes by memory']) {
      const table = page.getByRole('table', { name });
      await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(1);
      expect(await table.locator('tbody tr').first().innerText()).toMatch(/\d+\.\d %\s+\d+(\.\d)? ([KMG]i)?B$/);
    }
    await docScreenshot(page, 'metrics.png', { fullPage: true });

    const range = page.getByRole('group', { name: 'Time range' });
    const [history] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/servers/local/metrics/history?range=24h')),
      range.getByRole('button', { name: '24 h' }).click(),
    ]);
    expect(history.status()).toBe(200);
    expect(((await history.json()) as { stepSeconds: number }).stepSeconds).toBe(60);
    await page.getByRole('img', { name: /^CPU over the last 24 hours: \d+(\.\d)? % now$/ }).waitFor();
    expect(await range.getByRole('button', { name: '24 h' }).getAttribute('aria-pressed')).toBe('true');
    expect(await range.getByRole('button', { name: '1 h' }).getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByTestId('charts').getAttribute('data-range')).toBe('24h');
    expect(await page.getByTestId('toast').count()).toBe(0);
    await page.context().close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`fits a phone at 390 px and passes axe, ${colorScheme}`, async () => {
      const page = await signIn({ width: 390, colorScheme });
      await serverCard(page, 'This machine').getByTestId('figures').waitFor();
      await serverCard(page, 'Far server').getByTestId('unreachable-reason').waitFor();
      const [a, b] = await page.locator('section[data-server]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()));
      expect(b!.top).toBeGreaterThanOrEqual(a!.bottom); // stacked
      await noHorizontalScroll(page);
      await checkPage(page, `dashboard-${colorScheme}`);

      await page.goto(`${t.url}/s/local/metrics`);
      await page.getByRole('table', { name: 'Top processes by memory' }).locator('tbody tr').nth(1).waitFor();
      await page.getByRole('img', { name: /^CPU over the last hour/ }).waitFor();
      await noHorizontalScroll(page);
      await touchTargets(page);
      await checkPage(page, `metrics-${colorScheme}`);
      await page.context().close();
    });
  }

  // Last: it cuts the way to "box" for good.
  it('keeps the last figures, muted with their age and the error, when a server drops', async () => {
    const page = await signIn();
    const box = serverCard(page, 'Box');
    const figures = box.getByTestId('figures');
    await figures.waitFor();
    expect(await figures.getAttribute('class')).not.toMatch(/\bstale\b/);
    const fresh = await box.locator('[data-figure="cpu"]').evaluate((el) => getComputedStyle(el).color);

    await boxLink.cut();
    await box
      .getByRole('status')
      .filter({ hasText: /^Live figures stopped: .+/ })
      .waitFor();
    expect(await figures.getAttribute('class')).toMatch(/\bstale\b/);
    expect(await box.locator('[data-figure="cpu"]').evaluate((el) => getComputedStyle(el).color)).not.toBe(fresh);
    expect(await box.locator('[data-figure="cpu"]').innerText()).toMatch(/^\d+(\.\d)? %$/); // still there, not zeroed
    // Marked once older than the few seconds a sample may take.
    await expect.poll(() => box.getByTestId('updated').innerText(), { timeout: 15_000 }).toMatch(/^updated \d+ s ago.*stale$/);
    await page.context().close();
  });
});

describe('the Services card on the dashboard, on a booted systemd', { timeout: 120_000 }, () => {
  let browser: Browser;
  let box: SystemdBox;
  let t: TestAura;

  beforeAll(async () => {
    box = await bootSystemd();
    await writeUnit(box, 'aura-good.service', '[Service]\nExecStart=/bin/sleep infinity\n');
    await writeUnit(box, 'aura-broken.service', '[Service]\nExecStart=/bin/false\n');
    t = await startTestAura({
      servers: [{ ...box.server('box'), name: 'Web server' }],
      plugins: {
        services: {
          enabled: true,
          units: {
            box: [
              { unit: 'aura-good.service', name: 'Good' },
              { unit: 'aura-broken.service', name: 'Broken' },
            ],
          },
        },
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await box?.stop();
  });

  const brokenState = () => box.show('aura-broken.service', 'ActiveState');

  it('counts the failed units and links to the Services panel', async () => {
    await expect.poll(brokenState, { timeout: 10_000 }).toBe('failed');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    await page.goto(`${t.url}/login`);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const card = page.getByRole('region', { name: 'Web server', exact: true }).getByTestId('services-card');
    await expect.poll(() => card.innerText(), { timeout: 20_000 }).toMatch(/^1 of 2 units failed: Broken/);

    await box.exec(['systemctl', 'reset-failed', 'aura-broken.service']);
    await page.reload();
    await expect.poll(() => card.innerText(), { timeout: 20_000 }).toMatch(/^No failed units \(2 managed\)/);
    await card.getByRole('link', { name: 'No failed units' }).click();
    await page.waitForURL(/\/s\/box\/services$/);
    await page.getByRole('heading', { name: 'Services on Web server' }).waitFor();
    await page.close();
  });
});
