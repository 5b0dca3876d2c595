import net from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from './harness/aura.ts';
import { docScreenshot, launchChromium, signInAsAdmin } from './harness/browser.ts';
import { startAuraWithGoogle, viewerContext, type AuraWithGoogle } from './harness/google.ts';
import { freePort } from './harness/net.ts';
import { connectSocket } from './harness/sockets.ts';
import { cleanHome, terminalPage } from './harness/terminal.ts';

/** What the terminal shown in the panel reads, as the user sees it (xterm's DOM rows). */
const screenText = (page: Page) => page.locator('.screen:not([hidden]) .xterm-rows').innerText();
const count = (text: string, word: string) => text.split(word).length - 1;
const tabBar = (page: Page) => page.getByRole('group', { name: 'Terminal sessions' });
const tab = (page: Page, name: string | RegExp) => tabBar(page).getByRole('button', { name, exact: true });

/** Types a line into the terminal shown, as a person does: click into it, type, Enter. */
async function typeLine(page: Page, line: string) {
  await page.locator('.screen:not([hidden])').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/**
 * A TCP relay to Aura that can be cut (every connection dropped, nothing listening) and
 * restored on the same port: a page behind it loses its link and gets it back.
 */
async function relay(port: number, target: number) {
  const open = new Set<net.Socket>();
  let server: net.Server | undefined;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target, '127.0.0.1');
        open.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      open.clear();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    });
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut, restore: listen };
}

