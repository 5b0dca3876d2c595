import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitText } from '../ui/src/routes/login/signin.ts';
import { checkPage, focusOutlines, noHorizontalScroll, touchTargets, type Allowed } from './harness/a11y.ts';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { launchChromium } from './harness/browser.ts';
import { startFakeGemini, type FakeGemini } from './harness/gemini.ts';
import { gitFixture } from './harness/git.ts';
import { cleanHome } from './harness/terminal.ts';

/**
 * Known problems in markup outside the theme/login files, each by rule and element: an axe rule
 * with axe's exact target (e.g. { rule: 'color-contrast', target: '.foo > span' }), or SIDEWAYS
 * (test/harness/a11y.ts) with a CSS selector for an element that makes the page scroll
 * sideways. Anything else fails. Empty: every page passes as it is; add an entry only with its
 * owner's fix on the way.
 */
const ALLOWED: Allowed[] = [];

const THEMES = ['dark', 'light'] as const;
/** A build line in each of the 16 colours (and bold, dim), for the deploy log's palette. */
const COLOURS = [...[30, 31, 32, 33, 34, 35, 36, 37], ...[90, 91, 92, 93, 94, 95, 96, 97]]
  .map((c) => `\\033[${c}mc${c}`)
  .join(' ');
const COLOURED_BUILD = `printf "${COLOURS} \\033[0;1mbold \\033[0;2mdim\\033[0m\\n"`;
const WIDTHS = [390, 1400];
/** An answer with every kind of block the agent page renders. */
const MARKDOWN_ANSWER =
  '## What listens\n\nPort **22** is *sshd*; see [the docs](https://example.org/ssh) and `ss -tlnp`.\n\n' +
  '1. first\n2. second\n\n> a quote\n\n```sh\nsystemctl status ssh\n```\n\n| port | proc |\n|---:|---|\n| 22 | sshd |\n';

