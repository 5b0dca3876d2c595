import { describe, expect, it } from 'vitest';
import { DEFAULT_DENY, isForkBomb, judge, shellWords, simpleCommands, unwrap } from './guard.ts';

const deny = DEFAULT_DENY.map((r) => ({ label: r.label, pattern: new RegExp(r.pattern) }));
const refusal = (line: string) => {
  const verdict = judge(line, { deny });
  return verdict.allowed ? null : verdict.detail;
};

describe('the exec guard rail refuses', () => {
  it.each([
    // rm -rf /, flags in any order and combination
    'rm -rf /',
    'rm -rf /*',
    'rm -fr /',
    'rm -Rf /',
    'rm -vrf /',
    'rm -r -f /',
    'rm -f -r /',
    'rm -r /',
    'rm --recursive --force /',
    'rm --force --recursive /*',
    'rm -rf --no-preserve-root /',
    'rm --no-preserve-root -rf /',
    'rm -rf / --no-preserve-root',
    'rm -rf -- /',
    'rm -rf //',
    'rm -rf /.',
    'rm -rf /./*',
    'rm -rf /tmp/old /', // a stray space: the classic accident
    // spacing, quoting, backslashes
    'rm  -rf   / ',
    '\trm\t-rf\t/',
    '  rm -rf /  ',
    "'rm' -rf '/'",
    'r""m -rf "/"',
    "r''m -fr /*",
    '"rm" "-rf" "/"',
    'r\\m -rf /',
    '\\rm -rf /',
    'rm -rf "/"*',
    'rm \\\n -rf /',
    'rm${IFS}-rf${IFS}/',
    "$'rm' -rf /",
    // a path before the program
    '/bin/rm -rf /',
    '/usr/bin/rm -rf /.',
    './rm -rf /',
    // wrappers
    'sudo rm -rf /',
    'sudo -u root rm -rf /',
    'sudo -uroot rm -rf /',
    'sudo -nu root rm -rf /',
    'sudo --user root rm -rf /',
    'sudo --user=root rm -rf /',
    'sudo -E -H -u root -- rm -rf /',
    'sudo -n -- rm -rf /',
    'sudo -p "Password please:" rm -rf /',
    'sudo sudo rm -rf /',
    'doas rm -rf /',
    'doas -u root rm -rf /',
    'env rm -rf /',
    'env -i PATH=/bin rm -rf /',
    'env -u HOME rm -rf /',
    'env -S "rm -rf /"',
    'FOO=1 rm -rf /',
    'FOO="a b" BAR=\'c d\' rm -rf /',
    'nohup rm -rf / &',
    'nice rm -rf /',
    'nice -n 10 rm -rf /',
    'nice -n10 rm -rf /',
    'nice -10 rm -rf /',
    'nice --adjustment=5 rm -rf /',
    'ionice -c 3 rm -rf /',
    'timeout 5 rm -rf /',
    'timeout -s KILL 5s rm -rf /',
    'time rm -rf /',
    'time -p rm -rf /',
    'command rm -rf /',
    'exec rm -rf /',
    'exec -a cleaner rm -rf /',
    'eval rm -rf /',
    'eval "rm -rf /"',
    "eval 'echo hi; rm -rf /'",
    'builtin exec rm -rf /',
    'setsid rm -rf /',
    'stdbuf -oL rm -rf /',
    'busybox rm -rf /',
    'xargs rm -rf /',
    'watch -n 60 rm -rf /',
    'sudo nice -n 5 nohup env X=1 timeout 10 rm -rf /',
    // shells and su
    'sh -c "rm -rf /"',
    "sh -c 'rm -rf /'",
    'bash -c "rm -rf /"',
    'dash -c "rm -rf /"',
    'zsh -c "rm -rf /"',
    "bash -lc 'sudo rm -rf /'",
    'bash -l -c "rm -rf /"',
    'sudo sh -c "cd /tmp; rm -rf /"',
    'sudo bash -c "sh -c \'rm -rf /\'"',
    '/bin/sh -c "rm -rf /"',
    'su -c "rm -rf /" root',
    'su - root -c reboot',
    'runuser -u root -- rm -rf /',
    // every simple command of the line
    'echo hi; rm -rf /',
    'echo hi;rm -rf /',
    'true && rm -rf /',
    'false || rm -rf /',
    'ls | rm -rf /',
    'sleep 1 & rm -rf /',
    'echo hi\nrm -rf /',
    'echo $(rm -rf /)',
    'echo "$(rm -rf /)"',
    'echo `rm -rf /`',
    '(rm -rf /)',
    '{ rm -rf /; }',
    'if true; then rm -rf /; fi',
    'for i in 1; do rm -rf /; done',
    'cat <(rm -rf /)',
    // quoted text is read as code too: it may be run later (eval, sh -c, ssh)
    'echo "x; reboot"',
    // mkfs
    'mkfs /dev/sda1',
    'mkfs -t ext4 /dev/sda1',
    'mkfs.ext4 /dev/sda1',
    'mkfs.vfat -F 32 /dev/sdb1',
    'sudo mkfs.xfs -f /dev/vdb',
    'mke2fs /dev/sdb',
    '/sbin/mkfs.btrfs /dev/nvme0n1',
    // dd onto a device, and other writes onto disks
    'dd if=/dev/zero of=/dev/sda bs=1M',
    'dd of=/dev/sda if=image.iso',
    'sudo dd if=x.img of=/dev/mmcblk0 status=progress',
    'dd if=x.img of="/dev/sdb"',
    'cat image.iso > /dev/sda',
    'echo x >/dev/nvme0n1p1',
    'cat x >> /dev/mapper/root',
    'cat x | sudo tee /dev/sdb',
    // shutting down
    'shutdown -h now',
    'shutdown -r +5',
    'sudo reboot',
    'reboot',
    'reboot -f',
    'halt',
    'poweroff',
    '/sbin/poweroff',
    'systemctl poweroff',
    'sudo systemctl reboot',
    'systemctl --force reboot',
    'systemctl halt',
    'systemctl kexec',
    'systemctl start reboot.target',
    'systemctl isolate runlevel0.target',
    'init 0',
    'init 6',
    '/sbin/init 6',
    'telinit 0',
    'echo b > /proc/sysrq-trigger',
    // fork bombs
    ':(){ :|:& };:',
    ':(){:|:&};:',
    ':() { : | : & } ; :',
    ':(){\n:|:&\n};:',
    'bomb() { bomb | bomb & }; bomb',
    'f(){ f|f& };f',
    'x(){ x & x & }; x',
    'function boom { boom | boom & }; boom',
    'function boom() { boom|boom & }; boom',
    "':'(){ ':'|':'& };':'",
  ])('%j', (line) => {
    expect(refusal(line)).toMatch(/^Refused: /);
  });
});

