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

const WHEELS = '/srv/wheels';
const RELEASE = '/srv/release';
const GIT = ['git', '-c', 'user.name=Aura Test', '-c', 'user.email=test@aura.invalid', '-c', 'init.defaultBranch=main'];

/**
 * A wheel made by hand (a zip: the module, METADATA, WHEEL, RECORD), so that pip installs a
 * package with no index to reach. argv: name, version, the folder to write it into, and
 * `escape` for a broken one, with a file that pip refuses (outside site-packages) as it installs.
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
if sys.argv[4:] == ['escape']:
    files['../../../escape.py'] = 'print("out of the venv")\\n'
def digest(data):
    return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
record = [f'{path},{digest(text.encode())},{len(text.encode())}' for path, text in files.items()]
with zipfile.ZipFile(f'{out}/{name}-{version}-py3-none-any.whl', 'w') as whl:
    for path, text in files.items():
        whl.writestr(path, text)
    whl.writestr(f'{info}/RECORD', '\\n'.join(record + [f'{info}/RECORD,,']) + '\\n')
`;

/** The app: imports the wheel's module (or not), reads its git HEAD at start, serves both as JSON. */
const appSource = (status: number, greeting = true) => `import http.server, json, subprocess, sys
${greeting ? 'import greeting' : ''}

HEAD = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({'head': HEAD, 'greeting': ${greeting ? 'greeting.hello()' : 'None'}}).encode()
        self.send_response(${status})
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
`;
const requirements = (...pins: string[]) => `--no-index\n--find-links ${WHEELS}\n${pins.join('\n')}\n`;

/** A build step that holds while the commit has a HOLD file, until RELEASE appears. */
const HOLD = `if [ -e HOLD ]; then echo holding; while [ ! -e ${RELEASE} ]; do sleep 0.1; done; fi # aura-hold`;

interface BoxApp {
  id: string;
  dir: string;
  unit: string;
  port: number;
  first: string;
  /** Commits files in the developer's clone on the box and pushes them to origin. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  /** The app's clone's HEAD. */
  head(): Promise<string>;
}

/**
 * Aura deploys Python apps to a booted systemd (in a container) over SSH: each app's bare origin
 * and clones live on that server, and the app runs as a unit the services plugin restarts.
 */
