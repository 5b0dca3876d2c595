import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../test/harness/net.ts';
import { stop, track } from '../test/harness/processes.ts';
import { ROOT_DIR } from './version.ts';

const login = (url: string, password: string) =>
  fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });

interface Cli {
  child: ChildProcess;
  url: string;
  stdout: string;
  /** The plain line for people, on stderr. */
  open: string;
}

/**
 * Runs the real CLI until it is ready: the JSON "Aura ready" line on stdout and the plain
 * "Open …" line on stderr. Fails with everything it printed if it exits or takes too long.
 */
function startCli(env: Record<string, string>): Promise<Cli> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'core', 'main.ts')], {
      cwd: ROOT_DIR,
      env: { ...process.env, ...env },
    }),
  );
  let stdout = '';
  let stderr = '';
  return new Promise<Cli>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(deadline);
      reject(new Error(`Aura did not start (${why}):\n${stdout}\n${stderr}`));
    };
    const deadline = setTimeout(() => fail('no ready line within 60 s'), 60_000);
    const check = () => {
      const ready = /"Aura ready on (http:\/\/[^"\s]+)"/.exec(stdout);
      const open = /^Open .*$/m.exec(stderr);
      if (!ready || !open) return;
      clearTimeout(deadline);
      resolve({ child, url: ready[1]!, stdout, open: open[0] });
    };
    child.stdout!.on('data', (c: Buffer) => ((stdout += c.toString()), check()));
    child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString()), check()));
    child.once('exit', (code) => fail(`exit ${code}`));
  });
}

/** Every line on stdout is one JSON object: the plain line must not break the log. */
const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { msg?: string });

describe('the aura command', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-cli-'));
  let running: ChildProcess | undefined;
  afterEach(async () => {
    if (running) await stop(running);
    running = undefined;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const envFor = async () => ({
    AURA_DATA_DIR: dataDir,
    AURA_PORT: String(await freePort()),
    ADMIN_PASSWORD: '',
    AURA_CONFIG: path.join(ROOT_DIR, 'config', 'default.yaml'),
  });

  it('says where to open it, with a generated password on the first start only; keeps only its hash', async () => {
    const env = await envFor();
    const first = await startCli(env);
    running = first.child;
    const openFirst = /^Open (http:\/\/127\.0\.0\.1:\d+) — user admin, password (\S+) \(shown only this once\)$/.exec(first.open);
    expect(openFirst, first.open).not.toBeNull();
    const [, url, password] = openFirst!;
    expect(url).toBe(first.url);
    expect(password!.length).toBeGreaterThanOrEqual(20);
    expect(jsonLines(first.stdout).some((l) => l.msg === `Aura ready on ${first.url}`)).toBe(true);
    expect(first.stdout).not.toContain(password);
    expect(readFileSync(path.join(dataDir, 'admin-password.hash'), 'utf8')).not.toContain(password);
    expect((await login(first.url, password!)).status).toBe(200);
    await stop(first.child);

    const second = await startCli(env);
    running = second.child;
    expect(second.open).toBe(`Open ${second.url}`);
    expect(second.open).not.toContain('password');
    jsonLines(second.stdout);
    expect((await login(second.url, password!)).status).toBe(200);
    await stop(second.child);

    // What the README says resets a lost password: delete the hash and start again.
    rmSync(path.join(dataDir, 'admin-password.hash'));
    const third = await startCli(env);
    running = third.child;
    const fresh = /password (\S+) \(shown only this once\)$/.exec(third.open)![1]!;
    expect(fresh).not.toBe(password);
    expect((await login(third.url, password!)).status).toBe(401);
    expect((await login(third.url, fresh)).status).toBe(200);
  }, 180_000);

  it('prints no password when ADMIN_PASSWORD is set, and that password replaces the stored one', async () => {
    const env = { ...(await envFor()), ADMIN_PASSWORD: 'a chosen admin password' };
    const cli = await startCli(env);
    running = cli.child;
    expect(cli.open).toBe(`Open ${cli.url}`);
    expect((await login(cli.url, 'a chosen admin password')).status).toBe(200);
  }, 120_000);
});
