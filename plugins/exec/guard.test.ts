import { describe, expect, it } from 'vitest';
import { DEFAULT_DENY, judge, simpleCommands } from './guard.ts';

const deny = DEFAULT_DENY.map((r) => ({ label: r.label, pattern: new RegExp(r.pattern) }));
const refused = (line: string) => !judge(line, { deny }).allowed;

describe('the exec guard rail', () => {
  it.each([
    'rm -rf /',
    'rm -rf /*',
    'rm -fr /',
    'rm -r -f /',
    'rm --recursive --force /',
    'rm -rf --no-preserve-root /',
    'rm  -rf   / ',
    '\trm\t-rf\t/',
    'rm -Rf //',
    "'rm' -rf '/'",
    'r""m -rf "/"',
    'r\\m -rf /',
    '/bin/rm -rf /',
    '/usr/bin/rm -rf /.',
    'sudo rm -rf /',
    'sudo -u root rm -rf /',
    'sudo -n -- rm -rf /',
    'doas rm -rf /',
    'env -i PATH=/bin rm -rf /',
    'FOO=1 rm -rf /',
    'nohup rm -rf / &',
    'nice -n 10 rm -rf /',
    'timeout 5 rm -rf /',
    'time rm -rf /',
    'echo hi; rm -rf /',
    'true && rm -rf /',
    'false || rm -rf /',
    'echo $(rm -rf /)',
    'echo `rm -rf /`',
    'sh -c "rm -rf /"',
    "bash -lc 'sudo rm -rf /'",
    'sudo sh -c "cd /tmp; rm -rf /"',
    'mkfs /dev/sda1',
    'mkfs.ext4 /dev/sda1',
    'sudo mkfs.xfs -f /dev/vdb',
    'dd if=/dev/zero of=/dev/sda bs=1M',
    'sudo dd if=x.img of=/dev/mmcblk0',
    'shutdown -h now',
    'sudo reboot',
    'halt',
    'poweroff',
    'systemctl poweroff',
    'sudo systemctl reboot',
    'init 0',
    ':(){ :|:& };:',
    ':(){:|:&};:',
    'bomb() { bomb | bomb & }; bomb',
  ])('refuses %j', (line) => {
    expect(refused(line)).toBe(true);
  });

  it.each([
    'rm -rf /tmp/build',
    'rm -rf ./dist',
    'rm /tmp/file',
    'ls /',
    'ls -la / | head',
    'echo reboot',
    'grep shutdown /var/log/syslog',
    'journalctl -u reboot-notifier.service',
    'dd if=/dev/zero of=/tmp/zero bs=1M count=1',
    'df -h',
    'systemctl status nginx',
    'echo "rm -rf /tmp/x"',
    'uptime && free -m',
  ])('lets %j run', (line) => {
    expect(judge(line, { deny })).toEqual({ allowed: true });
  });

  it('names the rule it hit', () => {
    expect(judge('sudo reboot', { deny })).toEqual({
      allowed: false,
      detail: 'Refused: "sudo reboot" is shutting the server down (plugins.exec.deny).',
    });
  });

  it('in allow-list mode, lets through only lines whose every command is allowed in full', () => {
    const allow = [/^(?:uptime)$/, /^(?:systemctl status \S+)$/, /^(?:df -h)$/];
    expect(judge('uptime', { deny, allow })).toEqual({ allowed: true });
    expect(judge('uptime; df -h', { deny, allow })).toEqual({ allowed: true });
    expect(judge('systemctl status nginx', { deny, allow })).toEqual({ allowed: true });
    for (const line of ['uptime; id', 'uptime $(id)', 'systemctl status nginx > /etc/passwd', 'sudo uptime', 'uptimes'])
      expect(judge(line, { deny, allow })).toMatchObject({
        allowed: false,
        detail: expect.stringContaining('plugins.exec.allow'),
      });
    // Deny still applies in allow-list mode.
    expect(judge('reboot', { deny, allow: [/^(?:reboot)$/] })).toMatchObject({ allowed: false });
  });

  it('splits a line into its simple commands', () => {
    expect(simpleCommands('a; b && c || d | e & f\ng $(h) `i` (j) { k; }')).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
      'i',
      'j',
      'k',
    ]);
  });
});
