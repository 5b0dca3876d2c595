import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noHorizontalScroll } from './harness/a11y.ts';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { docScreenshot, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { startAuraWithGoogle, viewerContext } from './harness/google.ts';

/** Tools as a user would define them: real commands on this machine. */
const TOOLS = [
  {
    id: 'list',
    title: 'List a folder',
    description: 'The names in a folder under /usr.',
    argv: ['ls', '-1', '{dir}'],
    params: { dir: { pattern: '/usr(/[a-z0-9_.-]+)*', default: '/usr', description: 'A folder under /usr' } },
    readOnly: true,
  },
  { id: 'fail', title: 'Fail', description: 'Exits 3 after a word on stderr.', argv: ['sh', '-c', 'echo nope >&2; exit 3'] },
  {
    id: 'hang',
    title: 'Hang',
    description: 'Prints, then never ends.',
    argv: ['sh', '-c', 'echo begun; exec sleep 60'],
    timeoutSeconds: 1,
  },
];

describe('the Tools panel in Chromium', () => {
  let browser: Browser;
  let t: TestAura;

  beforeAll(async () => {
    t = await startTestAura({ plugins: { commands: { tools: TOOLS } } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openPanel(width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await signInAsAdmin(page, t.url);
    await page.goto(`${t.url}/s/local/commands`);
    await page.getByRole('heading', { name: 'Tools on This machine' }).waitFor();
    return page;
  }
  const card = (page: Page, title: string) => page.getByRole('article', { name: title });

  it('runs a tool with its parameter and shows output and exit code; a bad value is named at its field', async () => {
    const page = await openPanel();
    const list = card(page, 'List a folder');
    expect(await list.getByLabel('dir').inputValue()).toBe('/usr'); // the default
    await list.getByLabel('dir').fill('/usr/share');
    await list.getByRole('button', { name: 'Run' }).click();
    const result = list.getByRole('region', { name: 'Result' });
    await result.getByText('exit code 0').waitFor();
    expect((await result.getByLabel('Standard output').textContent())?.split('\n')).toContain('doc');

    await list.getByLabel('dir').fill('/usr; id');
    await list.getByRole('button', { name: 'Run' }).click();
    await list.getByRole('alert').waitFor();
    expect(await list.getByRole('alert').textContent()).toContain('params.dir');
    expect(await list.getByLabel('dir').getAttribute('aria-invalid')).toBe('true');
    expect(await list.getByText('must match /usr(/[a-z0-9_.-]+)*', { exact: true }).count()).toBe(1); // at the field
    expect(await result.count()).toBe(0); // no old output beside the refusal

    const fail = card(page, 'Fail');
    await fail.getByRole('button', { name: 'Run' }).click();
    await fail.getByText('exit code 3').waitFor();
    expect(await fail.getByLabel('Standard error').textContent()).toBe('nope\n');
    await docScreenshot(page, 'commands.png');
    await page.close();
  });

  it('shows what a tool printed before its timeout stopped it', async () => {
    const page = await openPanel();
    const hang = card(page, 'Hang');
    await hang.getByRole('button', { name: 'Run' }).click();
    await hang.getByText('timed out').waitFor();
    expect(await hang.getByLabel('Standard output').textContent()).toBe('begun\n');
    await page.close();
  });

  it('fits a 390 px screen', async () => {
    const page = await openPanel(390);
    await card(page, 'List a folder').getByRole('button', { name: 'Run' }).click();
    await card(page, 'List a folder').getByText('exit code 0').waitFor();
    await noHorizontalScroll(page);
    await page.close();
  });

  it('lets a viewer run read-only tools only', async () => {
    const google = await startAuraWithGoogle([{ email: 'vera@example.org', role: 'viewer' }], {
      config: { plugins: { commands: { enabled: true, tools: TOOLS } } },
    });
    try {
      const context = await viewerContext(browser, google);
      const page = await context.newPage();
      await page.goto(`${google.t.url}/s/local/commands`);
      await card(page, 'List a folder').getByRole('button', { name: 'Run' }).click();
      await card(page, 'List a folder').getByText('exit code 0').waitFor();
      expect(await card(page, 'Fail').getByRole('button', { name: 'Run' }).count()).toBe(0);
      await card(page, 'Fail').getByText('Only admins can run this tool').waitFor();
      await context.close();
    } finally {
      await google.stop();
    }
  });
});
