import { cpSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectViews, uiBuildKey } from './ui.ts';

/** A small checkout: ui/src, the two configs, and one plugin with a panel. */
function checkout(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aura-ui-key-'));
  const files: Record<string, string> = {
    'ui/src/app.html': '<html></html>',
    'ui/src/lib/a.ts': 'export const a = 1;',
    'ui/svelte.config.js': 'export default {};',
    'ui/vite.config.ts': 'export default {};',
    'plugins/echo/ui/Panel.svelte': '<p>echo</p>',
    'plugins/echo/ui/helper.ts': 'export const h = 1;',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
    utimesSync(path.join(root, rel), 1_700_000_000, 1_700_000_000);
  }
  return root;
}

const keyOf = (root: string, enabled = true) =>
  uiBuildKey(path.join(root, 'ui'), collectViews([{ id: 'echo', dir: path.join(root, 'plugins', 'echo'), enabled }]));

describe('the UI build key', () => {
  it('stays the same when the whole tree moves with its files’ times', () => {
    const a = checkout();
    const b = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-ui-moved-')), 'opt-aura');
    cpSync(a, b, { recursive: true, preserveTimestamps: true });
    expect(keyOf(b)).toBe(keyOf(a));
  });

  it('changes when a UI source, a plugin view file or the view set changes', () => {
    const root = checkout();
    const before = keyOf(root);
    writeFileSync(path.join(root, 'plugins/echo/ui/helper.ts'), 'export const h = 2;');
    const edited = keyOf(root);
    expect(edited).not.toBe(before);
    writeFileSync(path.join(root, 'ui/src/lib/b.ts'), 'export const b = 1;');
    expect(keyOf(root)).not.toBe(edited);
    expect(keyOf(root, false)).not.toBe(keyOf(root));
  });
});

describe('the UI build key of a plugin outside the checkout', () => {
  it('changes when its panel changes, so the next start rebuilds the UI with it', () => {
    const root = checkout();
    const elsewhere = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-ui-dir-')), 'mine');
    mkdirSync(path.join(elsewhere, 'ui'), { recursive: true });
    writeFileSync(path.join(elsewhere, 'ui', 'Panel.svelte'), '<p>one</p>');
    const key = () => uiBuildKey(path.join(root, 'ui'), collectViews([{ id: 'mine', dir: elsewhere, enabled: true }]));
    const before = key();
    expect(key()).toBe(before);
    writeFileSync(path.join(elsewhere, 'ui', 'Panel.svelte'), '<p>two, longer</p>');
    expect(key()).not.toBe(before);
  });
});
