import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { freePort } from './harness/net.ts';
import { startSshd, type TestSshd } from './harness/sshd.ts';

/** Listens on `port` and passes each connection on to `target`: an SSH server that can come later. */
function forward(port: number, target: number): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end);
    upstream.on('error', end);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const listen = (host: string): Promise<net.Server> =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, host, () => resolve(server));
  });
const close = (server?: net.Server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

describe('the Ports panel in Chromium', () => {
  let browser: Browser;
  let sshd: TestSshd;
  let t: TestAura;
  /** Where the "far" server is configured: nothing listens there until the Retry test forwards it. */
  let farPort: number;
  const servers: net.Server[] = [];

  beforeAll(async () => {
    sshd = await startSshd();
    farPort = await freePort();
    t = await startTestAura({
      servers: [{ ...sshd.server('far'), port: farPort, name: 'Far server' }],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sshd?.stop();
    for (const s of servers) await close(s);
  });

  async function signIn(width = 1280, height = 800): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await signInAsAdmin(page, t.url);
    return page;
  }

  const rowFor = (page: Page, port: number) =>
    page.getByRole('row').filter({ has: page.getByRole('cell', { name: String(port), exact: true }) });

  it('shows an error card for an unreachable server, not "no ports", and Retry reads again', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/far/ports`);
    await page.getByRole('heading', { name: 'Ports on Far server' }).waitFor();
    const card = page.getByTestId('error-card');
    await card.waitFor();
    expect(await card.textContent()).toMatch(/The listening ports could not be read on Far server.*Cannot reach server "far"/s);
    expect(await page.getByText(/No listening ports/).count()).toBe(0);
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByTestId('toast').count()).toBe(0);

    // The server comes up; Retry asks again and the table replaces the card.
    servers.push(await forward(farPort, sshd.port));
    await card.getByRole('button', { name: 'Retry' }).click();
    await rowFor(page, sshd.port).waitFor();
    expect(await page.getByTestId('error-card').count()).toBe(0);
    await page.close();
  });

  it('marks listeners on every interface as public, and refreshes by itself', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/local/ports`);
    await page.getByRole('heading', { name: 'Ports on This machine' }).waitFor();
    const aura = rowFor(page, Number(new URL(t.url).port));
    await aura.waitFor();
    expect(await aura.getByText('public', { exact: true }).count()).toBe(0); // Aura listens on 127.0.0.1
    expect(await page.getByTestId('updated').textContent()).toMatch(/updated \d+ s ago/);

    // A listener opened after the panel loaded shows up without pressing Refresh.
    const open = await listen('0.0.0.0');
    servers.push(open);
    const row = rowFor(page, portOf(open));
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getByText('public', { exact: true }).count()).toBe(1);
    await page.getByLabel('Filter ports').fill('public');
    await expect.poll(() => page.getByRole('row').filter({ hasNotText: 'public' }).count()).toBe(1); // the header
    await page.close();
  });

  it('on a phone: cards, 44 px targets, no sideways scroll', async () => {
    const page = await signIn(390, 844);
    await page.goto(`${t.url}/s/local/ports`);
    // In a card each value carries its label ("Port 8080"), so the cell is found by its label.
    await page.locator('td[data-label="Port"]', { hasText: new RegExp(`^${new URL(t.url).port}$`) }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-panel] :is(button, input, select)')]
        .filter((e) => e.checkVisibility())
        .filter((e) => e.getBoundingClientRect().height < 44)
        .map((e) => e.getAttribute('aria-label') ?? e.textContent),
    );
    expect(small).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'ports-390.png'), fullPage: true });
    await page.close();
  });
});
