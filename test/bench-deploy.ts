/**
 * The deploy plugin's figures for `npm run bench`: Aura's wall time for a no-op deploy against
 * the same git commands run by hand, and the time from a signed webhook to the app answering
 * with the pushed commit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { StartAura } from './bench.ts';
import { gitFixture } from './harness/git.ts';
import { adminToken } from './harness/requests.ts';
import { stop } from './harness/processes.ts';
import { connectSocket } from './harness/sockets.ts';
import { sign } from '../plugins/deploy/webhook.ts';

const ROUNDS = 15;
const SECRET = 'bench-webhook-secret-123';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** What a no-op deploy runs, in order, run here by hand. */
function byHand(dir: string, roots: string): void {
  const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  run(['realpath', '-e', '--', dir]);
  run(['realpath', '-m', '--', roots]);
  run(['git', 'check-ref-format', '--branch', 'main']);
  run(['git', '-C', dir, 'symbolic-ref', '--quiet', '--short', 'HEAD']);
  run(['git', '-C', dir, 'status', '--porcelain', '--untracked-files=no']);
  run(['git', '-C', dir, 'rev-parse', '--verify', 'HEAD^{commit}']);
  run(['git', '-C', dir, 'fetch', '--prune', 'origin']);
  run(['git', '-C', dir, 'rev-parse', '--verify', '--end-of-options', 'origin/main^{commit}']);
}

export async function deployBench(startAura: StartAura, password: string): Promise<string[][]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aura-bench-deploy-'));
  const repo = gitFixture(root, 'site');
  // The "service": answers with the commit the clone holds, read per request.
  const service = createServer((_req, res) => {
    try {
      res.end(readFileSync(path.join(repo.app, 'VERSION'), 'utf8'));
    } catch {
      res.statusCode = 500;
      res.end();
    }
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const port = (service.address() as { port: number }).port;
  const config = path.join(root, 'aura.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      plugins: {
        deploy: {
          roots: [root],
          apps: {
            local: [
              {
                id: 'site',
                dir: repo.app,
                healthCheck: { url: `http://127.0.0.1:${port}/` },
                webhookSecretEnv: 'SITE_HOOK_SECRET',
              },
            ],
          },
        },
      },
    }),
  );
  const aura = await startAura({ config, env: { SITE_HOOK_SECRET: SECRET } });
  try {
    const token = await adminToken(aura.url, password);
    const socket = await connectSocket(aura.url, 'deploy', { token, serverId: 'local' });
    const base = `${aura.url}/api/servers/local/deploy`;
    /** Resolves with the run's final status, as the socket tells it. */
    const ended = (runId: string) =>
      new Promise<string>((resolve) => {
        const onStatus = (s: { runId: string; status: string }) => {
          if (s.runId !== runId || s.status === 'running' || s.status === 'queued') return;
          socket.off('status', onStatus);
          resolve(s.status);
        };
        socket.on('status', onStatus);
        socket.emit('watch', { runId });
      });
    repo.commit({ VERSION: repo.first }, 'version file');
    const noop = async () => {
      const t0 = performance.now();
      const res = await fetch(`${base}/apps/site/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const { runId } = (await res.json()) as { runId: string };
      const status = await ended(runId);
      if (status !== 'succeeded') throw new Error(`bench deploy ${status}`);
      return performance.now() - t0;
    };
    await noop(); // the commit above, then nothing new
    const auraMs: number[] = [];
    const handMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      auraMs.push(await noop());
      const t0 = performance.now();
      byHand(repo.app, root);
      handMs.push(performance.now() - t0);
    }

    // A signed push, until the service answers with the pushed commit.
    const pushes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const next = repo.commit({ VERSION: `v${i}-${Date.now()}` }, `push ${i}`);
      const wanted = readFileSync(path.join(repo.dev, 'VERSION'), 'utf8');
      const body = JSON.stringify({ ref: 'refs/heads/main', after: next });
      const t0 = performance.now();
      const res = await fetch(`${base}/apps/site/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(SECRET, body) },
        body,
      });
      const { runId } = (await res.json()) as { runId: string };
      const status = ended(runId);
      for (;;) {
        const answer = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
        if (answer === wanted) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      pushes.push(performance.now() - t0);
      await status;
    }
    socket.close();
    const a = median(auraMs);
    const h = median(handMs);
    return [
      [`no-op deploy through Aura (median of ${ROUNDS})`, `${a.toFixed(0)} ms`, ''],
      ['the same git commands by hand', `${h.toFixed(0)} ms`, ''],
      ['ratio Aura / by hand (no-op deploy)', (a / h).toFixed(2), ''],
      ['webhook to the app serving the push (median of 5)', `${median(pushes).toFixed(0)} ms`, ''],
    ];
  } finally {
    await stop(aura.child);
    service.close();
    rmSync(aura.dataDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}
