import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS } from './browser.ts';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA: what Aura promises. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** A known violation that is somebody else's to fix: skipped by rule and exact element selector. */
export interface Allowed {
  rule: string;
  target: string;
  why: string;
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** One line per failing element: rule, impact, which element, and axe's summary of why. */
export function describeViolations(violations: Violation[]): string[] {
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact ?? 'n/a'}) at ${n.target.map(String).join(' ')}: ${v.help}. ` +
        (n.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
    ),
  );
}

/**
 * Runs axe-core on the page as it is now, with the WCAG 2 A/AA rules; fails listing every
 * violation not in `allow`. Also saves a screenshot as test-artifacts/pages/<name>-<width>.png.
 */
export async function checkPage(page: Page, name: string, allow: Allowed[] = []): Promise<void> {
  const dir = path.join(ARTIFACTS, 'pages');
  mkdirSync(dir, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })).violations;
  }, TAGS);
  const remaining = (violations as Violation[])
    .map((v) => ({
      ...v,
      nodes: v.nodes.filter((n) => !allow.some((a) => a.rule === v.id && a.target === n.target.map(String).join(' '))),
    }))
    .filter((v) => v.nodes.length > 0);
  const found = describeViolations(remaining);
  expect(found, `accessibility violations on ${name} at ${width} px:\n${found.join('\n')}\n`).toEqual([]);
}

/** The rule name an Allowed entry uses for an element known to make the page scroll sideways. */
export const SIDEWAYS = 'no-horizontal-scroll';

/**
 * The page fits its viewport: `document.documentElement.scrollWidth <= window.innerWidth`. When
 * it does not, names the elements sticking out past the right edge (outside any scroll box);
 * the failure is forgiven only when each of them is inside an allowed `SIDEWAYS` selector.
 */
export async function noHorizontalScroll(page: Page, allow: Allowed[] = []): Promise<void> {
  const selectors = allow.filter((a) => a.rule === SIDEWAYS).map((a) => a.target);
  const { scrollWidth, innerWidth, culprits, forgiven } = await page.evaluate((selectors) => {
    const innerWidth = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const out =
      scrollWidth <= innerWidth
        ? []
        : Array.from(document.body.querySelectorAll('*')).filter(
            (el) => el.getBoundingClientRect().right > innerWidth + 0.5 && !clipped(el),
          );
    const isForgiven = (el: Element) => selectors.some((s) => el.closest(s));
    return {
      scrollWidth,
      innerWidth,
      culprits: out.filter((el) => !isForgiven(el)).map((el) => el.outerHTML.slice(0, 100)),
      forgiven: out.some(isForgiven),
    };
  }, selectors);
  if (scrollWidth <= innerWidth || (forgiven && culprits.length === 0)) return;
  const list = culprits.join('\n');
  expect(culprits, `the page scrolls sideways at ${innerWidth} px (${scrollWidth} px wide); sticking out:\n${list}\n`).toEqual(
    [],
  );
  expect.fail(`the page scrolls sideways at ${innerWidth} px (${scrollWidth} px wide)`);
}

/** Every visible button, field and select is at least 44 px tall (for phones; WCAG 2.5.5). */
export async function touchTargets(page: Page): Promise<void> {
  const small = await page.evaluate(() =>
    Array.from(document.querySelectorAll('button, select, input:not([type=checkbox]):not([type=radio]):not([type=hidden])'))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0 && box.height < 43.5)
      .map(({ el, box }) => `${el.outerHTML.slice(0, 80)} is ${Math.round(box.height)} px tall`),
  );
  expect(small, `controls smaller than 44 px on a phone:\n${small.join('\n')}\n`).toEqual([]);
}

/**
 * Tabs round the page once, from wherever focus is, and checks that every element that takes
 * focus shows a visible outline of at least 2 px; returns how many elements were reached.
 */
export async function focusOutlines(page: Page, max = 80): Promise<number> {
  await page.evaluate(() => ((window as unknown as { a11ySeen: WeakSet<Element> }).a11ySeen = new WeakSet()));
  const missing: string[] = [];
  let reached = 0;
  let outside = 0; // presses that left the document (past the last element, before the first)
  for (let i = 0; i < max && outside < 3; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'outside';
      const seen = (window as unknown as { a11ySeen: WeakSet<Element> }).a11ySeen;
      if (seen.has(el)) return 'again';
      seen.add(el);
      const style = getComputedStyle(el);
      const visible = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      return visible ? 'ok' : el.outerHTML.slice(0, 100);
    });
    if (focused === 'again') break;
    if (focused === 'outside') outside++;
    else reached++;
    if (focused !== 'ok' && focused !== 'outside') missing.push(focused);
  }
  expect(missing, `focused elements without a visible outline:\n${missing.join('\n')}\n`).toEqual([]);
  return reached;
}
