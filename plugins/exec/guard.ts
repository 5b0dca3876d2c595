/**
 * The guard rail in front of `sh -c`: a line is split into its simple commands, each stripped
 * of quotes, paths and the wrappers that run another command (`sudo`, `env`, `nohup`, `sh -c
 * "…"`), then held against the deny rules, and in allow-list mode against the allowed ones.
 *
 * Every line is read twice and refused if either reading hits a rule: once as plain text (all
 * quotes and backslashes dropped, so a quoted `;` or `$(` splits too: whatever might be
 * evaluated later, by `eval`, `sh -c` or `ssh`, is checked), and once as the shell's words
 * (quotes kept together, so `FOO="a b" rm -rf /` is still `rm`). It stops accidents and
 * careless copy-paste, not a determined admin (who has the terminal anyway).
 */
export interface Rule {
  pattern: RegExp;
  /** What the rule stops, for the refusal's detail. */
  label: string;
}

/** A disk, a partition or a device-mapper volume (not /dev/null, a tty or /dev/shm). */
const DISK = String.raw`/dev/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|loop\d|mapper/|disk/)`;

/** The default `plugins.exec.deny`, held against each simple command once normalised (see judge). */
export const DEFAULT_DENY: { pattern: string; label: string }[] = [
  {
    label: 'a recursive rm of /',
    // rm, a recursive flag anywhere (-r, -R, -rf, -fr, -vRf, --recursive), and / (or //, /*, /.) as an argument.
    pattern: String.raw`^rm\s(?=(?:.*\s)?(?:-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)(?:\s|$))(?=(?:.*\s)?/[/.*]*(?:\s|$))`,
  },
  { label: 'making a file system', pattern: String.raw`^(?:mkfs(?:\.[\w-]+)?|mke2fs|mkdosfs|mkntfs)(?:\s|$)` },
  {
    label: 'dd onto a device',
    pattern: String.raw`^dd\s(?:.*\s)?of=/dev/(?!(?:null|zero|stdout|stderr|tty)(?:\s|$)|fd/|shm/)`,
  },
  { label: 'writing onto a disk device', pattern: String.raw`>\|?\s*${DISK}|^tee\s(?:.*\s)?${DISK}` },
  { label: 'shutting the server down', pattern: String.raw`^(?:shutdown|reboot|halt|poweroff)(?:\s|$)` },
  {
    label: 'shutting the server down',
    pattern: String.raw`^systemctl\s(?:.*\s)?(?:poweroff|reboot|halt|kexec|soft-reboot)(?:\s|$)`,
  },
  {
    label: 'shutting the server down',
    pattern: String.raw`^systemctl\s(?:.*\s)?(?:start|restart|isolate)\s(?:.*\s)?(?:poweroff|reboot|halt|kexec|runlevel[06])\.target(?:\s|$)`,
  },
  { label: 'shutting the server down', pattern: String.raw`^(?:init|telinit)\s+[06](?:\s|$)` },
  { label: "the kernel's SysRq trigger", pattern: String.raw`>\|?\s*/proc/sysrq-trigger` },
];

/**
 * How a wrapper reads its options: the short letters and long names that take a value, the
 * options whose value is itself a command (`env -S "…"`), and whether its first plain argument
 * is not the command yet (`timeout 5 …`).
 */
interface Wrapper {
  short?: string;
  /** Short letters whose value is only ever attached (`watch -dcumulative`, so `-dn` is -d with "n"). */
  attachedOnly?: string;
  long?: string[];
  commandOptions?: string[];
  skipFirst?: RegExp;
  /** It does not run the command with these (`command -v rm` only prints where rm is). */
  inert?: string[];
  /** It hands the rest of its arguments, joined, to a shell (`watch`, `eval`). */
  joins?: boolean;
}

