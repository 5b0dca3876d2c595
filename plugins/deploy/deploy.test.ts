import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitFixture, gitIn } from '../../test/harness/git.ts';
import { builtInPlugin, realLocalHost, startPluginTest, type PluginTest } from '../../test/kit/index.ts';
import deploy from './index.ts';
import { sign } from './webhook.ts';

type Run = {
  id: string;
  status: string;
  reason?: string;
  fromCommit: string | null;
  toCommit: string | null;
  trigger: string;
  user: string;
  steps: { name: string; status: string }[];
  log: { step: string; stream: string; text: string }[];
};
const FINAL = ['succeeded', 'failed', 'rolled-back', 'cancelled', 'interrupted'];
const SECRET = 'whsec-0123456789-abcdef';
const TOKEN = 'very-secret-token-value';

describe('deploy on this machine, with real git', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aura-deploy-'));
  const outside = mkdtempSync(path.join(os.tmpdir(), 'aura-outside-'));
  const repos = Object.fromEntries(
    ['site', 'hooked', 'broken', 'sick', 'waiter', 'deps', 'leaky', 'dirty', 'diverged'].map((n) => [n, gitFixture(root, n)]),
  );
  let kit: PluginTest;
  const base = '/api/servers/local/deploy';

  let services: Awaited<ReturnType<typeof builtInPlugin>>;

  beforeAll(async () => {
    services = await builtInPlugin('services');
    mkdirSync(path.join(outside, 'app'));
    symlinkSync(path.join(outside, 'app'), path.join(root, 'linked'));
    kit = await startPluginTest({
      plugins: [services, deploy],
      hosts: { local: realLocalHost() },
      env: { HOOK_SECRET: SECRET, DEPLOY_TEST_TOKEN: TOKEN },
      settings: {
        deploy: {
          roots: [root],
          apps: {
            local: [
              { id: 'site', dir: repos.site!.app },
              { id: 'hooked', dir: repos.hooked!.app, webhookSecretEnv: 'HOOK_SECRET' },
              { id: 'broken', dir: repos.broken!.app, build: [['sh', '-c', 'echo building; exit 3']] },
              { id: 'sick', dir: repos.sick!.app, healthCheck: { argv: ['false'] }, healthTimeoutSeconds: 7 },
              {
                id: 'waiter',
                dir: repos.waiter!.app,
                build: [['sh', '-c', 'echo waiting; while [ ! -e ../release ]; do sleep 0.02; done; rm ../release']],
              },
              {
                id: 'deps',
                dir: repos.deps!.app,
                runtime: 'python',
                install: ['sh', '-c', 'echo installed >> ../deps-installs.log'],
              },
              {
                id: 'leaky',
                dir: repos.leaky!.app,
                build: [['sh', '-c', `echo "token ${TOKEN}"; echo "pushing https://bob:hunter2hunter2@example.com/x.git"`]],
              },
              { id: 'dirty', dir: repos.dirty!.app },
              { id: 'diverged', dir: repos.diverged!.app },
              { id: 'linked', dir: path.join(root, 'linked') },
            ],
          },
        },
      },
    });
  });
  afterAll(async () => {
    await kit?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const start = async (app: string, body: unknown = {}, as?: 'admin' | 'viewer') => {
    const res = await kit.request(`${base}/apps/${app}/runs`, { method: 'POST', json: body, as });
    return { status: res.status, body: (await res.json()) as { runId?: string; code?: string; detail?: string } };
  };
  const runOf = async (id: string) => (await (await kit.request(`${base}/runs/${id}`)).json()) as Run;
  const finished = async (id: string) => {
    await expect.poll(async () => FINAL.includes((await runOf(id)).status)).toBe(true);
    return runOf(id);
  };
  const deployed = async (app: string, body: unknown = {}) => {
    const { status, body: started } = await start(app, body);
    expect(status).toBe(202);
    return finished(started.runId!);
  };

  it('fast-forwards a clean clone to the pushed commit, step by step, and lists the app', async () => {
    const repo = repos.site!;
    const next = repo.commit({ 'index.html': '<h1>v2</h1>\n' }, 'second');
    const run = await deployed('site');
    expect(run).toMatchObject({ status: 'succeeded', fromCommit: repo.first, toCommit: next, trigger: 'manual', user: 'admin' });
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ['check', 'succeeded'],
      ['fetch', 'succeeded'],
      ['update', 'succeeded'],
      ['dependencies', 'skipped'],
    ]);
    expect(run.log.some((l) => l.step === 'update' && /Fast-forward|index\.html/.test(l.text))).toBe(true);
    expect(repo.head()).toBe(next);
    const apps = (await (await kit.request(`${base}/apps`)).json()) as { id: string; commit: string; subject: string }[];
    expect(apps.find((a) => a.id === 'site')).toMatchObject({ commit: next, subject: 'second', lastRun: { id: run.id } });
    const history = (await (await kit.request(`${base}/runs?app=site`)).json()) as { id: string }[];
    expect(history[0]!.id).toBe(run.id);
  });

  it('redeploys an earlier commit of the branch, and refuses one that is not on it', async () => {
    const repo = repos.site!;
    const run = await deployed('site', { commit: repo.first });
    expect(run).toMatchObject({ status: 'succeeded', toCommit: repo.first });
    expect(repo.head()).toBe(repo.first);
    expect((await start('site', { commit: 'not-hex' })).body).toMatchObject({ code: 'INVALID_COMMIT' });
    const stray = (await deployed('site', { commit: 'deadbeef' })) as Run;
    expect(stray).toMatchObject({ status: 'failed' });
    expect(repo.head()).toBe(repo.first);
  });

  it('installs dependencies only when their files changed', async () => {
    const repo = repos.deps!;
    const installs = () =>
      existsSync(path.join(root, 'deps-installs.log'))
        ? readFileSync(path.join(root, 'deps-installs.log'), 'utf8').split('\n').length - 1
        : 0;
    repo.commit({ 'requirements.txt': 'flask\n' }, 'needs flask');
    expect((await deployed('deps')).steps.find((s) => s.name === 'dependencies')?.status).toBe('succeeded');
    expect(installs()).toBe(1);
    repo.commit({ 'app.py': 'print(1)\n' }, 'code only');
    expect((await deployed('deps')).steps.find((s) => s.name === 'dependencies')?.status).toBe('skipped');
    expect(installs()).toBe(1);
  });

  it('rolls a failed build back to the commit it started from', async () => {
    const repo = repos.broken!;
    repo.commit({ 'index.html': 'v2\n' }, 'second');
    const run = await deployed('broken');
    expect(run).toMatchObject({ status: 'rolled-back', reason: expect.stringContaining('build') });
    expect(run.steps.map((s) => s.name)).toContain('rollback');
    expect(run.log.some((l) => l.step === 'build' && l.text === 'building')).toBe(true);
    expect(repo.head()).toBe(repo.first);
  });

  it('rolls back a commit that never gets healthy, its retries leaving no listeners behind', async () => {
    const repo = repos.sick!;
    repo.commit({ 'index.html': 'v2\n' }, 'second');
    // Node warns of a leak (MaxListenersExceededWarning) once 11 listeners wait on one signal.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const run = await deployed('sick').finally(() => process.off('warning', onWarning));
    expect(run).toMatchObject({ status: 'rolled-back', reason: expect.stringContaining('health: not healthy within 7 s') });
    expect(run.steps.slice(-2).map((s) => [s.name, s.status])).toEqual([
      ['health', 'failed'],
      ['rollback', 'succeeded'],
    ]);
    expect(run.log.filter((l) => l.step === 'health').map((l) => l.text)).toContain('$ false (until it exits 0)');
    expect(repo.head()).toBe(repo.first);
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
  });

  it('refuses a dirty tree and a diverged one, and touches neither', async () => {
    const dirty = repos.dirty!;
    dirty.commit({ 'index.html': 'v2\n' }, 'second');
    writeFileSync(path.join(dirty.app, 'README.md'), 'edited on the server\n');
    const run = await deployed('dirty');
    expect(run).toMatchObject({ status: 'failed', reason: expect.stringContaining('local changes') });
    expect(readFileSync(path.join(dirty.app, 'README.md'), 'utf8')).toBe('edited on the server\n');
    expect(dirty.head()).toBe(dirty.first);

    const diverged = repos.diverged!;
    diverged.commit({ 'index.html': 'v2\n' }, 'upstream');
    gitIn(diverged.app, 'commit', '-q', '--allow-empty', '-m', 'made on the server');
    const local = diverged.head();
    const refused = await deployed('diverged');
    expect(refused).toMatchObject({ status: 'failed' });
    expect(refused.steps.map((s) => s.name)).not.toContain('rollback');
    expect(diverged.head()).toBe(local);
  });

  it('runs one deploy per app at a time, shows a late watcher the whole log, and cancels with a rollback', async () => {
    const repo = repos.waiter!;
    repo.commit({ 'index.html': 'v2\n' }, 'second');
    const first = await start('waiter');
    expect(first.status).toBe(202);
    const runId = first.body.runId!;
    await expect.poll(async () => (await runOf(runId)).log.some((l) => l.text === 'waiting')).toBe(true);
    expect(await start('waiter')).toMatchObject({ status: 409, body: { code: 'DEPLOY_IN_PROGRESS' } });

    // A viewer joins mid-run: everything printed so far, then the end.
    const viewer = await kit.socket('deploy', { as: 'viewer' });
    const lines: string[] = [];
    const heard: string[] = [];
    viewer.on('line', (l: { text: string }) => {
      lines.push(l.text);
      heard.push('line');
    });
    const ended = new Promise<string>((resolve) =>
      viewer.on('status', (s: { status: string }) => FINAL.includes(s.status) && resolve(s.status)),
    );
    const ack = await new Promise<{ runId: string; status: string; steps: { name: string; status: string }[] }>((resolve) =>
      viewer.emit('watch', { runId }, (a: never) => {
        heard.push('ack');
        resolve(a);
      }),
    );
    expect(ack).toMatchObject({ runId, status: 'running' });
    expect(ack.steps.map((s) => [s.name, s.status])).toContainEqual(['build', 'running']);
    await expect.poll(() => lines.includes('waiting')).toBe(true);
    // The acknowledgement first, then the log so far, from its first line.
    expect(heard[0]).toBe('ack');
    expect(lines[0]).toMatch(/^\$ |is on main/);

    expect((await kit.request(`${base}/runs/${runId}/cancel`, { method: 'POST', as: 'viewer' })).status).toBe(403);
    const cancel = await kit.request(`${base}/runs/${runId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    expect(await ended).toBe('cancelled');
    viewer.close();
    const run = await runOf(runId);
    expect(run.steps.find((s) => s.name === 'build')?.status).toBe('cancelled');
    expect(repo.head()).toBe(repo.first);
    expect((await kit.request(`${base}/runs/${runId}/cancel`, { method: 'POST' })).status).toBe(409);
  });

  it('hides secrets in the log, the run and the audit', async () => {
    repos.leaky!.commit({ 'index.html': 'v2\n' }, 'second');
    const run = await deployed('leaky');
    const text = JSON.stringify(run);
    expect(text).toContain('token [redacted]');
    expect(text).toContain('https://bob:[redacted]@example.com');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('hunter2hunter2');
    expect(JSON.stringify(await kit.audit())).not.toContain(TOKEN);
  });

  it('starts a run from a signed push to the branch, and nothing else', async () => {
    const repo = repos.hooked!;
    const next = repo.commit({ 'index.html': 'v2\n' }, 'pushed');
    const hook = (body: unknown, headers: Record<string, string>) =>
      kit.request(`${base}/apps/hooked/webhook`, {
        method: 'POST',
        as: 'stranger',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers },
        body: JSON.stringify(body),
      });
    const push = { ref: 'refs/heads/main', after: next };
    const raw = JSON.stringify(push);
    expect((await hook(push, {})).status).toBe(401);
    expect((await hook(push, { 'x-hub-signature-256': sign('wrong-secret', raw) })).status).toBe(401);
    const other = { ref: 'refs/heads/feature' };
    const ignored = await hook(other, { 'x-hub-signature-256': sign(SECRET, JSON.stringify(other)) });
    expect(ignored.status).toBe(202);
    expect(await ignored.json()).toMatchObject({ ignored: expect.stringContaining('refs/heads/feature') });

    const good = await hook(push, { 'x-hub-signature-256': sign(SECRET, raw) });
    expect(good.status).toBe(202);
    const { runId } = (await good.json()) as { runId: string };
    expect(await finished(runId)).toMatchObject({ status: 'succeeded', trigger: 'webhook', toCommit: next });
    const refusals = (await kit.audit()).filter((e) => e.action === 'deploy.webhook' && e.result === 'failure');
    expect(refusals.length).toBeGreaterThanOrEqual(2);

    const site = await kit.request(`${base}/apps/site/webhook`, {
      method: 'POST',
      as: 'stranger',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(SECRET, raw) },
      body: raw,
    });
    expect(site.status).toBe(404);
    expect(await site.json()).toMatchObject({ code: 'WEBHOOK_DISABLED' });
  });

  it('refuses a dir that leaves the roots through a symlink, and hostile app ids', async () => {
    const run = await deployed('linked');
    expect(run).toMatchObject({ status: 'failed', reason: expect.stringContaining('outside plugins.deploy.roots') });
    // Not a clone: the app list says why in git's words, and the others are read all the same.
    const apps = (await (await kit.request(`${base}/apps`)).json()) as {
      id: string;
      commit: string | null;
      problem: string | null;
    }[];
    expect(apps.find((a) => a.id === 'linked')).toMatchObject({
      commit: null,
      problem: expect.stringMatching(/not a git repository/),
    });
    expect(apps.find((a) => a.id === 'site')).toMatchObject({ commit: expect.stringMatching(/^[0-9a-f]{40}$/), problem: null });
    for (const id of ['Site', '-x', 'a'.repeat(64), 'site;id'])
      expect((await start(encodeURIComponent(id))).body.code).toMatch(/INVALID_APP_ID|NOT_FOUND/);
    expect((await start('nope')).body).toMatchObject({ code: 'APP_NOT_FOUND' });
    expect((await start('site', {}, 'viewer')).status).toBe(403);
  });

  it('refuses hostile settings before starting: dirs outside the roots or with .., option-like branches', async () => {
    for (const app of [
      { id: 'x', dir: `${root}/../etc` },
      { id: 'x', dir: '/etc' },
      { id: 'x', dir: 'relative/path' },
      { id: 'x', dir: `${root}/x`, branch: '--upload-pack=touch /tmp/pwned' },
      { id: 'x', dir: `${root}/x`, branch: '-x' },
      { id: 'x', dir: `${root}/x`, branch: 'a..b' },
      { id: 'Bad_Id', dir: `${root}/x` },
    ])
      await expect(
        startPluginTest({
          plugins: [services, deploy],
          hosts: { local: realLocalHost() },
          settings: { deploy: { roots: [root], apps: { local: [app] } } },
        }),
      ).rejects.toThrow(/plugins\.deploy\.apps\.local\.0\.(dir|branch|id)/);
  });

  it('offers its agent tools: apps and history read-only, run destructive', async () => {
    const tools = (await (await kit.request('/api/tools')).json()) as {
      name: string;
      readOnly?: boolean;
      destructive?: boolean;
    }[];
    expect(tools.filter((t) => t.name.startsWith('deploy.')).map((t) => [t.name, !!t.readOnly, !!t.destructive])).toEqual([
      ['deploy.apps', true, false],
      ['deploy.history', true, false],
      ['deploy.run', false, true],
    ]);
    const history = (await kit.tool('deploy.history', { serverId: 'local', app: 'site', limit: 1 })) as { app: string }[];
    expect(history).toEqual([expect.objectContaining({ app: 'site' })]);
  });
});