describe('the Terminal panel in Chromium', () => {
  let browser: Browser;
  let t: TestAura;
  let google: AuraWithGoogle;
  let restoreHome: () => void;
  let relayPort: number;
  /** The admin's sessions, seen (and ended) from outside the browser. */
  let admin: ReturnType<typeof terminalPage>;
  const contexts: BrowserContext[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    restoreHome = cleanHome(); // login shells without this machine's dotfiles
    relayPort = await freePort();
    const terminal = {
      enabled: true,
      maxSessionsPerUser: 3,
      shortcuts: [{ label: 'Who am I', command: 'echo "me-$(id -u)-end"' }],
    };
    // The relay's origin is Aura's too (publicUrl), so pages may sign in and connect through it.
    t = await startTestAura({ publicUrl: `http://127.0.0.1:${relayPort}`, plugins: { terminal } });
    google = await startAuraWithGoogle([{ email: 'vera@example.org', role: 'viewer' }], {
      config: { plugins: { terminal } },
    });
    const { token } = await t.login();
    admin = terminalPage(await connectSocket(t.url, 'terminal', { token, serverId: 'local' }));
    browser = await launchChromium();
  }, 120_000);
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    for (const undo of cleanups.splice(0)) await undo();
    // Every test starts without sessions: end what the last one left.
    const left = (await admin.call('list')) as unknown as { sessionId: string }[];
    for (const s of left) await admin.call('close', { sessionId: s.sessionId });
  });
  afterAll(async () => {
    admin?.socket.close();
    await browser?.close();
    await t?.close();
    await google?.stop();
    restoreHome?.();
  });

  async function signIn(url = t.url): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    await signInAsAdmin(page, url);
    return page;
  }
  const listed = async () => (await admin.call('list')) as unknown as { sessionId: string; attached: boolean }[];

  it('answers what is typed, keeps its session over a reload, runs shortcuts, switches tabs and ends them', async () => {
    const page = await signIn();
    await page.goto(`${t.url}/s/local/terminal`);
    // Nothing to bring back: a shell of its own opens.
    await expect.poll(() => tab(page, 'Shell 1').getAttribute('aria-pressed')).toBe('true');
    await typeLine(page, 'echo "mark-$((6*7))"');
    await expect.poll(() => screenText(page)).toContain('mark-42');

    // A reload shows the same session, in the same tab, with what it printed before.
    await page.reload();
    await expect.poll(() => screenText(page)).toContain('mark-42');
    expect(count(await screenText(page), 'mark-42')).toBe(1);
    expect(
      await tabBar(page)
        .getByRole('button', { name: /^Shell/ })
        .allInnerTexts(),
    ).toEqual(['Shell 1']);
    expect(await listed()).toHaveLength(1);
    await typeLine(page, 'echo "again-$((2+3))"');
    await expect.poll(() => screenText(page)).toContain('again-5');

    await page.getByRole('group', { name: 'Shortcuts' }).getByRole('button', { name: 'Who am I' }).click();
    await expect.poll(() => screenText(page)).toMatch(/me-\d+-end/);
    // The shortcut leaves the keys with the terminal.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea'))).toBe(true);

    await page.getByRole('button', { name: 'New terminal' }).click();
    await expect.poll(() => tab(page, 'Shell 2').getAttribute('aria-pressed')).toBe('true');
    expect(await tab(page, 'Shell 1').getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => screenText(page)).not.toContain('mark-42');
    await typeLine(page, 'echo "second-$((5*5))"');
    await expect.poll(() => screenText(page)).toContain('second-25');
    await tab(page, 'Shell 1').click();
    await expect.poll(() => screenText(page)).toContain('mark-42');
    expect(await screenText(page)).not.toContain('second-25');
    await docScreenshot(page, 'terminal.png');

    // A shell that exits says so in its tab, and its tab closes without a question.
    await tab(page, 'Shell 2').click();
    await typeLine(page, 'exit 3');
    await tab(page, /^Shell 2\s·\sexited with code 3$/).waitFor();
    await page.getByText('The shell of Shell 2 exited with code 3.').waitFor();
    await page.getByRole('button', { name: 'Close Shell 2' }).click();
    await expect.poll(() => tab(page, 'Shell 1').getAttribute('aria-pressed')).toBe('true');
    expect(await listed()).toHaveLength(1);

    // Closing a running one ends its shell, once confirmed.
    await page.getByRole('button', { name: 'Close Shell 1' }).click();
    const dialog = page.getByRole('dialog', { name: /^End Shell 1 on / });
    await dialog.getByText(/hangup signal/).waitFor();
    await dialog.getByRole('button', { name: 'End session' }).click();
    await page.getByText('No terminal is open here.', { exact: false }).waitFor();
    await expect.poll(listed).toEqual([]);
  });

  it('comes back by itself after the connection drops, its output replayed once', async () => {
    const link = await relay(relayPort, Number(new URL(t.url).port));
    cleanups.push(link.cut);
    const page = await signIn(link.url);
    await page.goto(`${link.url}/s/local/terminal`);
    await tab(page, 'Shell 1').waitFor();
    await typeLine(page, 'echo "mark-$((6*7))"');
    await expect.poll(() => screenText(page)).toContain('mark-42');

    await link.cut();
    const banner = page.getByText(/^Reconnecting… your sessions keep running on .+ for 10 minutes/);
    await banner.waitFor();
    await expect.poll(async () => (await listed())[0]?.attached).toBe(false);
    await link.restore();
    await banner.waitFor({ state: 'hidden' });
    await typeLine(page, 'echo "back-$((40+2))"');
    await expect.poll(() => screenText(page)).toContain('back-42');
    expect(count(await screenText(page), 'mark-42')).toBe(1);
    expect(
      await tabBar(page)
        .getByRole('button', { name: /^Shell/ })
        .allInnerTexts(),
    ).toEqual(['Shell 1']);
  });

  it('hands a session to another window, and takes it back', async () => {
    const first = await signIn();
    await first.goto(`${t.url}/s/local/terminal`);
    await tab(first, 'Shell 1').waitFor();
    await typeLine(first, 'echo "take-$((1+1))"');
    await expect.poll(() => screenText(first)).toContain('take-2');

    // A second window that remembers the same session (as a duplicated browser tab does).
    const remembered = await first.evaluate(() => sessionStorage.getItem('aura.terminal.local'));
    const second = await first.context().newPage();
    await second.addInitScript((saved) => sessionStorage.setItem('aura.terminal.local', saved), remembered!);
    await second.goto(`${t.url}/s/local/terminal`);
    await expect.poll(() => screenText(second)).toContain('take-2');
    await first.getByText('Shell 1 was taken over in another window.').waitFor();
    await tab(first, /^Shell 1\s·\sin another window$/).waitFor();

    await first.getByRole('button', { name: 'Take it back' }).click();
    await second.getByText('Shell 1 was taken over in another window.').waitFor();
    await tab(first, 'Shell 1').waitFor();
    await typeLine(first, 'echo "mine-$((3+4))"');
    await expect.poll(() => screenText(first)).toContain('mine-7');
    expect(await listed()).toHaveLength(1);
  });

  it('lists sessions no window shows, to reattach or end', async () => {
    const page = await signIn();
    const context = page.context();
    await page.goto(`${t.url}/s/local/terminal`);
    await tab(page, 'Shell 1').waitFor();
    await typeLine(page, 'echo "kept-$((3*3))"');
    await expect.poll(() => screenText(page)).toContain('kept-9');
    await page.close();
    await expect.poll(async () => (await listed()).map((s) => s.attached)).toEqual([false]);

    // A new browser tab remembers nothing: the detached session is offered, no new one opens.
    const again = await context.newPage();
    await again.goto(`${t.url}/s/local/terminal`);
    const detached = again.getByRole('region', { name: 'Detached sessions' });
    await detached.getByText(/^Started /).waitFor();
    await again.getByText('No terminal is open here.', { exact: false }).waitFor();
    await detached.getByRole('button', { name: 'Reattach' }).click();
    await expect.poll(() => screenText(again)).toContain('kept-9');
    await expect.poll(() => tab(again, 'Shell 1').getAttribute('aria-pressed')).toBe('true');
    expect(await detached.count()).toBe(0);
    await again.close();
    await expect.poll(async () => (await listed()).map((s) => s.attached)).toEqual([false]);

    const third = await context.newPage();
    await third.goto(`${t.url}/s/local/terminal`);
    await third.getByRole('region', { name: 'Detached sessions' }).getByRole('button', { name: 'End' }).click();
    await third.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
    await third.getByRole('heading', { name: 'Detached sessions' }).waitFor({ state: 'detached' });
    await expect.poll(listed).toEqual([]);
    expect(
      await tabBar(third)
        .getByRole('button', { name: /^Shell/ })
        .count(),
    ).toBe(0);
  });

  it('says why when a shell may not open', async () => {
    // The admin has the most sessions allowed, all shown somewhere else.
    for (let i = 0; i < 3; i++) await admin.open();
    const page = await signIn();
    await page.goto(`${t.url}/s/local/terminal`);
    await page
      .getByTestId('toast')
      .filter({ hasText: /^No new terminal on .+\(TOO_MANY_TERMINALS\)/ })
      .waitFor();
    await page.getByText('No terminal is open here.', { exact: false }).waitFor();
    expect(await listed()).toHaveLength(3);
  });

  it('tells a viewer it is for admins, and opens nothing', async () => {
    const context = await viewerContext(browser, google, { width: 390, height: 800 });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${google.t.url}/s/local/terminal`);
    await page.getByText(/^Only admins can open a terminal on /).waitFor();
    expect(await page.getByRole('button', { name: 'New terminal' }).count()).toBe(0);
    expect(await page.locator('.xterm').count()).toBe(0);
  });
});
