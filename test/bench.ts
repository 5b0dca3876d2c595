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
import { collectViews, ensureUiBuilt } from '../core/ui.ts';
import { ROOT_DIR } from '../core/version.ts';
import { freePort } from './harness/net.ts';
import { stop, track } from './harness/processes.ts';

const RUNS = 5;
const LOAD_SECONDS = 4;
const LOAD_ROUNDS = 3;
const WARMUP_SECONDS = 6;
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

/** CPU time (user + system) a process has used, in µs, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Load {
  rps: number;
  /** Server CPU per request: less noisy than req/s on a shared 2-core machine. */
  cpuPerRequestUs: number;
}

async function load(url: string, pid: number, headers: Record<string, string> = {}, seconds = LOAD_SECONDS): Promise<Load> {
  const cpuBefore = cpuMicros(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, cpuPerRequestUs: (cpuMicros(pid) - cpuBefore) / result.requests.total };
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
    views: collectViews(plugins),
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

  // Both servers warm up (JIT), then alternate so that machine noise hits both alike.
  const koa = await bareKoa();
  const auth = { authorization: `Bearer ${token}` };
  const koaLoad = (seconds?: number) => load(koa.url, koa.child.pid!, {}, seconds);
  const auraLoad = (seconds?: number) => load(`${aura.url}/api/servers`, aura.child.pid!, auth, seconds);
  await koaLoad(WARMUP_SECONDS);
  await auraLoad(WARMUP_SECONDS);
  const koaRuns: Load[] = [];
  const auraRuns: Load[] = [];
  for (let i = 0; i < LOAD_ROUNDS; i++) {
    koaRuns.push(await koaLoad());
    auraRuns.push(await auraLoad());
  }
  const koaRps = median(koaRuns.map((r) => r.rps));
  const auraRps = median(auraRuns.map((r) => r.rps));
  const koaCpu = median(koaRuns.map((r) => r.cpuPerRequestUs));
  const auraCpu = median(auraRuns.map((r) => r.cpuPerRequestUs));
  await stop(koa.child);
  await stop(aura.child);
  rmSync(aura.dataDir, { recursive: true, force: true });

  const rows = [
    ['start-to-ready (median of 5)', `${median(readyTimes).toFixed(0)} ms`, 'goal ≤ 1000 ms'],
    ['idle RSS, all plugins enabled', `${idleRss.toFixed(1)} MB`, 'goal ≤ 70 MB'],
    ['bare Koa hello-world (median of 3)', `${koaRps.toFixed(0)} req/s`, ''],
    ['GET /api/servers, bearer (median of 3)', `${auraRps.toFixed(0)} req/s`, ''],
    ['ratio Aura / bare Koa (req/s)', (auraRps / koaRps).toFixed(2), 'goal ≥ 0.80'],
    ['server CPU per request, bare Koa', `${koaCpu.toFixed(1)} µs`, ''],
    ['server CPU per request, Aura', `${auraCpu.toFixed(1)} µs`, ''],
    ['ratio bare Koa / Aura (CPU per request)', (koaCpu / auraCpu).toFixed(2), ''],
  ];
  for (const [name, value, goal] of rows) console.log(`${name!.padEnd(40)} ${value!.padStart(12)}   ${goal}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
