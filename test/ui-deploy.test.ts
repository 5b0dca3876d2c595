import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, noHorizontalScroll, touchTargets } from './harness/a11y.ts';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { ARTIFACTS, docScreenshot, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { gitFixture } from './harness/git.ts';
import { startAuraWithGoogle, viewerContext, type AuraWithGoogle } from './harness/google.ts';

const FINAL = ['succeeded', 'failed', 'rolled-back', 'cancelled', 'interrupted'];
const BASE = '/api/servers/local/deploy';
const SECRET = 'whsec-ui-0123456789';
const short = (sha: string) => sha.slice(0, 7);
/** A build that holds until the test creates `../<file>` beside the clone (no sleeps in the test). */
const waitFor = (file: string, before = 'echo waiting', after = 'echo released') =>
  `${before}; while [ ! -e ../${file} ]; do sleep 0.02; done; rm ../${file}; ${after}`;
/** 60 green lines, then a hold, then 60 more: more than the log box shows at once. */
const STREAM = waitFor(
  'go-streamer',
  'for i in $(seq 1 60); do printf "\\033[32mline %s\\033[0m\\n" $i; done; echo waiting',
  'for i in $(seq 61 120); do echo "line $i"; done',
);

interface Run {
  id: string;
  status: string;
  toCommit: string | null;
}

describe('the Deploy panel in Chromium, with real git repositories', { timeout: 120_000 }, () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aura-ui-deploy-'));
  const repos = Object.fromEntries(
    ['streamer', 'broken', 'waiter', 'site', 'busy', 'hooked', 'phone'].map((n) => [n, gitFixture(root, n)]),
  );
  const viewerRoot = mkdtempSync(path.join(os.tmpdir(), 'aura-ui-deploy-viewer-'));
  const shared = gitFixture(viewerRoot, 'shared');
  let browser: Browser;
  let t: TestAura;
  let token: string;
  let google: AuraWithGoogle;

  beforeAll(async () => {
    const app = (id: string, more: Record<string, unknown> = {}) => ({ id, dir: repos[id]!.app, ...more });
    t = await startTestAura(
      {
        plugins: {
          services: { enabled: true },
          deploy: {
            enabled: true,
            roots: [root],
            apps: {
              local: [
                app('streamer', { build: [['sh', '-c', STREAM]] }),
                app('broken', { build: [['sh', '-c', 'echo boom; exit 3']] }),
                app('waiter', { build: [['sh', '-c', waitFor('never-released')]] }),
                app('site'),
                app('busy', { build: [['sh', '-c', waitFor('go-busy')]] }),
                app('hooked', { webhookSecretEnv: 'HOOK_SECRET' }),
                app('phone', { build: [['sh', '-c', 'printf "\\033[1;31mred\\033[0m \\033[33myellow\\033[0m plain\\n"']] }),
              ],
            },
          },
        },
      },
      { env: { HOOK_SECRET: SECRET } },
    );
    ({ token } = await t.login());
    google = await startAuraWithGoogle([{ email: 'vera@example.org', role: 'viewer' }], {
      config: {
        auth: { local: { enabled: true } },
        plugins: {
          services: { enabled: true },
          deploy: {
            enabled: true,
            roots: [viewerRoot],
            apps: { local: [{ id: 'shared', dir: shared.app, build: [['sh', '-c', waitFor('go-shared')]] }] },
          },
        },
      },
    });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await google?.stop();
    // A build still holding (a failed test) ends when its file appears.
    for (const f of ['never-released', 'go-streamer', 'go-busy']) writeFileSync(path.join(root, f), '');
    writeFileSync(path.join(viewerRoot, 'go-shared'), '');
    rmSync(root, { recursive: true, force: true });
    rmSync(viewerRoot, { recursive: true, force: true });
  });

  async function signIn(opts: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, ...opts });
    const page = await context.newPage();
    await signInAsAdmin(page, t.url);
    return page;
  }

  async function openPanel(page: Page, base = t.url) {
    await page.goto(`${base}/s/local/deploy`);
    await page.getByRole('heading', { name: 'Deploy on This machine' }).waitFor();
    await page
      .getByRole('table', { name: 'Runs' })
      .or(page.getByText(/No deploys have run/))
      .waitFor();
  }

  const card = (page: Page, app: string) => page.getByRole('article', { name: app, exact: true });
  const runPanel = (page: Page) => page.locator('section.run');
  const runStatus = (page: Page) => runPanel(page).getByTestId('run-status').textContent();
  const log = (page: Page) => page.getByRole('region', { name: 'Log of the run' });
  const stepHeader = (page: Page, step: string) => log(page).locator(`h3[data-step="${step}"]`);
  const historyRow = (page: Page, runId: string) => page.getByRole('table', { name: 'Runs' }).locator(`tr[data-run="${runId}"]`);
  /** What a person reads there, its line breaks (flex items) as single spaces. */
  const words = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();
  const cells = async (row: Locator) => (await row.locator('td').allInnerTexts()).map((c) => c.replace(/\s+/g, ' ').trim());

  const runOf = async (id: string, aura = t, as = token) =>
    (await (await aura.request(`${BASE}/runs/${id}`, { token: as })).json()) as Run;
  async function startRun(app: string, body: unknown = {}, aura = t, as = token): Promise<string> {
    const res = await aura.request(`${BASE}/apps/${app}/runs`, { method: 'POST', json: body, token: as });
    expect(res.status).toBe(202);
    return ((await res.json()) as { runId: string }).runId;
  }
  async function finished(id: string, aura = t, as = token): Promise<Run> {
    await expect.poll(async () => FINAL.includes((await runOf(id, aura, as)).status)).toBe(true);
    return runOf(id, aura, as);
  }
  /** The id of the run the panel shows, once it shows one. */
  async function shownRun(page: Page): Promise<string> {
    await runPanel(page).waitFor();
    await expect.poll(() => runPanel(page).getAttribute('data-run')).toMatch(/^[0-9a-f-]{36}$/);
    return (await runPanel(page).getAttribute('data-run'))!;
  }
  /** Whether the log box is scrolled to its newest line (and has more than it shows). */
  const atBottom = (page: Page) =>
    log(page).evaluate((el) => el.scrollHeight > el.clientHeight && el.scrollHeight - el.scrollTop - el.clientHeight < 8);

  it('deploys a pushed commit: the log streams in colour under its steps, follows until scrolled up; the app and the history update', async () => {
    const repo = repos.streamer!;
    const next = repo.commit({ 'index.html': '<h1>v2</h1>\n' }, 'second: v2');
    const page = await signIn();
    await openPanel(page);
    const app = card(page, 'streamer');
    expect(await words(app.getByTestId('commit'))).toBe(`${short(repo.first)} first`);
    expect(await words(app.getByTestId('last-run'))).toBe('never deployed');

    await app.getByRole('button', { name: 'Deploy streamer' }).click();
    const runId = await shownRun(page);
    await log(page).getByText('waiting', { exact: true }).waitFor();
    await expect.poll(() => runStatus(page)).toBe('running');
    // Colours are styled spans; no escape code reaches the page.
    const green = log(page).locator('span.fg2').first();
    expect(await green.textContent()).toBe('line 1');
    const colour = (l: Locator) => l.evaluate((el) => getComputedStyle(el).color);
    expect(await colour(green)).not.toBe(await colour(log(page).getByText('waiting', { exact: true })));
    const printed = (await log(page).locator('li').allTextContents()).filter((l) => !l.startsWith('$ '));
    expect(printed.filter((l) => l.includes('\x1b') || l.includes('[32m') || l.includes('[0m'))).toEqual([]);
    // A header per step: the finished ones with their time, the build still running.
    await expect.poll(() => words(stepHeader(page, 'check'))).toMatch(/^check succeeded \d+\.\d s$/);
    await expect.poll(() => words(stepHeader(page, 'update'))).toMatch(/^update succeeded \d/);
    await expect.poll(() => words(stepHeader(page, 'build'))).toMatch(/^build running$/);
    await expect.poll(() => atBottom(page)).toBe(true);

    // Scrolled up, new lines do not pull the reader down.
    await log(page).evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    const follow = page.getByRole('button', { name: 'Follow the log' });
    await follow.waitFor();
    writeFileSync(path.join(root, 'go-streamer'), '');
    await log(page).getByText('line 120', { exact: true }).waitFor();
    expect(await log(page).evaluate((el) => el.scrollTop)).toBe(0);
    await expect.poll(() => runStatus(page)).toBe('succeeded');
    await follow.click();
    await expect.poll(() => atBottom(page)).toBe(true);
    await expect.poll(() => words(stepHeader(page, 'build'))).toMatch(/^build succeeded \d/);

    // The app shows its new commit and last run; the history, the run.
    await expect.poll(() => words(app.getByTestId('commit'))).toBe(`${short(next)} second: v2`);
    await expect.poll(() => words(app.getByTestId('last-run'))).toMatch(/^succeeded \d\d:\d\d Log$/);
    const row = historyRow(page, runId);
    await expect
      .poll(() => cells(row))
      .toEqual([
        'succeeded',
        'streamer',
        `${short(repo.first)} → ${short(next)}`,
        'admin (manual)',
        expect.stringMatching(/^\d\d:\d\d$/),
        expect.stringMatching(/^\d+(\.\d)? s$/),
        '',
        'Log Redeploy',
      ]);
    expect(repo.head()).toBe(next);
    expect(await page.getByTestId('toast').count()).toBe(0);
    // The picture for the README: the log from its first step.
    await log(page).evaluate((el) => (el.scrollTop = 0));
    await docScreenshot(page, 'deploy.png', { fullPage: true });
    await page.context().close();
  });

  it('shows a failed build rolled back, with its reason and the rollback step', async () => {
    const repo = repos.broken!;
    repo.commit({ 'index.html': 'v2\n' }, 'second');
    const page = await signIn();
    await openPanel(page);
    await card(page, 'broken').getByRole('button', { name: 'Deploy broken' }).click();
    const runId = await shownRun(page);
    await expect.poll(() => runStatus(page)).toBe('rolled-back');
    expect(await runPanel(page).getByTestId('reason').innerText()).toMatch(/^build: .*exited with 3$/);
    expect(await log(page).getByText('boom', { exact: true }).count()).toBe(1);
    await expect.poll(() => words(stepHeader(page, 'build'))).toMatch(/^build failed \d/);
    await expect.poll(() => words(stepHeader(page, 'rollback'))).toMatch(/^rollback succeeded \d/);
    await expect.poll(() => words(card(page, 'broken').getByTestId('last-run'))).toMatch(/^rolled-back /);
    expect(await words(card(page, 'broken').getByTestId('commit'))).toBe(`${short(repo.first)} first`);
    await expect.poll(async () => (await cells(historyRow(page, runId)))[6]).toMatch(/^build: .*exited with 3$/);
    expect(repo.head()).toBe(repo.first);

    // Explain hands the run to the agent's chat: its reason in the question, its log attached.
    await runPanel(page).getByRole('button', { name: 'Ask the agent why the run of broken went wrong' }).click();
    await page.waitForURL(`${t.url}/p/agent?server=local`);
    expect(await page.getByLabel('Message').inputValue()).toMatch(
      /^The deploy of broken on .* ended rolled-back: build: .*exited with 3\. Why/,
    );
    const attachment = page.getByTestId('attachment');
    await attachment.getByText('Attached: The log of the run of broken').click();
    expect(await attachment.locator('pre').textContent()).toContain('[build] boom');
    await page.context().close();
  });

  it('cancels a run that waits, after a confirmation naming the app and what happens', async () => {
    const repo = repos.waiter!;
    repo.commit({ 'index.html': 'v2\n' }, 'second');
    const page = await signIn();
    await openPanel(page);
    await card(page, 'waiter').getByRole('button', { name: 'Deploy waiter' }).click();
    const runId = await shownRun(page);
    await log(page).getByText('waiting', { exact: true }).waitFor();
    const cancel = runPanel(page).getByRole('button', { name: 'Cancel the run of waiter' });
    await cancel.click();
    // Answering no cancels nothing.
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
    expect((await runOf(runId)).status).toBe('running');

    await cancel.click();
    const dialog = page.getByRole('dialog', { name: 'Cancel the deploy of waiter on This machine?' });
    expect(await dialog.textContent()).toContain(`rolled back to the commit it started from (${short(repo.first)})`);
    await dialog.getByRole('button', { name: 'Cancel the deploy' }).click();
    await expect.poll(() => runStatus(page)).toBe('cancelled');
    expect(await runPanel(page).getByTestId('reason').innerText()).toBe('Cancelled, and rolled back.');
    expect(await log(page).getByText('Cancelled by admin').count()).toBe(1);
    await expect.poll(() => words(stepHeader(page, 'build'))).toMatch(/^build cancelled \d/);
    await cancel.waitFor({ state: 'detached' });
    await expect.poll(async () => (await cells(historyRow(page, runId)))[0]).toBe('cancelled');
    expect(repo.head()).toBe(repo.first);
    await page.context().close();
  });

  it('redeploys an earlier commit from the history, and opens a past run’s log', async () => {
    const repo = repos.site!;
    const v2 = repo.commit({ 'index.html': 'v2\n' }, 'v2');
    const first = await finished(await startRun('site'));
    expect(first.toCommit).toBe(v2);
    const v3 = repo.commit({ 'index.html': 'v3\n' }, 'v3');
    expect((await finished(await startRun('site'))).toCommit).toBe(v3);

    const page = await signIn();
    await openPanel(page);
    expect(await words(card(page, 'site').getByTestId('commit'))).toBe(`${short(v3)} v3`);
    // A past run's log, whole.
    const row = historyRow(page, first.id);
    await row.getByRole('button', { name: /^Log of the run of site/ }).click();
    expect(await shownRun(page)).toBe(first.id);
    await expect.poll(() => runStatus(page)).toBe('succeeded');
    await log(page)
      .getByText(`is on main at ${repo.first.slice(0, 12)}`, { exact: false })
      .waitFor();

    await row.getByRole('button', { name: `Redeploy site at ${short(v2)}` }).click();
    const dialog = page.getByRole('dialog', { name: `Redeploy site at ${short(v2)} on This machine?` });
    expect(await dialog.textContent()).toMatch(/reset to that commit and built/);
    await dialog.getByRole('button', { name: 'Redeploy', exact: true }).click();
    await expect.poll(() => runPanel(page).getAttribute('data-run')).not.toBe(first.id);
    const redeploy = await shownRun(page);
    await expect.poll(() => runStatus(page)).toBe('succeeded');
    await expect.poll(() => words(card(page, 'site').getByTestId('commit'))).toBe(`${short(v2)} v2`);
    await expect
      .poll(async () => (await cells(historyRow(page, redeploy))).slice(0, 3))
      .toEqual(['succeeded', 'site', `${short(v3)} → ${short(v2)}`]);
    expect(repo.head()).toBe(v2);
    await page.context().close();
  });

  it('answers a second deploy of a busy app with a toast, and shows the run under way', async () => {
    const repo = repos.busy!;
    repo.commit({ 'index.html': 'v2\n' }, 'second');
    const page = await signIn();
    await openPanel(page);
    // Someone else starts it after this page has read the apps.
    const runId = await startRun('busy');
    await card(page, 'busy').getByRole('button', { name: 'Deploy busy' }).click();
    const toast = page.getByTestId('toast');
    await toast.waitFor();
    expect(await toast.innerText()).toMatch(/busy is being deployed .*\(DEPLOY_IN_PROGRESS\)/);
    expect(await shownRun(page)).toBe(runId);
    await log(page).getByText('waiting', { exact: true }).waitFor();
    writeFileSync(path.join(root, 'go-busy'), '');
    await expect.poll(() => runStatus(page)).toBe('succeeded');
    expect(await toast.count()).toBe(1);
    await page.context().close();
  });

  it('copies the webhook URL of an app that takes webhooks, and offers none for the others', async () => {
    const page = await signIn();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await openPanel(page);
    await card(page, 'hooked').getByRole('button', { name: 'Copy webhook URL of hooked' }).click();
    await card(page, 'hooked').getByText('Copied ✓').waitFor();
    const url = await page.evaluate(() => navigator.clipboard.readText());
    expect(url).toBe(`${t.url}${BASE}/apps/hooked/webhook`);
    // It is the webhook: an unsigned push is refused there.
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(await page.getByRole('button', { name: 'Copy webhook URL of site' }).count()).toBe(0);
    await page.context().close();
  });

  it('disables deploying while Aura cannot be reached', async () => {
    const page = await signIn();
    await openPanel(page);
    const deploy = card(page, 'site').getByRole('button', { name: 'Deploy site' });
    expect(await deploy.isEnabled()).toBe(true);
    await page.context().setOffline(true);
    await expect.poll(() => deploy.isDisabled(), { timeout: 20_000 }).toBe(true);
    await page.context().setOffline(false);
    await expect.poll(() => deploy.isEnabled(), { timeout: 20_000 }).toBe(true);
    await page.context().close();
  });

  it('shows an error card, not an empty list, when the apps cannot be read; Retry reads them', async () => {
    const page = await signIn();
    // The apps request fails as it does when Aura drops the connection.
    await page.route('**/api/servers/local/deploy/apps', (route) => route.abort('connectionrefused'));
    await page.goto(`${t.url}/s/local/deploy`);
    const errorCard = page.getByTestId('error-card');
    await errorCard.waitFor();
    expect(await errorCard.innerText()).toMatch(/The apps could not be read on This machine[\s\S]*NETWORK_ERROR/);
    expect(await page.getByRole('article').count()).toBe(0);
    expect(await page.getByTestId('toast').count()).toBe(0);
    await page.unroute('**/api/servers/local/deploy/apps');
    await errorCard.getByRole('button', { name: 'Retry' }).click();
    await card(page, 'site').waitFor();
    expect(await errorCard.count()).toBe(0);
    await page.context().close();
  });

  it('on a phone: the apps, a coloured log and the history fit 390 px with 44 px targets', async () => {
    const run = await finished(await startRun('phone'));
    expect(run.status).toBe('succeeded');
    const page = await signIn({ viewport: { width: 390, height: 844 } });
    await openPanel(page);
    await card(page, 'phone').getByRole('button', { name: 'Log of the last run of phone' }).click();
    await log(page).getByText('yellow', { exact: true }).waitFor();
    expect(await log(page).locator('span.fg1.bold').textContent()).toBe('red');
    await noHorizontalScroll(page);
    await touchTargets(page);
    expect((await log(page).boundingBox())!.width).toBeLessThan(390);
    expect((await card(page, 'phone').boundingBox())!.width).toBeLessThan(390);
    await checkPage(page, 'deploy-phone');
    await runPanel(page).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'deploy-390.png') });
    await page.context().close();
  });

  it('offers a viewer no actions, and lets them watch a run live to its end', async () => {
    shared.commit({ 'index.html': 'v2\n' }, 'second');
    const { token: adminToken } = await google.t.login();
    const runId = await startRun('shared', {}, google.t, adminToken);
    const context = await viewerContext(browser, google);
    const page = await context.newPage();
    await openPanel(page, google.t.url);
    const app = card(page, 'shared');
    await app.getByRole('button', { name: 'Watch the last run of shared' }).click();
    expect(await shownRun(page)).toBe(runId);
    await log(page).getByText('waiting', { exact: true }).waitFor();
    await expect.poll(() => runStatus(page)).toBe('running');
    expect(await page.getByRole('button', { name: /^(Deploy|Cancel|Redeploy)\b/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Deploy key' }).count()).toBe(0);
    // The history offers the log alone.
    expect(await historyRow(page, runId).getByRole('button').allInnerTexts()).toEqual(['Log']);
    writeFileSync(path.join(viewerRoot, 'go-shared'), '');
    await expect.poll(() => runStatus(page)).toBe('succeeded');
    await log(page).getByText('released', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /^(Deploy|Cancel|Redeploy)\b/ }).count()).toBe(0);
    expect((await finished(runId, google.t, adminToken)).status).toBe('succeeded');
    await context.close();
  });
});
