/**
 * `npm run bench`: start-to-ready time, idle RSS with every plugin enabled, and
 * authenticated GET /api/servers throughput as a ratio to a bare Koa hello-world measured
 * in the same run. Aura runs compiled, as `npm start` runs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { discoverPlugins } from '../core/loader.ts';
import { collectPanels, ensureUiBuilt } from '../core/ui.ts';
import { ROOT_DIR } from '../core/version.ts';
import { freePort } from './harness/net.ts';
import { stop, track } from './harness/processes.ts';

const RUNS = 5;
const LOAD_SECONDS = 5;
const CONNECTIONS = 10;
const PASSWORD = 'bench-password-123';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Aura exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function startAura(): Promise<{ child: ChildProcess; url: string; readyMs: number; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aura-bench-'));
  const port = await freePort();
  const started = performance.now();
  const child = track(
    spawn(process.execPath, [path.join(ROOT_DIR, 'dist', 'core', 'main.js')], {
      cwd: ROOT_DIR,
      env: {
        ...process.env,
        AURA_PORT: String(port),
        AURA_DATA_DIR: dataDir,
        ADMIN_PASSWORD: PASSWORD,
        AURA_CONFIG: path.join(ROOT_DIR, 'config', 'default.yaml'),
      },
      stdio: 'ignore',
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  return { child, url, readyMs: performance.now() - started, dataDir };
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

async function requestsPerSecond(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: LOAD_SECONDS, headers });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function bareKoa(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const code = `import Koa from 'koa'; const app = new Koa(); app.use((ctx) => { ctx.body = 'hello'; }); app.listen(${port}, '127.0.0.1');`;
  const child = track(spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT_DIR, stdio: 'ignore' }));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url };
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(): Promise<void> {
  const build = spawnSync(
    process.execPath,
    [path.join(ROOT_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT_DIR, stdio: 'inherit' },
  );
  if (build.status !== 0) throw new Error('tsc build failed');
  const plugins = discoverPlugins([path.join(ROOT_DIR, 'plugins')]).found.map((p) => ({ ...p, enabled: true }));
  await ensureUiBuilt({
    uiDir: path.join(ROOT_DIR, 'ui'),
    outDir: path.join(ROOT_DIR, 'ui', 'build'),
    panels: collectPanels(plugins),
  });

  const readyTimes: number[] = [];
  let last: Awaited<ReturnType<typeof startAura>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    if (last) {
      await stop(last.child);
      rmSync(last.dataDir, { recursive: true, force: true });
    }
    last = await startAura();
    readyTimes.push(last.readyMs);
  }
  const aura = last!;
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = rssMb(aura.child.pid!);

  const login = await fetch(`${aura.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };

  const koa = await bareKoa();
  await requestsPerSecond(koa.url); // warm-up
  const koaRps = await requestsPerSecond(koa.url);
  await requestsPerSecond(`${aura.url}/api/servers`, { authorization: `Bearer ${token}` });
  const auraRps = await requestsPerSecond(`${aura.url}/api/servers`, { authorization: `Bearer ${token}` });
  await stop(koa.child);
  await stop(aura.child);
  rmSync(aura.dataDir, { recursive: true, force: true });

  const rows = [
    ['start-to-ready (median of 5)', `${median(readyTimes).toFixed(0)} ms`, 'goal ≤ 1000 ms'],
    ['idle RSS, all plugins enabled', `${idleRss.toFixed(1)} MB`, 'goal ≤ 70 MB'],
    ['bare Koa hello-world', `${koaRps.toFixed(0)} req/s`, ''],
    ['GET /api/servers (bearer)', `${auraRps.toFixed(0)} req/s`, ''],
    ['ratio Aura / bare Koa', (auraRps / koaRps).toFixed(2), 'goal ≥ 0.80'],
  ];
  for (const [name, value, goal] of rows) console.log(`${name!.padEnd(32)} ${value!.padStart(12)}   ${goal}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