describe('the exec guard rail lets run', () => {
  it.each([
    'rm -rf /tmp/build',
    'rm -rf ./dist',
    'rm -rf dist/',
    'rm -r /var/tmp/x /var/tmp/y',
    'rm /tmp/file',
    'rm -f /',
    'sudo rm -rf /var/cache/apt/archives/partial',
    'ls /',
    'ls -la / | head',
    'du -sh /* 2>/dev/null | sort -h',
    'find / -maxdepth 1 -type d',
    'echo reboot',
    'echo "rm -rf /tmp/x"',
    'grep shutdown /var/log/syslog',
    'grep -r reboot /etc/cron.d',
    'journalctl -u reboot-notifier.service',
    'last reboot',
    'who -b',
    'uptime && free -m',
    'df -h',
    'systemctl status nginx',
    'systemctl list-timers',
    'systemctl restart nginx',
    'dd if=/dev/zero of=/tmp/zero bs=1M count=1',
    'dd if=/dev/zero of=/dev/null bs=1M count=100',
    'dd if=/dev/sda of=/tmp/mbr.img bs=512 count=1',
    'cat /dev/sda > /dev/null',
    'mkswap /swapfile',
    'command -v reboot',
    'type shutdown',
    'which mkfs.ext4',
    'man shutdown',
    'sh -c "echo hello"',
    'sudo -u postgres psql -c "select 1"',
    'f() { echo hi; }; f',
    'echo "a|b & c"',
    'init --version',
    'env',
    'sudo -l',
    // known gaps of a guard rail that reads the line, not what it will do (see the README)
    'echo reboot | sh',
    '$(echo rm) -rf /',
  ])('%j', (line) => {
    expect(judge(line, { deny })).toEqual({ allowed: true });
  });
});

