import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { polkitRules } from './polkit.ts';

const ROOT_DIR = path.join(import.meta.dirname, '..', '..');
const YES = 'yes';
const NOT_HANDLED = null;

/** Runs the rules file as polkitd would, and returns its decision for one request. */
function decide(rules: string, request: { id: string; user: string; unit?: string; verb?: string }) {
  const added: ((action: unknown, subject: unknown) => unknown)[] = [];
  const polkit = { Result: { YES, NO: 'no', NOT_HANDLED }, addRule: (f: (typeof added)[number]) => added.push(f) };
  vm.runInNewContext(rules, { polkit });
  expect(added).toHaveLength(1);
  const details: Record<string, string | undefined> = { unit: request.unit, verb: request.verb };
  return added[0]!({ id: request.id, lookup: (k: string) => details[k] }, { user: request.user }) ?? NOT_HANDLED;
}

describe('the polkit rules', () => {
  const rules = polkitRules('aura', 'local', [{ unit: 'web.service' }, { unit: 'getty@tty1.service' }, { unit: 'web.service' }]);
  const manage = 'org.freedesktop.systemd1.manage-units';

  it('let the user start, stop, restart and set properties of each listed unit', () => {
    for (const unit of ['web.service', 'getty@tty1.service'])
      for (const verb of ['start', 'stop', 'restart', 'set-property'])
        expect(decide(rules, { id: manage, user: 'aura', unit, verb }), `${verb} ${unit}`).toBe(YES);
  });

  it('leave everything else to polkit: other units, verbs, users and actions', () => {
    expect(decide(rules, { id: manage, user: 'aura', unit: 'ssh.service', verb: 'restart' })).toBe(NOT_HANDLED);
    expect(decide(rules, { id: manage, user: 'aura', unit: 'web.service.bak', verb: 'restart' })).toBe(NOT_HANDLED);
    expect(decide(rules, { id: manage, user: 'aura', unit: 'web.service', verb: 'reload-or-restart' })).toBe(NOT_HANDLED);
    expect(decide(rules, { id: manage, user: 'aura', unit: 'web.service', verb: undefined })).toBe(NOT_HANDLED);
    expect(decide(rules, { id: manage, user: 'aurax', unit: 'web.service', verb: 'restart' })).toBe(NOT_HANDLED);
    expect(decide(rules, { id: manage, user: 'root', unit: 'web.service', verb: 'restart' })).toBe(NOT_HANDLED);
    for (const id of [
      'org.freedesktop.systemd1.manage-unit-files',
      'org.freedesktop.systemd1.reload-daemon',
      'org.freedesktop.login1.reboot',
    ])
      expect(decide(rules, { id, user: 'aura', unit: 'web.service', verb: 'restart' }), id).toBe(NOT_HANDLED);
  });

  it('list each unit once, and grant nothing with no units', () => {
    expect(rules.match(/"web\.service"/g)).toHaveLength(1);
    const none = polkitRules('aura', 'web-1', []);
    expect(decide(none, { id: manage, user: 'aura', unit: 'web.service', verb: 'restart' })).toBe(NOT_HANDLED);
  });

  it('refuse a user name that is not one, rather than quote it into code', () => {
    for (const bad of ['', 'Aura', 'a"b', 'a b', "x'||true||'", '-root', 'a'.repeat(33)])
      expect(() => polkitRules(bad, 'local', [{ unit: 'web.service' }]), bad).toThrow(/is not a user name/);
  });

  it('is what `npm run aura -- services polkit` prints for the configured units', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-polkit-'));
    const config = path.join(dir, 'aura.yaml');
    writeFileSync(config, 'plugins:\n  services:\n    units:\n      web-1: [{ unit: web.service }]\n');
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT_DIR, 'core/cli.ts'), 'services', 'polkit', '--user', 'deploy', '--server', 'web-1'],
      { env: { ...process.env, AURA_CONFIG: config } },
    ).toString();
    expect(out).toBe(polkitRules('deploy', 'web-1', [{ unit: 'web.service' }]));
  });
});
