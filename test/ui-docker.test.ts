import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, noHorizontalScroll, touchTargets } from './harness/a11y.ts';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { docScreenshot, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { busyboxImage, startDockerd } from './harness/dockerd.ts';
import { startAuraWithGoogle, viewerContext, type AuraWithGoogle } from './harness/google.ts';

const run = promisify(execFile);
const docker = async (...args: string[]) => (await run('docker', args)).stdout.trim();

const PROJECT = `aura-ui-${process.pid}`;
/** Logs "tick <seconds> <n>" every second (unique across restarts), and one stderr line as it starts. */
const TICKER = `aura-ui-${process.pid}-ticker`;
/** Created, never started, in no compose project. */
const LOOSE = `aura-ui-${process.pid}-loose`;
const SCRIPT =
  'trap "exit 0" TERM; echo "started $(date +%s)" >&2; i=0; while true; do i=$((i+1)); echo "tick $(date +%s) $i"; sleep 1; done';

describe('the Docker panel in Chromium, on a real dockerd', { timeout: 120_000 }, () => {
  let engine: { stop(): Promise<void> };
  let image: string;
  let browser: Browser;
  let t: TestAura;
  /** Its engine's socket path leads nowhere. */
  let noDocker: TestAura;
  let google: AuraWithGoogle;

  beforeAll(async () => {
    engine = await startDockerd();
    image = busyboxImage();
    await docker('run', '-d', '--name', TICKER, '--label', `com.docker.compose.project=${PROJECT}`, image, 'sh', '-c', SCRIPT);
    await docker('create', '--name', LOOSE, image, 'sh', '-c', 'echo never');
    t = await startTestAura({ plugins: { docker: { enabled: true } } });
    noDocker = await startTestAura({ plugins: { docker: { enabled: true, socketPath: '/nonexistent/aura-docker.sock' } } });
    google = await startAuraWithGoogle([{ email: 'vera@example.org', role: 'viewer' }], {
      config: { plugins: { docker: { enabled: true } } },
    });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await noDocker?.close();
    await google?.stop();
    await docker('rm', '-f', TICKER, LOOSE).catch(() => undefined);
    await engine?.stop();
  });

  async function signIn(aura: TestAura, opts: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, ...opts });
    const page = await context.newPage();
    await signInAsAdmin(page, aura.url);
    return page;
  }

  const projectTable = (page: Page) => page.getByRole('table', { name: `Compose project ${PROJECT}` });
  const tickerRow = (page: Page) => projectTable(page).getByRole('row').filter({ hasText: TICKER });
  const startedAt = () => docker('inspect', '-f', '{{.State.StartedAt}}', TICKER);

  async function openPanel(page: Page, base = t.url) {
    await page.goto(`${base}/s/local/docker`);
    await page.getByRole('heading', { name: 'Docker on This machine' }).waitFor();
    await expect.poll(() => tickerRow(page).getByTestId('state').textContent()).toBe('running');
  }

  it('lists containers by compose project, restarts one after a confirmation, and audits it', async () => {
    const page = await signIn(t);
    await openPanel(page);
    // The loose container is in its own group, after every compose project.
    const loose = page.getByRole('table', { name: 'Not in a compose project' }).getByRole('row').filter({ hasText: LOOSE });
    expect(await loose.getByTestId('state').textContent()).toBe('created');
    expect(await loose.getByRole('button', { name: `Start ${LOOSE}` }).count()).toBe(1);
    const tables = await page.getByRole('table').evaluateAll((all) => all.map((e) => e.getAttribute('aria-label')));
    expect(tables.indexOf(`Compose project ${PROJECT}`)).toBeLessThan(tables.indexOf('Not in a compose project'));
    expect(tables.at(-1)).toBe('Images');
    await page.getByRole('table', { name: 'Images' }).getByText(image).waitFor();
    // Live figures arrive for the running one.
    await expect.poll(() => tickerRow(page).locator('td[data-label="CPU"]').textContent()).toMatch(/\d+\.\d%/);

    const before = await startedAt();
    const restart = tickerRow(page).getByRole('button', { name: `Restart ${TICKER}` });
    await restart.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await startedAt()).toBe(before);

    await restart.click();
    const dialog = page.getByRole('dialog', { name: `Restart ${TICKER} on This machine?` });
    expect(await dialog.textContent()).toMatch(/connections are dropped/);
    await dialog.getByRole('button', { name: 'Restart', exact: true }).click();
    await expect.poll(startedAt, { timeout: 20_000 }).not.toBe(before);
    // The row shows the engine's answer once the request is done ("Restarting…" gone).
    await tickerRow(page).getByRole('status').waitFor({ state: 'detached' });
    expect(await tickerRow(page).getByTestId('state').textContent()).toBe('running');
    expect(await page.getByTestId('toast').count()).toBe(0);

    const { token } = await t.login();
    const audit = (await (await t.request('/api/audit?limit=20', { token })).json()) as object[];
    expect(audit).toContainEqual(
      expect.objectContaining({
        user: ADMIN.username,
        action: expect.stringMatching(/restart/),
        target: TICKER,
        result: 'success',
      }),
    );
    await docScreenshot(page, 'docker.png');
    await page.context().close();
  });

  it('shows a container’s logs, follows new lines as they are logged, and searches them', async () => {
    const page = await signIn(t);
    /** The lines the server streamed to this page over the socket. */
    const streamed: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => {
        const m = /^42\/docker,(.*)$/s.exec(String(frame.payload));
        const [event, body] = m ? (JSON.parse(m[1]!) as [string, { text: string }]) : [];
        if (event === 'log' && body) streamed.push(body.text);
      }),
    );
    await openPanel(page);
    const logsButton = tickerRow(page).getByRole('button', { name: `Logs of ${TICKER}` });
    await logsButton.click();
    expect(await logsButton.getAttribute('aria-expanded')).toBe('true');
    const drawer = page.getByRole('complementary', { name: `Logs of ${TICKER}` });
    const ticks = drawer.getByText(/^tick \d+ \d+$/);
    await ticks.first().waitFor();
    expect(await drawer.locator('time').first().textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const follow = drawer.getByRole('button', { name: 'Follow' });
    expect(await follow.getAttribute('aria-pressed')).toBe('false');
    expect(streamed).toEqual([]);
    await follow.click();
    expect(await follow.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => streamed.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await drawer.getByText(streamed[0]!, { exact: true }).waitFor();

    // A search keeps the matching lines (here the one on stderr, tagged so), hides the rest.
    await drawer.getByLabel('Search logs').fill('started');
    await ticks.first().waitFor({ state: 'detached' });
    const started = drawer.getByRole('listitem').filter({ hasText: /started \d+/ });
    expect(await started.count()).toBeGreaterThan(0);
    expect(await started.first().getByText('stderr', { exact: true }).count()).toBe(1);
    await drawer.getByLabel('Search logs').fill('');
    await ticks.first().waitFor();

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Logs of ${TICKER}`);
    await page.context().close();
  });

  for (const theme of ['light', 'dark'] as const)
    it(`on a phone in the ${theme} theme: cards, no sideways scroll, 44 px targets, and axe passes`, async () => {
      const page = await signIn(t, { viewport: { width: 390, height: 844 }, colorScheme: theme });
      await openPanel(page);
      await expect.poll(() => tickerRow(page).locator('td[data-label="CPU"]').textContent()).toMatch(/\d+\.\d%/);
      await noHorizontalScroll(page);
      await touchTargets(page);
      await checkPage(page, `docker-${theme}`);
      await tickerRow(page)
        .getByRole('button', { name: `Logs of ${TICKER}` })
        .click();
      const drawer = page.getByRole('complementary', { name: `Logs of ${TICKER}` });
      await drawer
        .getByText(/^tick /)
        .first()
        .waitFor();
      expect((await drawer.boundingBox())!.width).toBe(390);
      await checkPage(page, `docker-logs-${theme}`);
      await page.context().close();
    });

  it('offers viewers no actions, only the logs', async () => {
    const context = await viewerContext(browser, google);
    const page = await context.newPage();
    await openPanel(page, google.t.url);
    await tickerRow(page)
      .getByRole('button', { name: `Logs of ${TICKER}` })
      .waitFor();
    for (const name of [`Restart ${TICKER}`, `Stop ${TICKER}`, `Start ${LOOSE}`])
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    await context.close();
  });

  it('says why where no Docker engine answers, not an empty list', async () => {
    const { token } = await noDocker.login();
    const res = await noDocker.request('/api/servers/local/docker/containers', { token });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body.code).toBe('DOCKER_UNAVAILABLE');

    const page = await signIn(noDocker);
    await page.goto(`${noDocker.url}/s/local/docker`);
    await page.getByRole('heading', { name: 'Docker is not available on This machine' }).waitFor();
    expect(await page.getByTestId('unavailable-reason').textContent()).toBe(body.detail);
    expect(body.detail).toMatch(/nonexistent\/aura-docker\.sock/);
    expect(await page.getByRole('table').count()).toBe(0);
    await page.context().close();
  });
});
