import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { freePort } from '../../test/harness/net.ts';
import { bootSystemd, type SystemdBox } from '../../test/harness/systemd.ts';

type Run = {
  id: string;
  status: string;
  reason?: string;
  fromCommit: string | null;
  toCommit: string | null;
  steps: { name: string; status: string }[];
  log: { step: string; stream: string; text: string }[];
};
const FINAL = ['succeeded', 'failed', 'rolled-back', 'cancelled', 'interrupted'];

const UNIT = 'web.service';
const APP = '/srv/web';
const DEV = '/srv/dev/web';
const ORIGIN = '/srv/origin/web.git';
const WHEELS = '/srv/wheels';
const RELEASE = '/srv/release';
const GIT = ['git', '-c', 'user.name=Aura Test', '-c', 'user.email=test@aura.invalid', '-c', 'init.defaultBranch=main'];

/**
 * A wheel made by hand (a zip: the module, METADATA, WHEEL, RECORD), so that pip installs a
 * package with no index to reach: argv is name, version, the folder to write it into.
 */
const MAKE_WHEEL = `
import base64, hashlib, sys, zipfile
name, version, out = sys.argv[1:4]
info = f'{name}-{version}.dist-info'
files = {
    f'{name}.py': f'VERSION = {version!r}\\ndef hello():\\n    return "hello from {name} " + VERSION\\n',
    f'{info}/METADATA': f'Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n',
    f'{info}/WHEEL': 'Wheel-Version: 1.0\\nGenerator: aura-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n',
}
def digest(data):
    return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
record = [f'{path},{digest(text.encode())},{len(text.encode())}' for path, text in files.items()]
with zipfile.ZipFile(f'{out}/{name}-{version}-py3-none-any.whl', 'w') as whl:
    for path, text in files.items():
        whl.writestr(path, text)
    whl.writestr(f'{info}/RECORD', '\\n'.join(record + [f'{info}/RECORD,,']) + '\\n')
`;

/** The app: imports the wheel's module, reads its git HEAD at start, serves both as JSON. */
const appSource = (status: number) => `import http.server, json, subprocess, sys
import greeting

HEAD = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({'head': HEAD, 'greeting': greeting.hello()}).encode()
        self.send_response(${status})
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
`;
const requirements = (pin: string) => `--no-index\n--find-links ${WHEELS}\n${pin}\n`;

/** A build step that holds while the commit has a HOLD file, until RELEASE appears. */
const HOLD = `if [ -e HOLD ]; then echo holding; while [ ! -e ${RELEASE} ]; do sleep 0.1; done; fi # aura-hold`;

/**
 * Aura deploys a Python app to a booted systemd (in a container) over SSH: a bare origin and the
 * app's clone live on that server, the app runs as a unit the services plugin restarts.
 */