const WRAPPERS: Record<string, Wrapper> = {
  sudo: {
    short: 'CDghpRrTtUu',
    long: [
      '--close-from',
      '--chdir',
      '--group',
      '--host',
      '--prompt',
      '--chroot',
      '--role',
      '--command-timeout',
      '--type',
      '--other-user',
      '--user',
    ],
  },
  doas: { short: 'aCu' },
  env: { short: 'aCu', long: ['--argv0', '--chdir', '--unset'], commandOptions: ['-S', '--split-string'] },
  nice: { short: 'n', long: ['--adjustment'] },
  ionice: { short: 'cnpPu', long: ['--class', '--classdata', '--pid', '--pgid', '--uid'] },
  // A duration as timeout reads it: `5`, `.5`, `+5`, `-0` (after `--`), `inf`.
  timeout: { short: 'ks', long: ['--kill-after', '--signal'], skipFirst: /^\s*[+-]?(?:\.?\d|inf)/i },
  nohup: {},
  time: { short: 'fo', long: ['--format', '--output'] },
  command: { inert: ['-v', '-V'] },
  exec: { short: 'a' },
  eval: { joins: true },
  builtin: {},
  setsid: {},
  stdbuf: { short: 'eio', long: ['--error', '--input', '--output'] },
  xargs: {
    short: 'adEILnPs',
    // --max-lines takes its value attached only (`--max-lines=2`): the next word is the command.
    long: ['--arg-file', '--delimiter', '--max-args', '--max-chars', '--max-procs', '--process-slot-var'],
  },
  // -d/--differences takes its value attached only, --chgexit none: the next word is the command.
  watch: { short: 'nq', attachedOnly: 'd', long: ['--interval', '--equexit'], joins: true },
  busybox: {},
  runuser: { short: 'gGuw', long: ['--group', '--supp-group', '--user', '--whitelist-environment'] },
  // The shell's own words before a command: `if rm …`, `then rm …`, `! rm …`.
  ...Object.fromEntries(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!'].map((k) => [k, {}])),
};
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox-sh']);
/** `su -c "…"` and `runuser -c "…"` run their script with the target user's shell. */
const SWITCH_USER = new Set(['su', 'runuser']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Nested `sh -c "sh -c '…'"` deeper than this is refused rather than read on. */
const MAX_DEPTH = 8;

/**
 * What the shell would have turned into plain text anyway: line continuations, `$'…'` and
 * `$"…"` quoting, and `$IFS` (a space by default).
 */
const prepare = (line: string) =>
  line
    .replace(/\\\r?\n/g, '')
    .replace(/\$(['"])/g, '$1')
    .replace(/\$\{IFS\}|\$IFS\b/g, ' ');

/** Quotes and backslashes go: `r""m`, `'rm'` and `r\m` are all rm. Whitespace becomes one space. */
const unquote = (text: string) => text.replace(/["'\\]/g, '').replace(/\s+/g, ' ');

/** The simple commands of a line as text: split at `;`, `&&`, `||`, `|`, `&`, newlines, `$(`, backticks, ( ) { }. */
export function simpleCommands(line: string): string[] {
  return unquote(prepare(line).replace(/\n/g, ';'))
    .split(/\|\||&&|\$\(|[;|&`(){}]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The simple commands of a line as the shell's words: quotes join and are removed, a backslash
 * keeps the next character, and the same separators end a command outside quotes. (A `$(…)`
 * inside double quotes stays a word here; the plain-text reading checks it.)
 */
export function shellWords(line: string): string[][] {
  const text = prepare(line);
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      if (i + 1 < text.length) word += text[++i];
      inWord = true;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end === -1 ? text.length : end;
      word += text.slice(i + 1, stop);
      i = stop;
      inWord = true;
    } else if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && /[$`"\\]/.test(text[i + 1] ?? '')) i++;
        word += text[i];
      }
      inWord = true;
    } else if (ch === '\n' || ';&|`(){}'.includes(ch)) {
      endCommand();
    } else if (ch === '$' && text[i + 1] === '(') {
      endCommand();
      i++;
    } else if (/\s/.test(ch)) {
      endWord();
    } else {
      word += ch;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** `/usr/bin/rm` is rm (a word with spaces in it is no program path: left alone). */
const program = (word: string) => (/\s/.test(word) ? word : word.replace(/^.*\/(?=[^/])/, ''));

/**
 * Whether `--name` is one of these long options, or stands for one: GNU tools take any
 * unambiguous prefix (`sudo --us root` is `--user root`). A prefix of an option the guard does
 * not list as well would be ambiguous, and the tool would refuse the line, so reading it as the
 * listed one is safe.
 */
const longOption = (name: string, known: string[] | undefined) => known?.some((k) => k.startsWith(name)) ?? false;

/**
 * Where a shell's script starts after `-c`: the shell still reads options there (`sh -c -e …`,
 * `sh -c -- …`, `bash -co errexit …`), and `-o`/`+o` take the next word.
 */
function afterShellOptions(w: string[], c: number): number {
  const takesValue = (arg: string) => /^[-+][a-zA-Z]*o$/.test(arg);
  let s = c + (takesValue(w[c]!) ? 2 : 1);
  while (s < w.length && /^[-+]./.test(w[s]!)) {
    if (w[s] === '--') return s + 1;
    s += takesValue(w[s]!) ? 2 : 1;
  }
  return s;
}

/**
 * Reads a wrapper's options off the front of `w` (mutated). Answers the script of a command
 * option (`env -S "…"`), if one ended the options.
 */
function dropOptions(w: string[], spec: Wrapper, isEnv: boolean): string | undefined {
  while (w.length) {
    const arg = w[0]!;
    if (arg === '--') {
      w.shift();
      return undefined;
    }
    // env takes any word with `=` before the command as an assignment (`a-b=1` too).
    if (isEnv && !arg.startsWith('-') && arg.includes('=')) {
      w.shift();
      continue;
    }
    // A lone `-` is an argument, except to env, where it is -i.
    if (!arg.startsWith('-') || (arg === '-' && !isEnv)) return undefined;
    w.shift();
    if (arg.startsWith('--')) {
      const [name, ...value] = arg.split('=');
      if (longOption(name!, spec.commandOptions)) return [value.join('='), ...w.splice(0)].join(' ').trim();
      if (!value.length && longOption(name!, spec.long)) w.shift();
      continue;
    }
    // A cluster of short options: `-nu root`, `-uroot`, `-oL`.
    for (let k = 1; k < arg.length; k++) {
      const letter = arg[k]!;
      if (spec.commandOptions?.includes(`-${letter}`)) return [arg.slice(k + 1), ...w.splice(0)].join(' ').trim();
      if (spec.attachedOnly?.includes(letter)) break; // the rest of the cluster, if any, is its value
      if (spec.short?.includes(letter)) {
        if (k === arg.length - 1) w.shift(); // the value is the next word
        break; // else the rest of the cluster is the value
      }
    }
  }
  return undefined;
}

/**
 * The command a simple command really runs, its wrappers removed, and the scripts it hands to
 * a shell (`sh -c "…"`, `su -c "…"`, `eval …`, `env -S "…"`, `watch …`), to be checked as lines.
 */
export function unwrap(input: string[]): { words: string[]; scripts: string[] } {
  const w = input.filter((x) => x !== '');
  const scripts: string[] = [];
  for (;;) {
    while (w.length && ASSIGNMENT.test(w[0]!)) w.shift();
    if (!w.length) break;
    w[0] = program(w[0]!);
    const name = w[0];
    if (SHELLS.has(name)) {
      const c = w.findIndex((arg) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg));
      if (c !== -1) {
        scripts.push(w.slice(afterShellOptions(w, c)).join(' '));
        break;
      }
    }
    if (SWITCH_USER.has(name)) {
      // The last -c wins (`su -c true root -c reboot` runs reboot); runuser's ends at `--`,
      // after which come the command and its own options (`runuser -u root -- mkfs -Fc …`).
      // Without -c, su starts a shell (nothing to read on); runuser is then a wrapper, below.
      const end = name === 'runuser' && w.includes('--') ? w.indexOf('--') : w.length;
      const c = w.slice(0, end).findLastIndex((arg) => /^(?:-[a-zA-Z]*c|--command(?:=|$))/.test(arg));
      if (c !== -1) {
        // su takes the script attached too: `--command=…`, `-c'…'`, `-lc'…'`.
        const attached = w[c]!.replace(/^(?:--command=?|-[a-zA-Z]*?c)/, '');
        scripts.push([...(attached ? [attached] : []), ...w.slice(c + 1)].join(' '));
        break;
      }
    }
    const spec = WRAPPERS[name];
    if (!spec) break;
    // Only its own options count (`command -v rm`), not the command's (`command rm -rf / -v`).
    const ownOptions = w.slice(1, w.slice(1).findIndex((x) => !x.startsWith('-')) + 1 || undefined);
    if (spec.inert?.some((o) => ownOptions.includes(o))) break;
    w.shift();
    const script = dropOptions(w, spec, name === 'env');
    if (script !== undefined) scripts.push(script);
    if (spec.skipFirst && w.length > 1 && spec.skipFirst.test(w[0]!)) w.shift();
    if (spec.joins && w.length) scripts.push(w.join(' '));
  }
  return { words: w, scripts };
}

/**
 * A function that starts itself through a pipe or in the background: `:(){ :|:& };:` under any
 * name and spacing, with `function name { … }` too. Checked on the whole line, quotes removed.
 */
export function isForkBomb(line: string): boolean {
  const text = unquote(prepare(line));
  const definitions = [
    ...text.matchAll(/([^\s(){};|&<>]{1,64})\s*\(\s*\)\s*\{([^}]*)\}/g),
    ...text.matchAll(/\bfunction\s+([^\s(){};|&<>]{1,64})\s*(?:\(\s*\)\s*)?\{([^}]*)\}/g),
  ];
  return definitions.some(([, name, body]) => {
    const calls = body!.replace(/\s/g, '');
    const self = name!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?:^|[;|&{(])${self}(?:\\|(?!\\|)|&(?!&))`).test(calls);
  });
}

export type Verdict = { allowed: true } | { allowed: false; detail: string };

const quoted = (text: string) => `"${text.length > 200 ? `${text.slice(0, 199)}…` : text}"`;

/** The first deny rule a line breaks, in either reading, or null. */
function denied(line: string, deny: Rule[], depth: number): string | null {
  if (depth > MAX_DEPTH) return `Refused: the line nests shells more than ${MAX_DEPTH} deep to be checked.`;
  if (isForkBomb(line)) return 'Refused: the line defines a function that starts itself again and again (a fork bomb).';
  const readings = [...simpleCommands(line).map((s) => s.split(' ')), ...shellWords(line)];
  for (const words of readings) {
    const { words: runs, scripts } = unwrap(words);
    const normal = runs.join(' ').replace(/\s+/g, ' ').trim();
    const hit = deny.find((r) => r.pattern.test(normal));
    if (hit) return `Refused: ${quoted(words.join(' '))} is ${hit.label} (plugins.exec.deny).`;
    for (const script of scripts) {
      const nested = denied(script, deny, depth + 1);
      if (nested) return nested;
    }
  }
  return null;
}

/**
 * Whether `line` may run: no simple command of it, in either reading and inside any script it
 * hands to a shell, matches a deny rule; and with an allow-list, every simple command (as
 * text, quotes removed, wrappers kept) matches an allowed pattern (anchored by the caller).
 */
export function judge(line: string, rules: { deny: Rule[]; allow?: RegExp[] }): Verdict {
  const refusal = denied(line, rules.deny, 0);
  if (refusal) return { allowed: false, detail: refusal };
  if (rules.allow) {
    const allow = rules.allow;
    const outside = simpleCommands(line).find((segment) => !allow.some((p) => p.test(segment)));
    if (outside !== undefined) return { allowed: false, detail: `Refused: ${quoted(outside)} is not in plugins.exec.allow.` };
  }
  return { allowed: true };
}