describe('the exec guard rail', () => {
  it('names the rule it hit', () => {
    expect(refusal('sudo reboot')).toBe('Refused: "sudo reboot" is shutting the server down (plugins.exec.deny).');
    expect(refusal('ls; sudo -u root rm -fr /*')).toBe(
      'Refused: "sudo -u root rm -fr /*" is a recursive rm of / (plugins.exec.deny).',
    );
    expect(refusal('dd if=a of=/dev/sda')).toContain('dd onto a device');
    expect(refusal('mkfs.ext4 /dev/sdb1')).toContain('making a file system');
    expect(refusal(':(){ :|:& };:')).toContain('fork bomb');
  });

  it('cuts a long command short in the detail', () => {
    const detail = refusal(`reboot ${'x'.repeat(1000)}`)!;
    expect(detail.length).toBeLessThan(300);
    expect(detail).toContain('…');
  });

  it('uses the rules it is given, and nothing else but the fork bomb', () => {
    const custom = [{ pattern: /^curl\s/, label: 'a download' }];
    expect(judge('curl -s https://example.org', { deny: custom })).toEqual({
      allowed: false,
      detail: 'Refused: "curl -s https://example.org" is a download (plugins.exec.deny).',
    });
    expect(judge('sudo curl https://example.org', { deny: custom })).toMatchObject({ allowed: false });
    expect(judge('reboot', { deny: custom })).toEqual({ allowed: true });
    expect(judge(':(){ :|:& };:', { deny: [] })).toMatchObject({ allowed: false });
  });

  it('in allow-list mode, lets through only lines whose every command is allowed in full', () => {
    const allow = [/^(?:uptime)$/, /^(?:systemctl status \S+)$/, /^(?:df -h)$/];
    expect(judge('uptime', { deny, allow })).toEqual({ allowed: true });
    expect(judge('uptime; df -h', { deny, allow })).toEqual({ allowed: true });
    expect(judge('systemctl status nginx', { deny, allow })).toEqual({ allowed: true });
    expect(judge("systemctl status 'nginx'", { deny, allow })).toEqual({ allowed: true });
    for (const line of [
      'uptime; id',
      'uptime $(id)',
      'uptime `id`',
      'uptime | sh',
      'uptime\nid',
      'systemctl status nginx > /etc/passwd',
      'systemctl status nginx; systemctl stop nginx',
      'sudo uptime',
      'uptimes',
      'echo uptime',
    ])
      expect(judge(line, { deny, allow })).toEqual({
        allowed: false,
        detail: expect.stringMatching(/^Refused: ".*" is not in plugins\.exec\.allow\.$/s),
      });
    // Deny still applies in allow-list mode.
    expect(judge('reboot', { deny, allow: [/^(?:reboot)$/] })).toEqual({
      allowed: false,
      detail: 'Refused: "reboot" is shutting the server down (plugins.exec.deny).',
    });
  });

  it('refuses shells nested deeper than it reads', () => {
    let line = 'echo hi';
    for (let i = 0; i < 10; i++) line = `sh -c ${JSON.stringify(line)}`;
    expect(refusal(line)).toMatch(/nests shells more than 8 deep/);
    expect(refusal('sh -c "sh -c \\"echo hi\\""')).toBeNull();
  });

  it('judges the longest line allowed (8192 characters) in well under a second', () => {
    const lines = [
      `rm ${'-r '.repeat(2730)}`,
      `sh -c ${'sh -c '.repeat(1365)}`,
      `${'a'.repeat(8180)}(){ x`,
      `dd ${'of=/dev/x '.repeat(800)}`,
      `${'x>'.repeat(4096)}`,
      `function ${'{'.repeat(8000)}`,
      'a;'.repeat(4096),
      "sh -c '".repeat(1170),
    ];
    for (const line of lines) {
      const started = performance.now();
      judge(line, { deny, allow: [/^(?:uptime)$/] });
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('splits a line into its simple commands, as text and as words', () => {
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
    expect(shellWords(`FOO="a b" x 'y; z' \\; w; v "q\\"r"`)).toEqual([
      ['FOO=a b', 'x', 'y; z', ';', 'w'],
      ['v', 'q"r'],
    ]);
  });

  it('takes the wrappers off and hands on the scripts they run', () => {
    expect(unwrap(['sudo', '-u', 'root', 'nice', '-n', '5', '/usr/bin/ls', '-l'])).toEqual({ words: ['ls', '-l'], scripts: [] });
    expect(unwrap(['bash', '-lc', 'echo hi; id'])).toEqual({ words: ['bash', '-lc', 'echo hi; id'], scripts: ['echo hi; id'] });
    expect(unwrap(['env', '-S', 'ls -l'])).toEqual({ words: [], scripts: ['ls -l'] });
    expect(unwrap(['command', '-v', 'ls'])).toEqual({ words: ['command', '-v', 'ls'], scripts: [] });
  });

  it('knows a fork bomb from a function', () => {
    expect(isForkBomb(':(){ :|:& };:')).toBe(true);
    expect(isForkBomb('f() { echo hi | cat; }; f')).toBe(false);
    expect(isForkBomb('f() { g | g & }; f')).toBe(false);
    expect(isForkBomb('f() { f && echo; }; f')).toBe(false);
  });
});
