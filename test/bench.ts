/**
 * `npm run bench`: start-to-ready time, idle RSS with every plugin enabled, and
 * authenticated GET /api/servers throughput as a ratio to a bare Koa hello-world measured
 * in the same run; then the metrics sampler's cost with 1 and 50 live viewers and RSS over a
 * soak (BENCH_SOAK_MINUTES, default 10); the terminal's throughput, echo and flood figures
 * (bench-terminal.ts); a no-op deploy against git by hand, and webhook to served commit
 * (bench-deploy.ts); the agent's time to first token, own time per turn and RSS around its first
 * chat (bench-agent.ts); a commands tool's run and the OpenAPI document (bench-extensibility.ts).
 * BENCH_ONLY=terminal, =deploy, =agent or =extensibility runs just those. Aura runs compiled, as
 * `npm start` runs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Socket } from 'socket.io-client';
import si from 'systeminformation';
import { discoverPlugins } from '../core/loader.ts';
import { collectViews, ensureUiBuilt } from '../core/ui.ts';
import { ROOT_DIR } from '../core/version.ts';
import { agentBench } from './bench-agent.ts';
import { deployBench } from './bench-deploy.ts';
import { extensibilityBench } from './bench-extensibility.ts';
import { terminalBench } from './bench-terminal.ts';
import { freePort } from './harness/net.ts';
import { connectSocket } from './harness/sockets.ts';
import { adminToken } from './harness/requests.ts';
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

export type StartAura = typeof startAura;

/** The compiled Aura on a free port and a fresh data dir; `config` is merged over the defaults, `env` added. */
async function startAura(
  opts: { config?: string; env?: Record<string, string> } = {},
): Promise<{ child: ChildProcess; url: string; readyMs: number; dataDir: string }> {
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
        AURA_CONFIG: opts.config ?? path.join(ROOT_DIR, 'config', 'default.yaml'),
        ...opts.env,
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

/**
 * CPU time (user + system) a process has used, in µs, from /proc (clock ticks of 10 ms);
 * with `children`, also that of the commands it ran and waited for (ps, df).
 */
function cpuMicros(pid: number, children = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return (own + (children ? Number(fields[13]) + Number(fields[14]) : 0)) * 10_000;
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

  const token = await adminToken(aura.url, PASSWORD);

  if (process.env.BENCH_ONLY) {
    // One plugin's figures alone (terminal, deploy, agent), to iterate on them.
    const only = process.env.BENCH_ONLY;
    const rows =
      only === 'deploy'
        ? await deployBench(startAura, PASSWORD)
        : only === 'extensibility'
          ? await extensibilityBench(startAura, PASSWORD)
          : only === 'agent'
            ? await agentBench(startAura, PASSWORD)
            : await terminalBench(aura.url, aura.child.pid!, token);
    await stop(aura.child);
    rmSync(aura.dataDir, { recursive: true, force: true });
    for (const [name, value, goal] of rows) console.log(`${name!.padEnd(40)} ${value!.padStart(12)}   ${goal}`);
    return;
  }

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

  const terminal = await terminalBench(aura.url, aura.child.pid!, token);
  const observed = await observability(aura.url, aura.child.pid!, token);
  await stop(aura.child);
  rmSync(aura.dataDir, { recursive: true, force: true });
  const deploys = await deployBench(startAura, PASSWORD);
  const agent = await agentBench(startAura, PASSWORD);
  const extensibility = await extensibilityBench(startAura, PASSWORD);
  const perOp = await readerCost();

  const rows = [
    ['start-to-ready (median of 5)', `${median(readyTimes).toFixed(0)} ms`, 'goal ≤ 1000 ms'],
    ['idle RSS, all plugins enabled', `${idleRss.toFixed(1)} MB`, 'goal ≤ 70 MB'],
    ['bare Koa hello-world (median of 3)', `${koaRps.toFixed(0)} req/s`, ''],
    ['GET /api/servers, bearer (median of 3)', `${auraRps.toFixed(0)} req/s`, ''],
    ['ratio Aura / bare Koa (req/s)', (auraRps / koaRps).toFixed(2), 'goal ≥ 0.80'],
    ['server CPU per request, bare Koa', `${koaCpu.toFixed(1)} µs`, ''],
    ['server CPU per request, Aura', `${auraCpu.toFixed(1)} µs`, ''],
    ['ratio bare Koa / Aura (CPU per request)', (koaCpu / auraCpu).toFixed(2), ''],
    ...terminal,
    ...deploys,
    ...agent,
    ...extensibility,
    ...observed,
    ...perOp,
  ];
  for (const [name, value, goal] of rows) console.log(`${name!.padEnd(40)} ${value!.padStart(12)}   ${goal}`);
}

const VIEW_SECONDS = 60;
const SOAK_MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);

