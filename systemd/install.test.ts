import { execFileSync } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/harness/net.ts';
import { connectSocket } from '../test/harness/sockets.ts';
import { adminToken, auraFetch } from '../test/harness/requests.ts';
import { bootSystemd, installTestUnit, type SystemdBox } from '../test/harness/systemd.ts';

const ROOT_DIR = path.join(import.meta.dirname, '..');

/** A clean checkout of this working tree: what git tracks or would track, nothing it ignores. */
function cleanCheckout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-src-'));
  execFileSync('sh', ['-c', 'git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -C "$1" -xf -', 'sh', dir], {
    cwd: ROOT_DIR,
    maxBuffer: 64 << 20,
  });
  return dir;
}

/** Seconds with a tenth, for the figures a person reads. */
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('systemd/install.sh in a booted systemd, from a clean checkout', { timeout: 600_000 }, () => {
  let box: SystemdBox;
  let src: string;
  /** Where the next version's checkout goes, seen in the container as /src/next. */
  let next: string;
  let port: number;
  /** The admin password the first start generated. */
  let password = '';

  /** Runs the installer of a checkout inside the container, offline from npm's cache (as CI filled it). */
  const installFrom = async (checkout: string, ...args: string[]) => {
    const started = performance.now();
    const out = await box
      .exec([
        // Nothing of this process's environment (npm passes its own settings down as npm_config_*).
        'env',
        '-i',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'HOME=/root',
        'npm_config_offline=true',
        'npm_config_cache=/root/.npm',
        'sh',
        '-c',
        '"$@" 2>&1',
        'sh',
        ...(process.env.AURA_INSTALL_TRACE ? ['bash', '-x'] : []),
        `${checkout}/systemd/install.sh`,
        ...args,
      ])
      .catch((e: { stdout?: string; stderr?: string }) => {
        throw new Error(`install.sh ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      });
    return { out, ms: performance.now() - started };
  };
  const install = (...args: string[]) => installFrom('/src/aura', ...args);

  beforeAll(async () => {
    src = cleanCheckout();
    next = mkdtempSync(path.join(os.tmpdir(), 'aura-next-'));
    const node = realpathSync(process.execPath);
    // This Node's headers, for node-pty's build: beside the binary (a distribution's or
    // nodejs.org's layout), or in the npm registry's node package's platform package.
    const prefix = path.dirname(path.dirname(node));
    const headers = [
      path.join(prefix, 'include', 'node'),
      path.join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`, 'include', 'node'),
    ].find((dir) => existsSync(path.join(dir, 'common.gypi')));
    const npm = path.dirname(path.dirname(realpathSync(execFileSync('sh', ['-c', 'command -v npm']).toString().trim())));
    box = await bootSystemd({
      bindRo: [
        [src, '/src/aura'],
        [next, '/src/next'],
        [node, '/usr/bin/node'],
        [npm, '/usr/lib/node_modules/npm'],
        ...(headers ? [[headers, '/usr/include/node'] as [string, string]] : []),
      ],
      bind: [[path.join(os.homedir(), '.npm'), '/root/.npm']],
    });
    await box.exec(['ln', '-sf', '/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/bin/npm']);
    port = await freePort();
  }, 120_000);
  afterAll(async () => {
    await box?.stop();
    for (const dir of [src, next]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs Aura as a running, sandboxed service, and prints where and how to sign in', async () => {
    const { out, ms } = await install('--port', String(port));
    console.log(`install.sh, first run: ${seconds(ms)}`);
    expect(out).toContain(`Aura runs at http://127.0.0.1:${port}`);
    password = /Sign in as user admin, password (\S+):/.exec(out)?.[1] ?? '';
    expect(password, out).not.toBe('');
    expect(await box.show('aura.service', 'ActiveState')).toBe('active');
    expect(await box.show('aura.service', 'User')).toBe('aura');
    const login = await auraFetch(`http://127.0.0.1:${port}`, '/auth/login', {
      method: 'POST',
      json: { username: 'admin', password },
    });
    expect(login.status).toBe(200);
    const report = await box.exec(['systemd-analyze', 'security', '--no-pager', 'aura.service']);
    expect(Number(/Overall exposure level for aura\.service: ([\d.]+)/.exec(report)![1])).toBeLessThanOrEqual(3.0);
    // Settings and secrets: private, and the session secret generated.
    expect(await box.exec(['stat', '-c', '%a %U', '/etc/aura/aura.env', '/etc/aura/config.yaml', '/var/lib/aura'])).toBe(
      '600 root\n640 root\n700 aura\n',
    );
    expect(await box.exec(['cat', '/etc/aura/aura.env'])).toMatch(/^SESSION_SECRET=\S{64}$/m);
    // polkit is there, so Aura asks systemd through it, under the rules written for it.
    expect(await box.exec(['cat', '/etc/aura/config.yaml'])).toContain('privilege: { local: polkit }');
    expect(await box.exec(['cat', '/etc/polkit-1/rules.d/50-aura.rules'])).toContain('subject.user !== "aura"');
    // The code is root's and read-only to Aura, but for the UI it may rebuild.
    expect(await box.exec(['stat', '-c', '%U', '/opt/aura/dist/core/main.js', '/opt/aura/ui/build/index.html'])).toBe(
      'root\naura\n',
    );
  });

  it('changes nothing when run again, and says so', async () => {
    const pid = await box.show('aura.service', 'MainPID');
    const { out, ms } = await install();
    console.log(`install.sh, second run: ${seconds(ms)}`);
    expect(out.trim()).toBe(`Nothing to change: Aura is installed and running at http://127.0.0.1:${port}.`);
    expect(await box.show('aura.service', 'MainPID')).toBe(pid);
  });

  it('deploys an app from the sandbox: its folder opened by a drop-in, its unit restarted through polkit', async () => {
    const sh = (script: string) => box.exec(['sh', '-c', `set -e; ${script}`]);
    // Root works in repositories that are aura's: git must be told that is fine.
    const git = "git -c safe.directory='*' -c user.name=Dev -c user.email=dev@example.org";
    const head = async (dir: string) =>
      (await box.exec(['git', '-c', 'safe.directory=*', '-C', dir, 'rev-parse', 'HEAD'])).trim();
    await sh(
      [
        'mkdir -p /srv/origin-site /srv/elsewhere && cd /srv/origin-site && git init -q -b main',
        `echo v1 > index.html && git add . && ${git} commit -qm first`,
        `${git} clone -q /srv/origin-site /srv/site`,
        // Deploy runs git as aura: the clone and its origin are aura's. /srv/elsewhere is too, but not an app's.
        'chown -R aura:aura /srv/origin-site /srv/site /srv/elsewhere',
      ].join(' && '),
    );
    await installTestUnit(box, 'aura-site.service', await freePort());
    // The admin's settings: the app and its unit (deploy restarts it through the services plugin).
    await box.exec([
      'sh',
      '-c',
      'printf "%s" "$1" > /etc/aura/config.yaml',
      'sh',
      [
        `listen: { host: 127.0.0.1, port: ${port} }`,
        'plugins:',
        '  services:',
        '    units: { local: [{ unit: aura-site.service }] }',
        '    privilege: { local: polkit }',
        '  deploy:',
        '    apps: { local: [{ id: site, dir: /srv/site, unit: aura-site.service }] }',
        '',
      ].join('\n'),
    ]);
    const { out } = await install();
    expect(out).toContain('/etc/systemd/system/aura.service.d/50-deploy-folders.conf');
    expect(out).toContain('/etc/polkit-1/rules.d/50-aura.rules');
    expect(await box.exec(['cat', '/etc/systemd/system/aura.service.d/50-deploy-folders.conf'])).toContain(
      'ReadWritePaths=-"/srv/site"',
    );

    await sh(`cd /srv/origin-site && echo v2 > index.html && ${git} commit -qam second && chown -R aura:aura .`);
    const next = await head('/srv/origin-site');
    const before = await box.show('aura-site.service', 'MainPID');
    const base = `http://127.0.0.1:${port}`;
    const token = await adminToken(base, password);
    const started = await auraFetch(base, '/api/servers/local/deploy/apps/site/runs', { method: 'POST', token, json: {} });
    expect(started.status, await started.clone().text()).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const runOf = async () =>
      (await (await auraFetch(base, `/api/servers/local/deploy/runs/${runId}`, { token })).json()) as {
        status: string;
        log: { text: string }[];
      };
    await expect.poll(async () => (await runOf()).status, { timeout: 120_000, interval: 250 }).not.toMatch(/^(queued|running)$/);
    const run = await runOf();
    expect(run.status, run.log.map((l) => l.text).join('\n')).toBe('succeeded');
    expect(await head('/srv/site')).toBe(next);
    expect(await box.show('aura-site.service', 'MainPID')).not.toBe(before);

    // Only the app's folder was opened: another folder of aura's stays read-only to it.
    const probe = await auraFetch(base, '/api/servers/local/exec', {
      method: 'POST',
      token,
      json: { command: 'touch /srv/elsewhere/x' },
    });
    expect(((await probe.json()) as { stderr: string }).stderr).toMatch(/Read-only file system/);
  });

  it('puts Nginx with TLS in front: https, the redirect from http, HSTS, and socket.io over WebSocket through it', async () => {
    const [tlsPort, httpPort] = [await freePort(), await freePort()];
    const { out } = await install('--nginx', 'localhost', '--tls-port', String(tlsPort), '--http-port', String(httpPort));
    expect(out).toContain('a self-signed certificate for localhost');
    expect(out).toContain(`Aura runs at https://localhost:${tlsPort}`);
    const ca = await box.exec(['cat', '/etc/aura/tls/localhost.crt']);
    expect(await box.exec(['stat', '-c', '%a', '/etc/aura/tls/localhost.key'])).toBe('600\n');
    const viaTls = (urlPath: string, init: { method?: string; json?: unknown } = {}) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const body = init.json === undefined ? undefined : JSON.stringify(init.json);
        const req = httpsRequest(
          {
            host: 'localhost',
            port: tlsPort,
            path: urlPath,
            method: init.method ?? 'GET',
            ca,
            headers: body ? { 'content-type': 'application/json' } : {},
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject).end(body);
      });
    const health = await viaTls('/api/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const plain = await fetch(`http://127.0.0.1:${httpPort}/api/health`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toBe(`https://127.0.0.1:${tlsPort}/api/health`);

    const login = await viaTls('/auth/login', { method: 'POST', json: { username: 'admin', password } });
    expect(login.status, login.body).toBe(200);
    const { token } = JSON.parse(login.body) as { token: string };
    const socket = await connectSocket(`https://localhost:${tlsPort}`, '/services', { token, serverId: 'local', ca });
    try {
      expect(socket.io.engine.transport.name).toBe('websocket');
    } finally {
      socket.close();
    }
    // Aura knows its public address, so a page there passes the Origin check.
    expect(await box.exec(['cat', '/etc/aura/config.yaml'])).toContain(
      `publicUrl: https://localhost:${tlsPort}\ntrustProxy: true\n`,
    );
  });

  /** The next version: this checkout with `edit` applied to its files, in /src/next. */
  function nextVersion(edit: Record<string, (text: string) => string>) {
    // The folder itself stays: the container sees it through a bind mount.
    for (const entry of readdirSync(next)) rmSync(path.join(next, entry), { recursive: true, force: true });
    cpSync(src, next, { recursive: true, preserveTimestamps: true });
    for (const [file, change] of Object.entries(edit))
      writeFileSync(path.join(next, file), change(readFileSync(path.join(next, file), 'utf8')));
  }
  const health = async () => {
    const base = `http://127.0.0.1:${port}`;
    const token = await adminToken(base, password);
    return (await (await auraFetch(base, '/api/health', { token })).json()) as { version: string };
  };

  it('upgrades to a newer checkout, keeping the data, after backing it up', async () => {
    nextVersion({ 'package.json': (t) => t.replace(/"version": "[^"]+"/, '"version": "0.1.1"') });
    const { out, ms } = await installFrom('/src/next');
    console.log(`install.sh, upgrade: ${seconds(ms)}`);
    expect(out).toMatch(/The data in \/var\/lib\/aura is backed up to \/var\/backups\/aura\/aura-\d{8}T\d{6}Z\.tar\.gz\./);
    expect(out).toContain('Changed: the code in /opt/aura');
    expect((await health()).version).toBe('0.1.1'); // the same admin password: the data stayed
    expect(await box.exec(['ls', '/opt'])).toBe('aura\n');
  });

  it('goes back to the previous version and its data when the new one does not start', async () => {
    nextVersion({
      'package.json': (t) => t.replace(/"version": "[^"]+"/, '"version": "0.1.2"'),
      'core/main.ts': (t) =>
        t.replace(
          'async function main(): Promise<void> {',
          "async function main(): Promise<void> {\n  throw new Error('broken on purpose');",
        ),
    });
    const pid = await box.show('aura.service', 'MainPID');
    const failed = await installFrom('/src/next').then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failed).toContain('broken on purpose'); // the new version's log, shown
    expect(failed).toContain('The previous version runs again, on the data as it was before the upgrade');
    expect(await box.show('aura.service', 'ActiveState')).toBe('active');
    expect(await box.show('aura.service', 'MainPID')).not.toBe(pid);
    expect((await health()).version).toBe('0.1.1');
    expect(await box.exec(['sh', '-c', 'ls /opt; ls /var/backups/aura | wc -l'])).toBe('aura\naura.failed\n2\n');
  });

  it('removes itself but the settings and data, and everything with --purge', async () => {
    const { out } = await install('--uninstall');
    expect(out).toContain('Its settings (/etc/aura), data (/var/lib/aura) and backups (/var/backups/aura) are kept');
    const exists = async (p: string) => (await box.exec(['sh', '-c', 'test -e "$1" && echo yes || echo no', 'sh', p])).trim();
    for (const gone of [
      '/opt/aura',
      '/opt/aura.failed',
      '/etc/systemd/system/aura.service',
      '/etc/systemd/system/aura.service.d',
      '/etc/polkit-1/rules.d/50-aura.rules',
      '/etc/nginx/sites-available/aura',
      '/etc/nginx/sites-enabled/aura',
    ])
      expect(await exists(gone), gone).toBe('no');
    expect(await exists('/etc/aura/aura.env')).toBe('yes');
    expect(await exists('/var/lib/aura/store.json')).toBe('yes');
    expect(await box.show('aura.service', 'LoadState')).toBe('not-found');
    await install('--uninstall', '--purge');
    for (const gone of ['/etc/aura', '/var/lib/aura', '/var/backups/aura']) expect(await exists(gone), gone).toBe('no');
    expect(await box.exec(['sh', '-c', 'id aura 2>&1 || true'])).toMatch(/no such user/);
  });

  it('refuses what it cannot do, saying why', async () => {
    const purgeAlone = await box.exec(['bash', '/src/aura/systemd/install.sh', '--purge']).then(
      () => 'ran',
      (e: { stderr?: string }) => e.stderr ?? '',
    );
    expect(purgeAlone).toContain('--purge goes with --uninstall');
    const badPort = await box.exec(['bash', '/src/aura/systemd/install.sh', '--port', '70000']).then(
      () => 'ran',
      (e: { stderr?: string }) => e.stderr ?? '',
    );
    expect(badPort).toContain('--port takes a port number');
  });
});
