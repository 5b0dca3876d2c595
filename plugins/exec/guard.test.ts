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
    // every option that takes a value, which is not the command
    'sudo --close-from 3 rm -rf /',
    'sudo --chdir /tmp rm -rf /',
    'sudo --group wheel rm -rf /',
    'sudo --host box rm -rf /',
    'sudo --prompt x rm -rf /',
    'sudo --chroot /mnt rm -rf /',
    'sudo --role r rm -rf /',
    'sudo --command-timeout 5 rm -rf /',
    'sudo --type t rm -rf /',
    'sudo --other-user u rm -rf /',
    'env --argv0 x rm -rf /',
    'env --chdir /tmp rm -rf /',
    'env --unset HOME rm -rf /',
    'env -S rm -rf /',
    'env --split-string "rm -rf /"',
    'env --split-string="rm -rf /"',
    'env - rm -rf /', // `-` is -i
    'env A=1 -u HOME rm -rf /',
    'nice --adjustment 5 rm -rf /',
    'ionice --class 3 rm -rf /',
    'ionice --classdata 7 rm -rf /',
    'ionice --pid 1 rm -rf /',
    'ionice --pgid 1 rm -rf /',
    'ionice --uid 0 rm -rf /',
    'timeout --kill-after 5 10 rm -rf /',
    'timeout --signal KILL 10 rm -rf /',
    'timeout .5 rm -rf /', // durations as timeout reads them
    'timeout +5 reboot',
    'timeout inf reboot',
    'timeout INFINITY reboot',
    'timeout " 5" reboot',
    'time -f %e rm -rf /',
    'time --format %e rm -rf /',
    'time -o /tmp/t rm -rf /',
    'time --output /tmp/t rm -rf /',
    'stdbuf -o L rm -rf /',
    'stdbuf --error L rm -rf /',
    'stdbuf --input 0 rm -rf /',
    'stdbuf --output L rm -rf /',
    'xargs -n 1 rm -rf /',
    'xargs --arg-file list rm -rf /',
    'xargs --delimiter x rm -rf /',
    'xargs --max-args 1 rm -rf /',
    'xargs --max-chars 99 rm -rf /',
    'xargs --max-lines=1 rm -rf /',
    'xargs --max-lines rm -rf /', // its value is attached only
    'xargs --max-procs 2 rm -rf /',
    'xargs --process-slot-var N rm -rf /',
    'watch --interval 5 rm -rf /',
    'watch --equexit 3 rm -rf /',
    'watch -q 3 rm -rf /',
    // watch's -d takes its value attached only, --chgexit none
    'watch -d rm -rf /',
    'watch --differences reboot',
    'watch --chgexit reboot',
    'watch -dn reboot', // -d with the value "n"
    'watch -dn rm -rf /',
    'runuser --group g -u root -- rm -rf /',
    'runuser --supp-group g -u root -- rm -rf /',
    'runuser --user root -- rm -rf /',
    'runuser --whitelist-environment X -u root -- rm -rf /',
    'setsid --fork rm -rf /',
    'setsid -f rm -rf /',
    // the script a wrapper hands to a shell, where only its own reading finds the command
    'eval \'FOO="a b" rm -rf /\'',
    'eval FOO=\'"a b" rm\' -rf /',
    'watch \'FOO="a b" reboot\'',
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
    'runuser -l root -c "FOO=\'a b\' rm -rf /"',
    'ksh -c "rm -rf /"',
    'mksh -c "rm -rf /"',
    'ash -c "rm -rf /"',
    'busybox-sh -c "rm -rf /"',
    'bash --rcfile /dev/null -c "reboot"',
    'bash -cl "reboot"',
    'su -lc reboot', // su takes -c in a cluster, and its script attached
    "su -c'reboot' root",
    'su --command=reboot root',
    'su --command "rm -rf /"',
    // su's last -c wins; runuser's -c comes before `--`
    'su -ctrue -c reboot',
    'su -cl root -c reboot',
    'su -c true root -c reboot',
    'runuser -u root -- mkfs.ext4 -Fc /dev/sdb1',
    // a shell reads options after -c too
    'sh -c -- reboot',
    'sh -c -e reboot',
    'bash -co errexit reboot',
    'bash -c -o errexit +o nounset reboot',
    'sudo sh -c -- "rm -rf /"',
    'sh -c shutdown -h now', // the words after the script are its $0…, but all are read as the line
    'sh -c \'FOO="a b" rm -rf /\'', // only the shell's own reading finds this one
    'su -- root -c reboot', // after su's --, the user, then the shell's own -c
    'su -creboot',
    'env --split-string=A=1 reboot',
    'command rm -v -rf /',
    // env's assignments are any word with =; command's -v only counts before the command
    'env a-b=1 rm -rf /',
    'command rm -rf / -v',
    'timeout -- -0 reboot',
    // a long option shortened to a prefix, as GNU tools take it
    'sudo --us root reboot',
    'runuser --us root -- reboot',
    'nice --adj 5 reboot',
    'timeout --sig KILL 5 reboot',
    'watch --int 2 reboot',
    'env --split=reboot',
    'env --spl "rm -rf /"',
    'stdbuf --out L reboot',
    'time --form %e reboot',
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
    'if rm -rf /; then :; fi',
    'if false; then :; elif rm -rf /; then :; fi',
    'if false; then :; else rm -rf /; fi',
    'while rm -rf /; do :; done',
    'until rm -rf /; do :; done',
    '! rm -rf /',
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
    'f ( ) { f|f& };f',
    'a.b(){ a.b|a.b& };a.b',
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
    'command -V reboot',
    'watch -n 5 uptime',
    'timeout 5 uptime',
    'env - PATH=/bin ls',
    'watch -d df -h',
    'watch -n 2 -d uptime',
    'su -l bob',
    'su -s /bin/sh -c id bob',
    'su -c reboot root -c true', // the last -c is what runs
    'runuser -u root -- ls -lc /',
    'sh -c -e "echo reboot"',
    'bash -co errexit "echo reboot"',
    'sudo --login ls', // a flag, not a prefix of a listed option
    'nice --adj 5 ls',
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
    expect(refusal('cat x > /dev/sda')).toBe('Refused: "cat x > /dev/sda" is writing onto a disk device (plugins.exec.deny).');
    expect(refusal('echo b > /proc/sysrq-trigger')).toBe(
      'Refused: "echo b > /proc/sysrq-trigger" is the kernel\'s SysRq trigger (plugins.exec.deny).',
    );
    for (const line of ['systemctl --force reboot', 'systemctl isolate runlevel6.target', 'telinit 6'])
      expect(refusal(line)).toBe(`Refused: "${line}" is shutting the server down (plugins.exec.deny).`);
  });

  it('shows a command of up to 200 characters whole', () => {
    const line = `reboot ${'x'.repeat(193)}`;
    expect(refusal(line)).toBe(`Refused: "${line}" is shutting the server down (plugins.exec.deny).`);
    expect(refusal(`${line}y`)).toBe(`Refused: "${line.slice(0, 199)}…" is shutting the server down (plugins.exec.deny).`);
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
    const nested = (depth: number) => {
      let l = 'echo hi';
      for (let i = 0; i < depth; i++) l = `sh -c ${JSON.stringify(l)}`;
      return l;
    };
    expect(refusal(nested(8))).toBeNull();
    expect(refusal(nested(9))).toBe('Refused: the line nests shells more than 8 deep to be checked.');
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

  it('reads the plain text with line continuations joined and blanks made one space', () => {
    expect(simpleCommands('a \\\nb; c \\\r\nd')).toEqual(['a b', 'c d']);
    expect(simpleCommands(' a \t\t b  ')).toEqual(['a b']);
    expect(simpleCommands('$\'a\' $"b" ${IFS}c$IFS\\d')).toEqual(['a b c d']);
  });

  it('reads words as the shell does', () => {
    expect(shellWords(' a  b ')).toEqual([['a', 'b']]);
    expect(shellWords('a;;b; ;c')).toEqual([['a'], ['b'], ['c']]);
    expect(shellWords('a&b|c`d`(e){f}g\nh')).toEqual([['a'], ['b'], ['c'], ['d'], ['e'], ['f'], ['g'], ['h']]);
    expect(shellWords('a$b $(c) d$ e$(f)')).toEqual([['a$b'], ['c'], ['d$', 'e'], ['f']]);
    expect(shellWords('f() { rm -rf /tmp/x; }')).toEqual([['f'], ['rm', '-rf', '/tmp/x']]);
    expect(shellWords("$'a b' c")).toEqual([['a b', 'c']]);
    expect(shellWords('a \\\nb')).toEqual([['a', 'b']]);
    expect(shellWords('"" x \'\'')).toEqual([['', 'x', '']]);
  });

  it('keeps a backslash in double quotes unless it escapes $ ` " or \\', () => {
    expect(shellWords('"a\\b" "c\\$d" "e\\\\f" "g\\`h" "i\\"j"')).toEqual([['a\\b', 'c$d', 'e\\f', 'g`h', 'i"j']]);
  });

  it('ends an unterminated quote or a trailing backslash with the line', () => {
    expect(shellWords('a\\')).toEqual([['a']]);
    expect(shellWords("a 'b c")).toEqual([['a', 'b c']]);
    expect(shellWords('a "b c')).toEqual([['a', 'b c']]);
    expect(shellWords('a "b\\')).toEqual([['a', 'b\\']]);
  });

  it('takes the wrappers off and hands on the scripts they run', () => {
    expect(unwrap(['sudo', '-u', 'root', 'nice', '-n', '5', '/usr/bin/ls', '-l'])).toEqual({ words: ['ls', '-l'], scripts: [] });
    expect(unwrap(['bash', '-lc', 'echo hi; id'])).toEqual({ words: ['bash', '-lc', 'echo hi; id'], scripts: ['echo hi; id'] });
    expect(unwrap(['env', '-S', 'ls -l'])).toEqual({ words: [], scripts: ['ls -l'] });
    expect(unwrap(['command', '-v', 'ls'])).toEqual({ words: ['command', '-v', 'ls'], scripts: [] });
  });

  it('hands on the script of env -S in each of its forms', () => {
    expect(unwrap(['env', '-S', 'ls', '-l'])).toEqual({ words: [], scripts: ['ls -l'] });
    expect(unwrap(['env', '-iSls -l'])).toEqual({ words: [], scripts: ['ls -l'] });
    expect(unwrap(['env', '--split-string', 'ls -l'])).toEqual({ words: [], scripts: ['ls -l'] });
    expect(unwrap(['env', '--split-string=ls', '-l'])).toEqual({ words: [], scripts: ['ls -l'] });
  });

  it('hands on the script of su -c in each of its forms', () => {
    expect(unwrap(['su', '-c', 'ls', 'root'])).toEqual({ words: ['su', '-c', 'ls', 'root'], scripts: ['ls root'] });
    expect(unwrap(['su', '-lc', 'ls'])).toEqual({ words: ['su', '-lc', 'ls'], scripts: ['ls'] });
    expect(unwrap(['su', '-cls'])).toEqual({ words: ['su', '-cls'], scripts: ['ls'] });
    expect(unwrap(['su', '--command=ls'])).toEqual({ words: ['su', '--command=ls'], scripts: ['ls'] });
    expect(unwrap(['su', '--command', 'ls'])).toEqual({ words: ['su', '--command', 'ls'], scripts: ['ls'] });
    expect(unwrap(['su', '-', 'root'])).toEqual({ words: ['su', '-', 'root'], scripts: [] });
    expect(unwrap(['su', '--commander', 'ls'])).toEqual({ words: ['su', '--commander', 'ls'], scripts: [] });
  });

  it("finds a shell's -c among its other options", () => {
    expect(unwrap(['bash', '--rcfile', 'f', '-c', 'ls']).scripts).toEqual(['ls']);
    expect(unwrap(['sh', '-ec', 'ls']).scripts).toEqual(['ls']);
    expect(unwrap(['sh', '-ce', 'ls']).scripts).toEqual(['ls']);
    expect(unwrap(['sh', '-C', 'ls']).scripts).toEqual([]);
    expect(unwrap(['sh', 'script.sh', 'x-c']).scripts).toEqual([]);
  });

  it("reads the command after --, and after timeout's duration when there is one", () => {
    expect(unwrap(['env', '--', '-x', 'y']).words).toEqual(['-x', 'y']);
    // A lone - is the command (which does not exist), except to env, where it is -i.
    expect(unwrap(['sudo', '-', 'ls']).words).toEqual(['-', 'ls']);
    expect(unwrap(['env', '-', 'ls']).words).toEqual(['ls']);
    expect(unwrap(['nohup', '--', 'ls']).words).toEqual(['ls']);
    expect(unwrap(['timeout', '10', 'ls']).words).toEqual(['ls']);
    expect(unwrap(['timeout', '10']).words).toEqual(['10']);
    expect(unwrap(['timeout', 'mkfs.ext4', '/dev/sdb']).words).toEqual(['mkfs.ext4', '/dev/sdb']);
    expect(unwrap(['timeout', 'x.5', 'ls']).words).toEqual(['x.5', 'ls']);
  });

  it('drops empty words and variable assignments, and only those', () => {
    expect(unwrap(['', 'sudo', '', 'ls'])).toEqual({ words: ['ls'], scripts: [] });
    expect(unwrap(['A=1', '_b=2', 'ls'])).toEqual({ words: ['ls'], scripts: [] });
    expect(unwrap(['a-b=1', 'ls'])).toEqual({ words: ['a-b=1', 'ls'], scripts: [] });
    expect(unwrap(['./a=1', 'ls'])).toEqual({ words: ['a=1', 'ls'], scripts: [] });
  });

  it('knows a fork bomb from a function', () => {
    expect(isForkBomb(':(){ :|:& };:')).toBe(true);
    expect(isForkBomb('f() { echo hi | cat; }; f')).toBe(false);
    expect(isForkBomb('f() { g | g & }; f')).toBe(false);
    expect(isForkBomb('f() { f && echo; }; f')).toBe(false);
  });
});