/** `count` socket.io clients subscribed to local's metrics; resolves once each has had a sample. */
async function viewers(url: string, token: string, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = await connectSocket(url, 'metrics', { token, serverId: 'local' });
      const first = new Promise<void>((resolve) => socket.once('sample', () => resolve()));
      socket.emit('subscribe');
      await first;
      return socket;
    }),
  );
}

/** Aura's CPU (with the commands it runs) as % of one core while `count` viewers watch local. */
async function cpuWhileViewing(url: string, pid: number, token: string, count: number): Promise<number> {
  const sockets = await viewers(url, token, count);
  const before = cpuMicros(pid, true);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, VIEW_SECONDS * 1000));
  const percent = ((cpuMicros(pid, true) - before) / ((performance.now() - started) * 1000)) * 100;
  for (const s of sockets) s.close();
  return percent;
}

async function observability(url: string, pid: number, token: string): Promise<string[][]> {
  const one = await cpuWhileViewing(url, pid, token, 1);
  const fifty = await cpuWhileViewing(url, pid, token, 50);
  const sockets = await viewers(url, token, 50);
  const rssBefore = rssMb(pid);
  await new Promise((r) => setTimeout(r, SOAK_MINUTES * 60_000));
  const rssAfter = rssMb(pid);
  for (const s of sockets) s.close();
  return [
    [`metrics at 1 Hz, 1 viewer (${VIEW_SECONDS} s)`, `${one.toFixed(2)} % core`, ''],
    [`metrics at 1 Hz, 50 viewers (${VIEW_SECONDS} s)`, `${fifty.toFixed(2)} % core`, 'goal ≤ 1 %'],
    ['ratio 50 viewers / 1 viewer (CPU)', (fifty / one).toFixed(2), 'goal ≈ 1'],
    [`RSS growth, ${SOAK_MINUTES} min of 50 viewers`, `${(rssAfter - rssBefore).toFixed(1)} MB`, 'goal < 5 MB'],
  ];
}

/** What reading the local machine once costs (CPU with the commands run): our reader against systeminformation. */
async function readerCost(): Promise<string[][]> {
  const { readFast, readSlow } = await import('../plugins/metrics/read.ts');
  const { createLocalHost } = await import('../core/hosts/local.ts');
  const host = createLocalHost();
  const signal = new AbortController().signal;
  const ROUNDS = 50;
  const time = async (fn: () => Promise<unknown>) => {
    await fn();
    const before = cpuMicros(process.pid, true);
    const wall = performance.now();
    for (let i = 0; i < ROUNDS; i++) await fn();
    return { cpuMs: (cpuMicros(process.pid, true) - before) / 1000 / ROUNDS, wallMs: (performance.now() - wall) / ROUNDS };
  };
  const fast = await time(() => readFast(host, signal));
  // The kernel's units are asked once per sampler, not every five seconds.
  const units = (await readSlow(host, signal, Date.now)).processes;
  const slow = await time(() => readSlow(host, signal, Date.now, units));
  const siFast = await time(() => Promise.all([si.currentLoad(), si.mem(), si.networkStats('*'), si.time()]));
  const siSlow = await time(() => Promise.all([si.fsSize(), si.processes()]));
  const ms = (r: { cpuMs: number; wallMs: number }) => `${r.cpuMs.toFixed(2)} ms`;
  return [
    ['per tick, our /proc reader (CPU)', ms(fast), `wall ${fast.wallMs.toFixed(2)} ms`],
    ['per tick, systeminformation (CPU)', ms(siFast), `wall ${siFast.wallMs.toFixed(2)} ms`],
    ['every 5 s, our df + processes reader (CPU)', ms(slow), `wall ${slow.wallMs.toFixed(2)} ms`],
    ['every 5 s, systeminformation (CPU)', ms(siSlow), `wall ${siSlow.wallMs.toFixed(2)} ms`],
  ];
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
