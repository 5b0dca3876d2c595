import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { polkitRules } from '../plugins/services/polkit.ts';
import { ADMIN } from '../test/harness/aura.ts';
import { freePort } from '../test/harness/net.ts';
import { auraFetch } from '../test/harness/requests.ts';
import { bootSystemd, installTestUnit, type SystemdBox } from '../test/harness/systemd.ts';

const ROOT_DIR = path.join(import.meta.dirname, '..');
const UNIT_FILE = path.join(import.meta.dirname, 'aura.service');
const WEB = 'aura-web.service';
const run = promisify(execFile);

/** systemd-analyze's verdict: "Overall exposure level for aura.service: 1.6 OK". */
const exposure = (report: string) => Number(/Overall exposure level for aura\.service: (\d+(?:\.\d+)?)/.exec(report)![1]);

describe('systemd/aura.service', () => {
  it('scores at most 3.0 in systemd-analyze security, and says so in its header', () => {
    const report = execFileSync('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT_FILE]).toString();
    const score = exposure(report);
    expect(score).toBeLessThanOrEqual(3.0);
    expect(readFileSync(UNIT_FILE, 'utf8')).toContain(`scores this unit ${score.toFixed(1)}`);
  });
});

describe('Aura under systemd/aura.service in a booted systemd, unprivileged and sandboxed', { timeout: 180_000 }, () => {
  let box: SystemdBox;
  let base: string;
  let token: string;

  const sh = (script: string, ...args: string[]) => box.exec(['sh', '-c', script, 'sh', ...args]);

  beforeAll(async () => {
    // The unit runs what `npm run build` makes: make it from these sources.
    await run('npm', ['run', 'build', '--silent'], { cwd: ROOT_DIR });
    // This checkout is /opt/aura, read-only, and this node is the container's.
    box = await bootSystemd({
      bindRo: [
        [ROOT_DIR, '/opt/aura'],
        [process.execPath, '/usr/bin/node'],
      ],
    });
    const port = await freePort();
    await installTestUnit(box, WEB, await freePort());
    const config = [
      `listen: { host: 127.0.0.1, port: ${port} }`,
      'plugins:',
      '  services:',
      `    units: { local: [{ unit: ${WEB} }] }`,
      '    privilege: { local: polkit }',
      '',
    ].join('\n');
    const env = `ADMIN_PASSWORD=${ADMIN.password}\nSESSION_SECRET=${randomBytes(36).toString('base64')}\n`;
    await sh(
      [
        'useradd --system --home-dir /var/lib/aura --shell /usr/sbin/nologin aura',
        'install -d -m 0755 /etc/aura',
        'printf "%s" "$1" > /etc/aura/config.yaml',
        'install -m 0600 /dev/null /etc/aura/aura.env && printf "%s" "$2" > /etc/aura/aura.env',
        'printf "%s" "$3" > /etc/polkit-1/rules.d/50-aura.rules && systemctl restart polkit',
        'cp /opt/aura/systemd/aura.service /etc/systemd/system/ && systemctl daemon-reload && systemctl start aura',
      ].join(' && '),
      config,
      env,
      polkitRules('aura', 'local', [{ unit: WEB }]),
    );
    base = `http://127.0.0.1:${port}`;
    await vi.waitFor(
      async () => {
        const res = await fetch(`${base}/api/health`).catch(() => null);
        if (res?.status !== 200)
          throw new Error(
            `Aura under systemd does not answer yet: ${await box.exec(['journalctl', '--no-pager', '-n', '15', '-u', 'aura']).catch((e: { stdout?: string }) => e.stdout)}`,
          );
      },
      { timeout: 60_000, interval: 250 },
    );
    const login = await auraFetch(base, '/auth/login', { method: 'POST', json: ADMIN });
    expect(login.status, await login.clone().text()).toBe(200);
    ({ token } = (await login.json()) as { token: string });
  }, 180_000);
  afterAll(async () => {
    await box?.stop();
  });

  it('runs as the aura user, with no way to gain privileges', async () => {
    const pid = await box.show('aura', 'MainPID');
    const status = await box.exec(['cat', `/proc/${pid}/status`]);
    const uid = (await box.exec(['id', '-u', 'aura'])).trim();
    expect(status).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(await box.show('aura', 'StateDirectory')).toBe('aura');
  });

  it('restarts a managed unit and sets its limits through polkit, without sudo', async () => {
    const before = await box.show(WEB, 'MainPID');
    const restarted = await auraFetch(base, `/api/servers/local/services/${WEB}/restart`, { method: 'POST', token });
    expect(restarted.status, await restarted.clone().text()).toBe(200);
    expect(await box.show(WEB, 'MainPID')).not.toBe(before);
    const limited = await auraFetch(base, `/api/servers/local/services/${WEB}/limits`, {
      method: 'PUT',
      token,
      json: { cpuQuota: '50%', memoryMax: null },
    });
    expect(limited.status, await limited.clone().text()).toBe(200);
    expect(await box.show(WEB, 'CPUQuotaPerSecUSec')).toBe('500ms');
  });

  it('keeps what it starts inside the sandbox: no writes outside its data, no sudo, no other unit', async () => {
    const exec = async (command: string) => {
      const res = await auraFetch(base, '/api/servers/local/exec', { method: 'POST', token, json: { command } });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
    };
    const etc = await exec('touch /etc/aura-was-here');
    expect(etc.exitCode).not.toBe(0);
    expect(etc.stderr).toMatch(/Read-only file system/);
    expect(await sh('test -e /etc/aura-was-here && echo yes || echo no')).toBe('no\n');
    const home = await exec('ls /root /home');
    expect(home.exitCode).not.toBe(0);
    expect((await exec('sudo -n true')).exitCode).not.toBe(0);
    const other = await exec('systemctl restart dbus.service');
    expect(other.exitCode).not.toBe(0);
    expect(other.stderr).toMatch(/Interactive authentication required|Access denied/);
    expect((await exec('id -un && touch /var/lib/aura/ok && echo wrote')).stdout).toBe('aura\nwrote\n');
  });

  it('scores the running unit at most 3.0 too', async () => {
    const report = await box.exec(['systemd-analyze', 'security', '--no-pager', 'aura.service']);
    expect(exposure(report)).toBeLessThanOrEqual(3.0);
  });
});