describe('deploy to a real systemd host over SSH', () => {
  let box: SystemdBox;
  let t: TestAura;
  let token: string;
  let port: number;
  let settings: Record<string, unknown>;
  const base = '/api/servers/box/deploy';

  const sh = (script: string) => box.exec(['sh', '-c', script]);
  /** Commits files (null removes one) in the developer's clone on the box and pushes to origin. */
  const commit = async (files: Record<string, string | null>, message: string): Promise<string> => {
    for (const [file, text] of Object.entries(files))
      await sh(
        text === null ? `rm -f ${DEV}/${file}` : `echo ${Buffer.from(text).toString('base64')} | base64 -d > ${DEV}/${file}`,
      );
    await box.exec([...GIT, '-C', DEV, 'add', '-A']);
    await box.exec([...GIT, '-C', DEV, 'commit', '-q', '-m', message]);
    await box.exec([...GIT, '-C', DEV, 'push', '-q', 'origin', 'HEAD:main']);
    return (await box.exec(['git', '-C', DEV, 'rev-parse', 'HEAD'])).trim();
  };
  const head = async () => (await box.exec(['git', '-C', APP, 'rev-parse', 'HEAD'])).trim();
  const mainPid = async () => {
    const res = await t.request(`/api/servers/box/services/${UNIT}`, { token });
    return ((await res.json()) as { mainPid: number | null }).mainPid;
  };
  /** What the app answers on its port (reached from here: the container shares our network). */
  const served = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return { status: res.status, ...((await res.json()) as { head: string; greeting: string }) };
  };
  const runOf = async (id: string) => (await (await t.request(`${base}/runs/${id}`, { token })).json()) as Run;
  const start = async () => {
    const res = await t.request(`${base}/apps/web/runs`, { method: 'POST', token, json: {} });
    expect(res.status, await res.clone().text()).toBe(202);
    return ((await res.json()) as { runId: string }).runId;
  };
  const deployed = async () => {
    const id = await start();
    await expect.poll(async () => FINAL.includes((await runOf(id)).status), { timeout: 60_000 }).toBe(true);
    return runOf(id);
  };
  const steps = (run: Run) => run.steps.map((s) => [s.name, s.status]);

  let first: string;

  beforeAll(async () => {
    box = await bootSystemd();
    port = await freePort();
    await box.exec(['mkdir', '-p', '/srv/origin', '/srv/dev', WHEELS]);
    await box.exec([...GIT, 'init', '-q', '--bare', ORIGIN]);
    await box.exec([...GIT, 'clone', '-q', ORIGIN, DEV]);
    for (const version of ['1.0', '2.0']) await box.exec(['python3', '-c', MAKE_WHEEL, 'greeting', version, WHEELS]);
    first = await commit(
      { 'app.py': appSource(200), 'requirements.txt': requirements('greeting==1.0'), 'README.md': 'v1\n' },
      'first',
    );
    await box.exec([...GIT, 'clone', '-q', '--branch', 'main', ORIGIN, APP]);
    const unit = `[Unit]\nDescription=Aura deploy test app\n[Service]\nWorkingDirectory=${APP}\nExecStart=${APP}/.venv/bin/python app.py ${port}\n`;
    await sh(`echo ${Buffer.from(unit).toString('base64')} | base64 -d > /etc/systemd/system/${UNIT} && systemctl daemon-reload`);
    settings = {
      servers: [box.server('box')],
      plugins: {
        services: { units: { box: [{ unit: UNIT }] } },
        deploy: {
          apps: {
            box: [
              {
                id: 'web',
                dir: APP,
                unit: UNIT,
                runtime: 'python',
                build: [['sh', '-c', HOLD]],
                healthCheck: { url: `http://127.0.0.1:${port}/health` },
                healthTimeoutSeconds: 8,
              },
            ],
          },
        },
      },
    };
    t = await startTestAura(settings);
    ({ token } = await t.login());
  });
  afterAll(async () => {
    await t?.close();
    await box?.stop();
  });

  it('makes the venv on the first deploy, installs a local wheel with no index, and serves the pushed commit', async () => {
    const next = await commit({ 'README.md': 'v2\n' }, 'second');
    const run = await deployed();
    expect(run, JSON.stringify(run.log)).toMatchObject({ status: 'succeeded', fromCommit: first, toCommit: next });
    expect(steps(run)).toEqual([
      ['check', 'succeeded'],
      ['fetch', 'succeeded'],
      ['update', 'succeeded'],
      ['dependencies', 'succeeded'],
      ['build', 'succeeded'],
      ['restart', 'succeeded'],
      ['health', 'succeeded'],
    ]);
    const deps = run.log.filter((l) => l.step === 'dependencies').map((l) => l.text);
    expect(deps).toContain('$ python3 -m venv .venv');
    expect(deps.some((l) => /Successfully installed greeting-1\.0/.test(l))).toBe(true);
    expect(await head()).toBe(next);
    expect(await served()).toEqual({ status: 200, head: next, greeting: 'hello from greeting 1.0' });
  });

  it('deploys a code change: dependencies skipped, the unit restarted, the new commit served', async () => {
    const before = await mainPid();
    const next = await commit({ 'README.md': 'v3\n' }, 'third');
    const run = await deployed();
    expect(run, JSON.stringify(run.log)).toMatchObject({ status: 'succeeded', toCommit: next });
    expect(run.steps.find((s) => s.name === 'dependencies')?.status).toBe('skipped');
    expect(run.log.some((l) => l.step === 'dependencies' && /requirements\.txt unchanged/.test(l.text))).toBe(true);
    expect(await mainPid()).not.toBe(before);
    expect(await served()).toEqual({ status: 200, head: next, greeting: 'hello from greeting 1.0' });
  });

  it('rolls back a requirement that cannot be installed, and restarts nothing', async () => {
    const good = await head();
    const before = await mainPid();
    await commit({ 'requirements.txt': requirements('greeting==9.0'), 'README.md': 'v4\n' }, 'needs greeting 9');
    const run = await deployed();
    expect(run, JSON.stringify(run.log)).toMatchObject({
      status: 'rolled-back',
      fromCommit: good,
      reason: expect.stringContaining('dependencies'),
    });
    expect(steps(run)).toEqual([
      ['check', 'succeeded'],
      ['fetch', 'succeeded'],
      ['update', 'succeeded'],
      ['dependencies', 'failed'],
      ['rollback', 'succeeded'],
    ]);
    expect(run.log.some((l) => l.step === 'dependencies' && /greeting==9\.0/.test(l.text))).toBe(true);
    expect(await head()).toBe(good);
    expect(await mainPid()).toBe(before);
    expect(await served()).toMatchObject({ status: 200, head: good });
  });

  it('rolls back a commit whose app is not healthy: the old commit and its dependencies serve again', async () => {
    const good = await head();
    const before = await mainPid();
    const bad = await commit(
      { 'app.py': appSource(500), 'requirements.txt': requirements('greeting==2.0') },
      'answers 500, with greeting 2',
    );
    const run = await deployed();
    expect(run, JSON.stringify(run.log)).toMatchObject({
      status: 'rolled-back',
      fromCommit: good,
      toCommit: bad,
      reason: expect.stringContaining('health: not healthy within 8 s'),
    });
    expect(steps(run)).toEqual([
      ['check', 'succeeded'],
      ['fetch', 'succeeded'],
      ['update', 'succeeded'],
      ['dependencies', 'succeeded'],
      ['build', 'succeeded'],
      ['restart', 'succeeded'],
      ['health', 'failed'],
      ['rollback', 'succeeded'],
      ['restart (rollback)', 'succeeded'],
      ['health (rollback)', 'succeeded'],
    ]);
    expect(run.log.some((l) => l.step === 'rollback' && /Successfully installed greeting-1\.0/.test(l.text))).toBe(true);
    expect(await head()).toBe(good);
    expect(await mainPid()).not.toBe(before);
    expect(await served()).toEqual({ status: 200, head: good, greeting: 'hello from greeting 1.0' });
  });

  it('marks a run interrupted when Aura stops during a step, and a new Aura on the same data says so', async () => {
    const next = await commit(
      { 'app.py': appSource(200), 'requirements.txt': requirements('greeting==1.0'), HOLD: 'hold\n' },
      'holds its build',
    );
    const id = await start();
    await expect.poll(async () => (await runOf(id)).log.some((l) => l.step === 'build' && l.text === 'holding')).toBe(true);
    const holding = () => sh("pgrep -fc 'aura-hol[d]' || true");
    expect(await holding()).toBe('1\n');

    const { dataDir } = t;
    const stopping = t;
    t = undefined as unknown as TestAura; // afterAll must not close it twice
    await stopping.close({ keepData: true });
    // The step Aura was waiting on does not outlive it.
    await expect.poll(holding).toBe('0\n');

    t = await startTestAura(settings, { dataDir });
    ({ token } = await t.login());
    const run = await runOf(id);
    expect(run).toMatchObject({ status: 'interrupted', toCommit: next, reason: 'Aura stopped during the run.' });
    expect(run.log.some((l) => l.step === 'build' && l.text === 'holding')).toBe(true);
    const history = (await (await t.request(`${base}/runs?app=web`, { token })).json()) as Run[];
    expect(history[0]).toMatchObject({ id, status: 'interrupted' });
  });
});
