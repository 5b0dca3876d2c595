import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../test/harness/net.ts';
import { stop, track } from '../test/harness/processes.ts';
import { ROOT_DIR } from './version.ts';

const login = (url: string, password: string) =>
  fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });

/** Runs the real CLI until it says it is ready; returns everything it printed. */
async function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string; url: string }> {
  let output = '';
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'core', 'main.ts')], {
      cwd: ROOT_DIR,
      env: { ...process.env, ...env },
    }),
  );
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!/Aura ready on (http:\/\/\S+)"/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Aura did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => output, url: /Aura ready on (http:\/\/[^"\s]+)/.exec(output)![1]! };
}

describe('the aura command', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-cli-'));
  let running: ChildProcess | undefined;
  afterEach(async () => {
    if (running) await stop(running);
  });

  it('generates an admin password on first start, prints it once and keeps only its hash', async () => {
    const env = {
      AURA_DATA_DIR: dataDir,
      AURA_PORT: String(await freePort()),
      ADMIN_PASSWORD: '',
      AURA_CONFIG: path.join(ROOT_DIR, 'config', 'default.yaml'),
    };
    const first = await startCli(env);
    running = first.child;
    const password = /password: (\S+)/.exec(first.output())![1]!;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(readFileSync(path.join(dataDir, 'admin-password.hash'), 'utf8')).not.toContain(password);
    expect((await login(first.url, password)).status).toBe(200);
    await stop(first.child);

    const second = await startCli(env);
    running = second.child;
    expect(second.output()).not.toContain('password:');
    expect((await login(second.url, password)).status).toBe(200);
    await stop(second.child);
    running = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });
});