describe('every page passes axe (WCAG 2 A/AA) and fits a phone, in both themes', () => {
  let browser: Browser;
  let t: TestAura;

  let restoreHome: () => void;
  let gemini: FakeGemini;
  const deployRoot = mkdtempSync(path.join(os.tmpdir(), 'aura-a11y-deploy-'));
  const site = gitFixture(deployRoot, 'site');

  beforeAll(async () => {
    restoreHome = cleanHome(); // the terminal page starts a login shell
    browser = await launchChromium();
    // A managed unit on local, so the Services panel's route is reachable (without systemd here
    // it shows its unavailable state: that is a page too).
    // A deploy app with one finished run, so the Deploy panel shows a coloured log and a history.
    // The agent's chat: one conversation with a finished tool call, a Markdown answer and a
    // call that waits for approval.
    gemini = await startFakeGemini();
    t = await startTestAura(
      {
        plugins: {
          services: { enabled: true, units: { local: [{ unit: 'aura-a11y.service', name: 'Web' }] } },
          deploy: {
            enabled: true,
            roots: [deployRoot],
            apps: { local: [{ id: 'site', dir: site.app, build: [['sh', '-c', COLOURED_BUILD]] }] },
          },
          agent: { enabled: true, baseUrl: gemini.url },
          commands: {
            enabled: true,
            tools: [
              {
                id: 'disk-usage',
                title: 'Disk usage',
                description: 'Size, use and free space of a filesystem.',
                argv: ['df', '-h', '{path}'],
                params: { path: { pattern: '/[a-z/]*', default: '/' } },
                readOnly: true,
              },
            ],
          },
        },
      },
      { env: { GEMINI_API_KEY: 'AIzaSy-a11y-key-0123456789abcdefghijklm' } },
    );
    site.commit({ 'index.html': 'v2\n' }, 'second');
    const { token } = await t.login();
    const started = await t.request('/api/servers/local/deploy/apps/site/runs', { method: 'POST', json: {}, token });
    const { runId } = (await started.json()) as { runId: string };
    const status = async () =>
      ((await (await t.request(`/api/servers/local/deploy/runs/${runId}`, { token })).json()) as { status: string }).status;
    await vi.waitFor(async () => expect(await status()).toBe('succeeded'), { timeout: 30_000, interval: 100 });

    gemini.reply(
      { parts: [{ functionCall: { name: 'ports.list', args: {} } }] },
      { parts: [{ text: MARKDOWN_ANSWER }] },
      { parts: [{ functionCall: { name: 'deploy.run', args: { app: 'site' } } }] },
    );
    const chat = await t.request('/api/agent/conversations', { method: 'POST', json: {}, token });
    const { id } = (await chat.json()) as { id: string };
    for (const message of ['What listens here?', 'Deploy the site'])
      await (await t.request(`/api/agent/conversations/${id}/messages`, { method: 'POST', json: { message }, token })).text();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await gemini?.close();
    restoreHome?.();
    rmSync(deployRoot, { recursive: true, force: true });
  });

  /** axe, sideways scrolling, touch targets on a phone, and a screenshot of the page as it is now. */
  async function visit(page: Page, name: string, width: number) {
    await checkPage(page, name, ALLOWED);
    await noHorizontalScroll(page, ALLOWED);
    if (width < 800) await touchTargets(page);
  }

  for (const theme of THEMES) {
    for (const width of WIDTHS) {
      it(`${theme} theme at ${width} px`, { timeout: 180_000 }, async () => {
        // The theme follows the system setting here; bypassCSP lets axe's script tag in.
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: theme, bypassCSP: true });
        const page = await context.newPage();
        try {
          await page.goto(`${t.url}/login`);
          await page.getByLabel('Password').waitFor();
          await visit(page, `login-${theme}`, width);

          await page.getByLabel('Password').fill(ADMIN.password);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.waitForURL(`${t.url}/`);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          await page.getByTestId('figures').waitFor(); // the server card's live figures
          await visit(page, `home-${theme}`, width);

          await page.goto(`${t.url}/s/local/metrics`);
          await page.getByRole('img', { name: /^CPU over the last hour/ }).waitFor();
          await page.getByRole('table', { name: 'Top processes by CPU' }).getByRole('row').nth(1).waitFor();
          await visit(page, `metrics-${theme}`, width);

          await page.goto(`${t.url}/tokens`);
          await page.getByRole('button', { name: 'Create token' }).waitFor();
          await visit(page, `tokens-${theme}`, width);

          await page.goto(`${t.url}/s/local/ports`);
          await page.getByRole('table', { name: 'Listening ports' }).getByRole('row').nth(1).waitFor();
          await visit(page, `ports-${theme}`, width);

          await page.goto(`${t.url}/s/local/services`);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
          await visit(page, `services-${theme}`, width);

          await page.goto(`${t.url}/s/local/deploy`);
          await page.getByRole('button', { name: 'Log of the last run of site' }).click();
          await page.getByRole('region', { name: 'Log of the run' }).getByText('c97', { exact: true }).waitFor();
          await visit(page, `deploy-${theme}`, width);

          await page.goto(`${t.url}/s/local/exec`);
          await page.getByLabel('Command').fill('echo "a11y-$((1+1))"; echo warn >&2');
          await page.getByRole('button', { name: 'Run' }).click();
          await page.getByText('exit code 0').waitFor();
          await visit(page, `exec-${theme}`, width);

          await page.goto(`${t.url}/s/local/commands`);
          await page.getByRole('article', { name: 'Disk usage' }).getByRole('button', { name: 'Run' }).click();
          await page.getByRole('article', { name: 'Disk usage' }).getByText('exit code 0').waitFor();
          await visit(page, `commands-${theme}`, width);

          await page.goto(`${t.url}/s/local/terminal`);
          // A shell of its own, or (after the first context) the earlier one, detached.
          await page
            .getByRole('button', { name: /^(Shell \d+|Reattach)$/ })
            .first()
            .waitFor();
          await visit(page, `terminal-${theme}`, width);

          await page.goto(`${t.url}/p/agent`);
          await page.getByRole('region', { name: /The agent wants to run deploy\.run/ }).waitFor();
          await page.locator('details[data-state="done"] summary').first().click(); // the tool's result, open
          await page.getByRole('table').getByRole('cell', { name: 'sshd' }).waitFor();
          await visit(page, `agent-${theme}`, width);

          await page.goto(`${t.url}/s/local/no-such-plugin`);
          await page.getByRole('heading', { name: 'Not available' }).waitFor();
          await visit(page, `not-found-${theme}`, width);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('shows a 2 px focus outline on every control reached with Tab', { timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(`${t.url}/login`);
      await page.getByLabel('Password').waitFor();
      expect(await focusOutlines(page)).toBeGreaterThanOrEqual(6); // 2 fields, Sign in, 3 theme buttons
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${t.url}/`);
      await page.goto(`${t.url}/s/local/ports`);
      await page.getByRole('table', { name: 'Listening ports' }).getByRole('row').nth(1).waitFor();
      expect(await focusOutlines(page)).toBeGreaterThan(5);
    } finally {
      await page.close();
    }
  });

  it('remembers a chosen theme, applies it before the app starts, and allows it by CSP', { timeout: 60_000 }, async () => {
    // No bypassCSP: the inline script in app.html must run under Aura's real policy.
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && problems.push(m.text()));
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    try {
      await page.goto(`${t.url}/login`);
      const theme = page.getByRole('group', { name: 'Theme' });
      expect(await theme.getByRole('button', { name: 'System' }).getAttribute('aria-pressed')).toBe('true');
      expect(await background()).toBe('rgb(15, 17, 23)');
      await theme.getByRole('button', { name: 'Light' }).click();
      expect(await theme.getByRole('button', { name: 'Light' }).getAttribute('aria-pressed')).toBe('true');
      expect(await background()).toBe('rgb(245, 246, 250)');

      // Before any module script has run, the saved choice is already on <html>.
      await page.goto(`${t.url}/login`, { waitUntil: 'commit' });
      await page.waitForFunction(() => document.body !== null);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
      await page.getByLabel('Password').waitFor();
      expect(await background()).toBe('rgb(245, 246, 250)');

      await theme.getByRole('button', { name: 'System' }).click();
      expect(await page.evaluate(() => [document.documentElement.dataset.theme, localStorage.getItem('aura-theme')])).toEqual([
        undefined,
        null,
      ]);
      expect(await background()).toBe('rgb(15, 17, 23)');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the login page', () => {
  let browser: Browser;
  let t: TestAura;
  let now = Date.now();

  beforeAll(async () => {
    browser = await launchChromium();
    // One failure allowed per account, then 1 s, 2 s, 4 s … (core/auth/throttle.ts); a clock we move.
    t = await startTestAura(
      { auth: { throttle: { failuresPerAccount: 1, failuresPerIp: 100, windowMinutes: 15 } } },
      { secrets: { adminUsername: 'operator' }, now: () => now },
    );
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('says "N minutes" from a minute and a half, else seconds', () => {
    expect([1, 2, 59.2, 89, 90, 256, 900].map(waitText)).toEqual([
      '1 second',
      '2 seconds',
      '60 seconds',
      '89 seconds',
      '2 minutes',
      '5 minutes',
      '15 minutes',
    ]);
  });

  it('offers "admin" first, then the last username, with the password focused; fits 390 px', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(`${t.url}/login`);
      const password = page.getByLabel('Password');
      await password.waitFor();
      expect(await page.getByLabel('Username').inputValue()).toBe('admin');
      await expect.poll(() => password.evaluate((el) => el === document.activeElement)).toBe(true);
      await noHorizontalScroll(page);

      await page.getByLabel('Username').fill('operator');
      await password.fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${t.url}/`);
      await page.goto(`${t.url}/login`);
      await password.waitFor();
      expect(await page.getByLabel('Username').inputValue()).toBe('operator');
      await expect.poll(() => password.evaluate((el) => el === document.activeElement)).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('keeps asking while Aura cannot be reached, and recovers without a reload', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    try {
      await page.route('**/auth/providers', (route) => route.abort('connectionrefused'));
      await page.goto(`${t.url}/login`);
      const status = page.getByRole('status').filter({ hasText: 'Aura cannot be reached — retrying…' });
      await status.waitFor();
      expect(await page.getByLabel('Password').count()).toBe(0);
      await page.unroute('**/auth/providers');
      await page.getByLabel('Password').waitFor({ timeout: 30_000 });
      await status.waitFor({ state: 'detached' });
    } finally {
      await page.close();
    }
  });

  it('tells a throttled user how long to wait', { timeout: 60_000 }, async () => {
    // Nine failures, each after the previous wait: the next attempt must wait 2^8 s = 256 s.
    for (let i = 0; i < 9; i++) {
      now += 600_000;
      const res = await t.request('/auth/login', { method: 'POST', json: { username: 'operator', password: 'wrong' } });
      expect(res.status).toBe(401);
    }
    const page = await browser.newPage();
    try {
      await page.goto(`${t.url}/login`);
      await page.getByLabel('Username').fill('operator');
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Too many attempts' });
      await alert.waitFor();
      expect(await alert.textContent()).toBe('Too many attempts — try again in 5 minutes.');
    } finally {
      await page.close();
    }
  });
});
