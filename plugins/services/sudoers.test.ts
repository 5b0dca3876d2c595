import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { privilegedCommands, sudoersFile } from './sudoers.ts';

const ROOT_DIR = path.join(import.meta.dirname, '..', '..');

describe('the sudoers drop-in', () => {
  const units = [{ unit: 'web.service' }, { unit: 'getty@tty1.service' }, { unit: 'a:b.service' }];
  const file = sudoersFile('aura', 'local', units);

  it('lists exactly the commands the plugin runs with sudo, and no wildcards or status', () => {
    expect(file).not.toMatch(/\*|systemctl status|journalctl|ALL\s*$/m);
    expect(file).toContain('/usr/bin/systemctl restart web.service');
    expect(file).toContain('/usr/bin/systemctl restart a\\:b.service');
    expect(file).toContain('/usr/bin/install -D -m 0644 /dev/stdin /etc/systemd/system/web.service.d/50-aura-limits.conf.new');
    for (const argv of privilegedCommands('getty@tty1.service')) expect(file).toContain(`/usr/bin/${argv.join(' ')}`);
    expect(file.match(/systemctl daemon-reload/g)).toHaveLength(1);
  });

  it('is valid sudoers syntax', () => {
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'aura-sudoers-')), 'aura');
    writeFileSync(target, file, { mode: 0o440 });
    expect(execFileSync('visudo', ['-cf', target]).toString()).toMatch(/parsed OK/);
  });

  it('is what `npm run aura -- services sudoers` prints for the configured units', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-sudoers-'));
    const config = path.join(dir, 'aura.yaml');
    writeFileSync(config, 'plugins:\n  services:\n    units:\n      local: [{ unit: web.service }]\n');
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT_DIR, 'core/cli.ts'), 'services', 'sudoers', '--user', 'deploy'],
      {
        env: { ...process.env, AURA_CONFIG: config },
      },
    ).toString();
    expect(out).toBe(sudoersFile('deploy', 'local', [{ unit: 'web.service' }]));
  });
});
