import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureLines } from '../test/harness/requests.ts';
import { runCli } from './cli.ts';

/** The command's output and, apart, what it says went wrong. */
const capture = () => {
  const out = captureLines();
  const err = captureLines();
  return { out: { out: out.stream, err: err.stream }, text: out.text, errText: err.text };
};

const envWith = (yaml: string) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-cli-')), 'aura.yaml');
  writeFileSync(file, yaml);
  return { ...process.env, AURA_CONFIG: file };
};

describe('npm run aura', () => {
  it('lists every plugin command when called without arguments', async () => {
    const { out, text } = capture();
    expect(await runCli([], out, envWith(''))).toBe(0);
    expect(text()).toMatch(/npm run aura -- services sudoers +Print the sudoers drop-in/);
  });

  it("runs a plugin command with the plugin's validated settings", async () => {
    const { out, text } = capture();
    const env = envWith('plugins:\n  services:\n    units:\n      web-1: [{ unit: app.service }]\n');
    expect(await runCli(['services', 'sudoers', '--server', 'web-1', '--user', 'ops'], out, env)).toBe(0);
    expect(text()).toContain('/usr/bin/systemctl restart app.service');
    expect(text()).toContain('ops ALL=(root) NOPASSWD: AURA_SERVICES');
  });

  it('says a plugin is off, with exit code 3, and runs none of its commands', async () => {
    const { out, text, errText } = capture();
    const env = envWith('plugins:\n  services:\n    enabled: false\n    units: { local: [{ unit: app.service }] }\n');
    expect(await runCli(['services', 'polkit'], out, env)).toBe(3);
    // On stderr: `… polkit > 50-aura.rules` must not write the sentence into the rules.
    expect(errText()).toBe('The services plugin is off (plugins.services.enabled: false): nothing to do.\n');
    expect(text()).toBe('');
  });

  it('says so, with exit code 2, for an unknown command or plugin', async () => {
    for (const args of [
      ['services', 'nope'],
      ['nosuch', 'thing'],
    ]) {
      const { out, text, errText } = capture();
      expect(await runCli(args, out, envWith(''))).toBe(2);
      expect(errText()).toContain(`No command "${args.join(' ')}"`);
      expect(text()).toBe('');
    }
  });

  it('stops on a bad setting of the plugin, naming the key', async () => {
    const { out } = capture();
    const env = envWith('plugins:\n  services:\n    units:\n      local: [{ unit: "bad name" }]\n');
    await expect(runCli(['services', 'sudoers'], out, env)).rejects.toMatchObject({
      problems: [expect.stringMatching(/^plugins\.services\.units\.local\.0\.unit: /)],
    });
  });
});