describe('deploy to a real systemd host over SSH', () => {
  let box: SystemdBox;
  let t: TestAura;
  let token: string;
  let settings: Record<string, unknown>;
  let web: BoxApp;
  let plain: BoxApp;
  const base = '/api/servers/box/deploy';

  const sh = (script: string) => box.exec(['sh', '-c', script]);
  const write = (file: string, text: string) => sh(`echo ${Buffer.from(text).toString('base64')} | base64 -d > ${file}`);

  /** An origin, a developer's clone with a first commit, the app's clone of it and its unit (not started). */
  const makeApp = async (id: string, port: number, files: Record<string, string>): Promise<BoxApp> => {
    const [origin, dev, dir, unit] = [`/srv/origin/${id}.git`, `/srv/dev/${id}`, `/srv/${id}`, `${id}.service`];
    await box.exec([...GIT, 'init', '-q', '--bare', origin]);
    await box.exec([...GIT, 'clone', '-q', origin, dev]);
    const commit = async (changes: Record<string, string>, message: string) => {
      for (const [file, text] of Object.entries(changes)) await write(`${dev}/${file}`, text);
      await box.exec([...GIT, '-C', dev, 'add', '-A']);
      await box.exec([...GIT, '-C', dev, 'commit', '-q', '-m', message]);
      await box.exec([...GIT, '-C', dev, 'push', '-q', 'origin', 'HEAD:main']);
      return (await box.exec(['git', '-C', dev, 'rev-parse', 'HEAD'])).trim();
    };
    const first = await commit(files, 'first');
    await box.exec([...GIT, 'clone', '-q', '--branch', 'main', origin, dir]);
    await write(
      `/etc/systemd/system/${unit}`,
      `[Unit]\nDescription=Aura deploy test ${id}\n[Service]\nWorkingDirectory=${dir}\nExecStart=${dir}/.venv/bin/python app.py ${port}\n`,
    );
    await box.exec(['systemctl', 'daemon-reload']);
    const head = async () => (await box.exec(['git', '-C', dir, 'rev-parse', 'HEAD'])).trim();
    return { id, dir, unit, port, first, commit, head };
  };
  const mainPid = async (app: BoxApp) => {
    const res = await t.request(`/api/servers/box/services/${app.unit}`, { token });
    return ((await res.json()) as { mainPid: number | null }).mainPid;
  };
  /** What the app answers on its port (reached from here: the container shares our network). */
  const served = async (app: BoxApp) => {
    const res = await fetch(`http://127.0.0.1:${app.port}/`);
    return { status: res.status, ...((await res.json()) as { head: string; greeting: string | null }) };
  };
  /** The greeting version in the app's venv, as its python imports it. */
  const venvGreeting = async (app: BoxApp) =>
    (await box.exec([`${app.dir}/.venv/bin/python`, '-c', 'import greeting; print(greeting.VERSION)'])).trim();
  const runOf = async (id: string) => (await (await t.request(`${base}/runs/${id}`, { token })).json()) as Run;
  const start = async (app: BoxApp) => {
    const res = await t.request(`${base}/apps/${app.id}/runs`, { method: 'POST', token, json: {} });
    expect(res.status, await res.clone().text()).toBe(202);
    return ((await res.json()) as { runId: string }).runId;
  };
  const deployed = async (app: BoxApp) => {
    const id = await start(app);
    await expect.poll(async () => FINAL.includes((await runOf(id)).status), { timeout: 60_000 }).toBe(true);
    return runOf(id);
  };
  const steps = (run: Run) => run.steps.map((s) => [s.name, s.status]);
  const logOf = (run: Run, step: string) => run.log.filter((l) => l.step === step).map((l) => l.text);

  beforeAll(async () => {
    box = await bootSystemd();
    const ports = [await freePort()];
    while (ports.length < 2) ports.push(...[await freePort()].filter((p) => !ports.includes(p)));
    await box.exec(['mkdir', '-p', '/srv/origin', '/srv/dev', WHEELS]);
    for (const version of ['1.0', '2.0']) await box.exec(['python3', '-c', MAKE_WHEEL, 'greeting', version, WHEELS]);
    web = await makeApp('web', ports[0]!, {
      'app.py': appSource(200),
      'requirements.txt': requirements('greeting==1.0'),
      'README.md': 'v1\n',
    });
    plain = await makeApp('plain', ports[1]!, { 'app.py': appSource(200, false), 'README.md': 'v1\n' });
    const app = (a: BoxApp, more: Record<string, unknown>) => ({
      id: a.id,
      dir: a.dir,
      unit: a.unit,
      runtime: 'python',
      healthCheck: { url: `http://127.0.0.1:${a.port}/health` },
      ...more,
    });
    settings = {
      servers: [box.server('box')],
      plugins: {
        services: { units: { box: [{ unit: web.unit }, { unit: plain.unit }] } },
        deploy: {
          apps: {
            box: [app(web, { build: [['sh', '-c', HOLD]], healthTimeoutSeconds: 6 }), app(plain, {})],
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
    const next = await web.commit({ 'README.md': 'v2\n' }, 'second');
    const run = await deployed(web);
    expect(run, JSON.stringify(run.log)).toMatchObject({ status: 'succeeded', fromCommit: web.first, toCommit: next });
    expect(steps(run)).toEqual([
      ['check', 'succeeded'],
      ['fetch', 'succeeded'],
      ['update', 'succeeded'],
      ['dependencies', 'succeeded'],
      ['build', 'succeeded'],
      ['restart', 'succeeded'],
      ['health', 'succeeded'],
    ]);
    expect(logOf(run, 'dependencies')).toContain('$ python3 -m venv .venv');
    expect(logOf(run, 'dependencies')).toContain('Successfully installed greeting-1.0');
    expect(await web.head()).toBe(next);
    expect(await served(web)).toEqual({ status: 200, head: next, greeting: 'hello from greeting 1.0' });
  });

  it('deploys a code change: dependencies skipped, the unit restarted, the new commit served', async () => {
    const before = await mainPid(web);
    const next = await web.commit({ 'README.md': 'v3\n' }, 'third');
    const run = await deployed(web);
    expect(run, JSON.stringify(run.log)).toMatchObject({ status: 'succeeded', toCommit: next });
    expect(run.steps.find((s) => s.name === 'dependencies')?.status).toBe('skipped');
    expect(logOf(run, 'dependencies')).toContain('requirements.txt unchanged: nothing to install');
    expect(await mainPid(web)).not.toBe(before);
    expect(await served(web)).toEqual({ status: 200, head: next, greeting: 'hello from greeting 1.0' });
  });

  it('rolls back a requirement that cannot be installed, and restarts nothing', async () => {
    const good = await web.head();
    const before = await mainPid(web);
    await web.commit({ 'requirements.txt': requirements('greeting==9.0'), 'README.md': 'v4\n' }, 'needs greeting 9');
    const run = await deployed(web);
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
    expect(logOf(run, 'dependencies').some((l) => /greeting==9\.0/.test(l))).toBe(true);
    expect(await web.head()).toBe(good);
    expect(await mainPid(web)).toBe(before);
    expect(await served(web)).toMatchObject({ status: 200, head: good });
  });

  it('puts the old requirements back when an install fails halfway', async () => {
    await box.exec(['python3', '-c', MAKE_WHEEL, 'aabroken', '1.0', WHEELS, 'escape']);
    const good = await web.head();
    const before = await mainPid(web);
    await web.commit(
      { 'requirements.txt': requirements('greeting==2.0', 'aabroken==1.0'), 'README.md': 'v5\n' },
      'greeting 2 and a wheel pip refuses',
    );
    const run = await deployed(web);
    expect(run, JSON.stringify(run.log)).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringContaining('dependencies'),
    });
    // pip upgraded greeting before it refused aabroken, and undoes nothing itself:
    expect(logOf(run, 'dependencies')).toContain('      Successfully uninstalled greeting-1.0');
    expect(logOf(run, 'dependencies').some((l) => /aabroken.*outside the target directory/.test(l))).toBe(true);
    expect(logOf(run, 'rollback')).toContain('Successfully installed greeting-1.0');
    expect(await venvGreeting(web)).toBe('1.0');
    expect(await web.head()).toBe(good);
    expect(await mainPid(web)).toBe(before);
  });

  it('rolls back a commit whose app is not healthy: the old commit and its dependencies serve again', async () => {
    const good = await web.head();
    const before = await mainPid(web);
    const bad = await web.commit(
      { 'app.py': appSource(500), 'requirements.txt': requirements('greeting==2.0') },
      'answers 500, with greeting 2',
    );
    const run = await deployed(web);
    expect(run, JSON.stringify(run.log)).toMatchObject({
      status: 'rolled-back',
      fromCommit: good,
      toCommit: bad,
      reason: expect.stringContaining('health: not healthy within 6 s'),
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
    expect(logOf(run, 'dependencies')).toContain('Successfully installed greeting-2.0');
    expect(logOf(run, 'rollback')).toContain('Successfully installed greeting-1.0');
    expect(await web.head()).toBe(good);
    expect(await mainPid(web)).not.toBe(before);
    expect(await served(web)).toEqual({ status: 200, head: good, greeting: 'hello from greeting 1.0' });
  });

  it('deploys a Python app without requirements.txt, and rolls a failed install back to none', async () => {
    const next = await plain.commit({ 'README.md': 'v2\n' }, 'second');
    const run = await deployed(plain);
    expect(run, JSON.stringify(run.log)).toMatchObject({ status: 'succeeded', toCommit: next });
    expect(logOf(run, 'dependencies')).toEqual(['$ python3 -m venv .venv', 'No requirements.txt: nothing to install']);
    expect(await served(plain)).toEqual({ status: 200, head: next, greeting: null });
    const before = await mainPid(plain);

    await plain.commit({ 'requirements.txt': requirements('greeting==9.0') }, 'needs greeting 9');
    const failed = await deployed(plain);
    expect(failed, JSON.stringify(failed.log)).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringContaining('dependencies'),
    });
    expect(failed.steps.slice(-2)).toMatchObject([
      { name: 'dependencies', status: 'failed' },
      { name: 'rollback', status: 'succeeded' },
    ]);
    expect(logOf(failed, 'rollback'), JSON.stringify(failed.log)).toContain('No requirements.txt: nothing to install');
    expect(await plain.head()).toBe(next);
    expect(await mainPid(plain)).toBe(before);
  });

  it('marks a run interrupted when Aura stops during a step, and a new Aura on the same data says so', async () => {
    const next = await web.commit(
      { 'app.py': appSource(200), 'requirements.txt': requirements('greeting==1.0'), HOLD: 'hold\n' },
      'holds its build',
    );
    const id = await start(web);
    await expect.poll(async () => logOf(await runOf(id), 'build').includes('holding')).toBe(true);
    const holding = () => sh("pgrep -fc 'aura-hol[d]' || true");
    expect(await holding()).toBe('1\n');

    const { dataDir } = t;
    const stopping = t;
    t = undefined as unknown as TestAura; // afterAll must not close it twice
    await stopping.close({ keepData: true });
    // The step Aura was waiting on does not outlive it.
    expect(await holding()).toBe('0\n');

    t = await startTestAura(settings, { dataDir });
    ({ token } = await t.login());
    const run = await runOf(id);
    expect(run).toMatchObject({ status: 'interrupted', toCommit: next, reason: 'Aura stopped during the run.' });
    expect(logOf(run, 'build')).toContain('holding');
    expect(run.steps.filter((s) => s.status === 'running')).toEqual([]);
    expect(run.steps.find((s) => s.name === 'build')?.status).toBe('interrupted');
    const history = (await (await t.request(`${base}/runs?app=web`, { token })).json()) as Run[];
    expect(history[0]).toMatchObject({ id, status: 'interrupted' });

    // The interrupted run left the clone at its commit, and nothing restarted: deploying it again finishes the job.
    await box.exec(['touch', RELEASE]);
    const again = await deployed(web);
    expect(again, JSON.stringify(again.log)).toMatchObject({ status: 'succeeded', fromCommit: next, toCommit: next });
    expect(await served(web)).toEqual({ status: 200, head: next, greeting: 'hello from greeting 1.0' });
  });
});
