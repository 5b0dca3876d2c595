import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noHorizontalScroll, touchTargets } from './harness/a11y.ts';
import { ADMIN, startTestAura, type TestAura } from './harness/aura.ts';
import { docScreenshot, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { startFakeGemini, type FakeGemini, type GeminiRequest } from './harness/gemini.ts';
import { freePort } from './harness/net.ts';
import { bootSystemd, installTestUnit, writeUnit, type SystemdBox } from './harness/systemd.ts';

const KEY = 'AIzaSy-ui-test-key-0123456789abcdefghijkl';
const UNIT = 'aura-web.service';
/** A unit that fails at once, saying why in its journal: what "Explain" hands to the agent. */
const BROKEN = 'aura-broken.service';
const BROKEN_LINE = 'cannot read /etc/aura-broken.conf: No such file or directory';

/** The text of the newest user turn the model was sent. */
const userText = (req: GeminiRequest) =>
  req.body.contents
    .filter((c) => c.role === 'user')
    .at(-1)!
    .parts.map((p) => (p as { text?: string }).text ?? '')
    .join('');
/** The function responses in the newest turn the model was sent. */
const responses = (req: GeminiRequest) =>
  req.body.contents
    .at(-1)!
    .parts.map(
      (p) => (p as { functionResponse?: { name: string; response: { result?: string; error?: unknown } } }).functionResponse,
    )
    .filter((r) => r !== undefined);

describe('the Agent page in Chromium, against a scripted Gemini and a booted systemd', { timeout: 120_000 }, () => {
  let browser: Browser;
  let box: SystemdBox;
  let gemini: FakeGemini;
  let t: TestAura;
  let bare: TestAura;

  beforeAll(async () => {
    box = await bootSystemd();
    await installTestUnit(box, UNIT, await freePort());
    await writeUnit(box, BROKEN, `[Service]\nExecStart=/bin/sh -c 'echo "<3>${BROKEN_LINE}"; exit 3'\n`);
    gemini = await startFakeGemini();
    t = await startTestAura(
      {
        servers: [{ ...box.server('box'), name: 'Web server' }],
        plugins: {
          services: {
            enabled: true,
            units: {
              box: [
                { unit: UNIT, name: 'Web' },
                { unit: BROKEN, name: 'Broken' },
              ],
            },
          },
          agent: { enabled: true, baseUrl: gemini.url, requestsPerMinute: 1000 },
        },
      },
      { env: { GEMINI_API_KEY: KEY } },
    );
    // The same page where no key is set.
    bare = await startTestAura({ plugins: { agent: { enabled: true, baseUrl: gemini.url } } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await bare?.close();
    await gemini?.close();
    await box?.stop();
  });

  const mainPid = async () => Number(await box.show(UNIT, 'MainPID'));

  async function signIn(aura: TestAura, width = 1280): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    await signInAsAdmin(page, aura.url);
    return page;
  }

  async function newChat(page: Page, message: string) {
    await page.goto(`${t.url}/p/agent?server=box`);
    await page.getByRole('heading', { name: 'Agent', level: 1 }).waitFor();
    await page.getByTestId('usage').waitFor();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Message').fill(message);
    await page.getByLabel('Message').press('Enter');
  }

  it('streams the answer, shows each tool call as a card, and restarts a unit only once approved', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    gemini.reply(
      { parts: [{ functionCall: { name: 'services.status', args: { unit: UNIT } } }] },
      (req) => ({
        parts: [
          { text: `${UNIT} is ${String(responses(req)[0]?.response.result).includes('"active"') ? 'active' : 'unknown'}. ` },
          { text: 'I will restart it.' },
          { functionCall: { name: 'services.restart', args: { unit: UNIT } } },
        ],
        holdBeforeLast: held,
      }),
      (req) => ({
        parts: [{ text: `Restarted **${UNIT}**: ${responses(req)[0]?.response.result ? 'done' : 'no result'}.` }],
      }),
    );
    const page = await signIn(t);
    await newChat(page, 'Restart the web service, please');
    const thread = page.getByRole('region', { name: 'Conversation' });
    await thread.getByTestId('user-message').getByText('Restart the web service, please').waitFor();

    // The read-only call ran at once and its card says so; the answer shows while it streams.
    const status = thread.locator('details[data-state]').filter({ hasText: 'services.status' });
    await expect.poll(() => status.getAttribute('data-state')).toBe('done');
    await thread.getByText(`${UNIT} is active. I will restart it.`).waitFor();
    await page.getByRole('button', { name: 'Stop' }).waitFor(); // still streaming
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    release();

    // The restart waits: the card names the tool, the server and the exact arguments.
    const approval = page.getByRole('region', { name: /The agent wants to run services\.restart on box/ });
    await approval.waitFor();
    // A call that left serverId out acts on the chosen server, and the card says so.
    expect(JSON.parse((await approval.getByLabel('Arguments').textContent())!)).toEqual({ unit: UNIT, serverId: 'box' });
    expect(await page.getByLabel('Message').isDisabled()).toBe(true);
    const before = await mainPid();
    expect(gemini.requests).toHaveLength(2); // nothing more asked of the model while it waits

    await docScreenshot(page, 'agent.png');
    // The tool card opens to show what the model was given.
    await status.locator('summary').click();
    expect(await status.textContent()).toContain('"activeState": "active"');

    await approval.getByRole('button', { name: 'Approve' }).click();
    await thread.locator('strong', { hasText: UNIT }).waitFor(); // the answer's Markdown
    await expect.poll(mainPid).not.toBe(before);
    const restart = thread.locator('details[data-state]').filter({ hasText: 'services.restart' });
    expect(await restart.getAttribute('data-state')).toBe('done');
    await restart.locator('summary').click();
    expect(await restart.textContent()).toContain(`Approved by ${ADMIN.username}`);
    expect(responses(gemini.requests[2]!)[0]).toMatchObject({ name: 'services.restart' });
    await approval.waitFor({ state: 'detached' });
    expect(await page.getByLabel('Message').isEnabled()).toBe(true);

    // After a reload the stored conversation shows the same: nothing was only on screen.
    await page.reload();
    await page.getByRole('region', { name: 'Conversation' }).locator('strong', { hasText: UNIT }).waitFor();
    expect(await page.locator('details[data-state="done"]').count()).toBe(2);
    await page.context().close();
  });

  it('never runs a rejected call, and the model is told so', async () => {
    gemini.reply({ parts: [{ functionCall: { name: 'services.restart', args: { unit: UNIT } } }] }, (req) => ({
      parts: [{ text: `Understood: ${JSON.stringify(responses(req)[0]?.response.error ?? null)}` }],
    }));
    const page = await signIn(t);
    const before = await mainPid();
    await newChat(page, 'Restart it again');
    const approval = page.getByRole('region', { name: /The agent wants to run services\.restart/ });
    await approval.getByRole('button', { name: 'Reject' }).click();
    const thread = page.getByRole('region', { name: 'Conversation' });
    await thread.getByText(/^Understood:/).waitFor();
    expect(await thread.locator('details[data-state="rejected"]').count()).toBe(1);
    expect(JSON.stringify(responses(gemini.requests.at(-1)!)[0])).toContain('TOOL_REJECTED');
    expect(await mainPid()).toBe(before);
    await page.context().close();
  });

  it('shows raw HTML and script links from the model as text, and loads nothing they name', async () => {
    gemini.reply({
      parts: [
        {
          text:
            'Careful: <img src="/x.png" onerror="window.pwned=1"> and [run](javascript:window.pwned=2).\n\n' +
            '<script>window.pwned=3</script>\n\n```sh\nsystemctl restart nginx\n```\n\n| port | proc |\n|---|---|\n| 22 | sshd |\n',
        },
      ],
    });
    const page = await signIn(t);
    const loaded: string[] = [];
    page.on('request', (r) => r.url().includes('x.png') && loaded.push(r.url()));
    await newChat(page, 'Say something risky');
    const answer = page.getByTestId('answer').last();
    await answer.getByText('systemctl restart nginx').waitFor();
    expect(await answer.textContent()).toContain('<img src="/x.png" onerror="window.pwned=1">');
    expect(await answer.textContent()).toContain('<script>window.pwned=3</script>');
    expect(await answer.locator('img, script, a').count()).toBe(0);
    expect(await answer.getByRole('table').getByRole('cell', { name: 'sshd' }).count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(loaded).toEqual([]);
    await page.context().close();
  });

  it('shows a failed turn in the panel, and keeps the conversation', async () => {
    gemini.reply({ status: 429, message: 'Resource has been exhausted (e.g. check quota).', reason: 'RESOURCE_EXHAUSTED' });
    const page = await signIn(t);
    await newChat(page, 'Anything new?');
    const alert = page.getByRole('alert').filter({ hasText: 'AGENT_MODEL_ERROR' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/exhausted/i);
    await page.getByTestId('user-message').getByText('Anything new?').waitFor();
    await page.context().close();
  });

  it('"Explain" on a failed unit opens a chat with its journal attached, sent only when the user sends it', async () => {
    const page = await signIn(t);
    await page.goto(`${t.url}/s/box/services`);
    const row = page.getByRole('row').filter({ hasText: BROKEN });
    await expect.poll(() => row.getByTestId('state').textContent()).toBe('failed');
    expect(await page.getByRole('button', { name: `Ask the agent why ${UNIT} failed` }).count()).toBe(0);
    const asked = gemini.requests.length;
    await row.getByRole('button', { name: `Ask the agent why ${BROKEN} failed` }).click();
    await page.waitForURL(`${t.url}/p/agent?server=box`);
    expect(await page.getByLabel('Message').inputValue()).toMatch(
      new RegExp(`^${BROKEN.replace('.', '\\.')} on Web server has failed`),
    );
    const attachment = page.getByTestId('attachment');
    await attachment.getByText(`Attached: The newest journal entries of ${BROKEN}`).click();
    await attachment.getByText(BROKEN_LINE).waitFor();
    expect(gemini.requests).toHaveLength(asked); // nothing went to the model yet

    gemini.reply({ parts: [{ text: 'The config file is missing.' }] });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('The config file is missing.').waitFor();
    expect(userText(gemini.requests.at(-1)!)).toContain(BROKEN_LINE);
    await attachment.waitFor({ state: 'detached' });
    // The conversation acts on the unit's server.
    expect(await page.getByLabel('Tools act on').inputValue()).toBe('box');
    await page.context().close();
  });

  it('fits a phone: the list above the chat, no sideways scroll, big targets', async () => {
    const page = await signIn(t, 390);
    await page.goto(`${t.url}/p/agent?server=box`);
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /^Restart the web service/ })
      .click();
    await page.locator('details[data-state="done"]').first().waitFor();
    await noHorizontalScroll(page);
    await touchTargets(page);
    await page.context().close();
  });

  it('says how to set the key where none is set, and offers no Send', async () => {
    const page = await signIn(bare);
    await page.goto(`${bare.url}/p/agent`);
    const setup = page.getByRole('region', { name: 'Set up the agent' });
    await setup.getByText('GEMINI_API_KEY=…').waitFor();
    expect(await page.getByLabel('Message').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.context().close();
  });
});
