/**
 * The guard rail in front of `sh -c`: a line is split into its simple commands, each stripped
 * of quotes, paths and the wrappers that run another command (`sudo`, `env`, `nohup`, `sh -c
 * "…"`), then held against the deny rules, and in allow-list mode against the allowed ones.
 * It stops accidents and careless copy-paste, not a determined admin (who has the terminal).
 */
export interface Rule {
  pattern: RegExp;
  /** What the rule stops, for the refusal's detail. */
  label: string;
}

export const DEFAULT_DENY: { pattern: string; label: string }[] = [
  {
    label: 'a recursive rm of /',
    pattern: String.raw`^rm\s(?=(?:.*\s)?(?:-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)(?:\s|$))(?=(?:.*\s)?/+\.?\*?(?:\s|$))`,
  },
  { label: 'making a file system', pattern: String.raw`^(?:mkfs(?:\.\w+)?|mke2fs|mkswap)(?:\s|$)` },
  { label: 'dd onto a device', pattern: String.raw`^dd\s(?:.*\s)?of=/dev/` },
  { label: 'shutting the server down', pattern: String.raw`^(?:shutdown|reboot|halt|poweroff)(?:\s|$)` },
  {
    label: 'shutting the server down',
    pattern: String.raw`^systemctl\s(?:.*\s)?(?:poweroff|reboot|halt|kexec)(?:\s|$)`,
  },
  { label: 'shutting the server down', pattern: String.raw`^(?:init|telinit)\s+[06](?:\s|$)` },
];

/** `name(){ name|name& };name` with any name, checked against the whole line without spaces. */
const FORK_BOMB = /([\w:.-]+)\(\)\{\1\|\1&\};?\1/;

/** Programs that run the rest of their arguments as a command, and their options taking a value. */
const WRAPPERS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '-S']),
  nice: new Set(['-n']),
  ionice: new Set(['-c', '-n', '-p']),
  timeout: new Set(['-s', '-k']),
  nohup: new Set(),
  time: new Set(),
  command: new Set(),
  exec: new Set(),
  eval: new Set(),
  builtin: new Set(),
  setsid: new Set(),
  stdbuf: new Set(),
};
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Quotes and backslashes go: `r""m`, `'rm'` and `r\m` are all rm. Whitespace becomes one space. */
const unquote = (text: string) => text.replace(/["'\\]/g, '').replace(/\s+/g, ' ');

/** The simple commands of a line: split at `;`, `&&`, `||`, `|`, `&`, newlines, `$(`, backticks, ( ) { }. */
export function simpleCommands(line: string): string[] {
  return unquote(line.replace(/\n/g, ';'))
    .split(/\|\||&&|\$\(|[;|&`(){}]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The words after the wrappers; a shell's `-c` script is returned as commands of its own. */
function unwrap(words: string[]): { words: string[]; inner?: string } {
  const w = [...words];
  for (;;) {
    while (w.length && ASSIGNMENT.test(w[0]!)) w.shift();
    if (!w.length) return { words: w };
    w[0] = w[0]!.replace(/^.*\//, '');
    const program = w[0];
    if (SHELLS.has(program)) {
      const c = w.findIndex((arg, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(arg));
      if (c > 0) return { words: w, inner: w.slice(c + 1).join(' ') };
      return { words: w };
    }
    const takesValue = WRAPPERS[program];
    if (!takesValue) return { words: w };
    w.shift();
    while (w.length && (w[0]!.startsWith('-') || (program === 'env' && ASSIGNMENT.test(w[0]!)))) {
      const option = w.shift()!;
      if (option === '--') break;
      if (takesValue.has(option)) w.shift();
    }
    // timeout's and nice's first plain argument (a duration, an adjustment) is not the command.
    if ((program === 'timeout' || (program === 'nice' && /^-?\d+$/.test(w[0] ?? ''))) && w.length > 1) w.shift();
  }
}

export type Verdict = { allowed: true } | { allowed: false; detail: string };

/** Whether `line` may run under the deny rules and, when given, the allow-list. */
export function judge(line: string, rules: { deny: Rule[]; allow?: RegExp[] }, depth = 0): Verdict {
  if (depth === 0 && FORK_BOMB.test(unquote(line).replace(/\s/g, '')))
    return { allowed: false, detail: 'It looks like a fork bomb.' };
  for (const segment of simpleCommands(line)) {
    if (rules.allow && depth === 0 && !rules.allow.some((p) => p.test(segment)))
      return { allowed: false, detail: `"${segment.slice(0, 200)}" is not in plugins.exec.allow.` };
    const { words, inner } = unwrap(segment.split(' '));
    const normal = words.join(' ');
    const hit = rules.deny.find((r) => r.pattern.test(normal));
    if (hit) return { allowed: false, detail: `Refused: "${segment.slice(0, 200)}" is ${hit.label} (plugins.exec.deny).` };
    if (inner && depth < 5) {
      const nested = judge(inner, { deny: rules.deny }, depth + 1);
      if (!nested.allowed) return nested;
    }
  }
  return { allowed: true };
}
