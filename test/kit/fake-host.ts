import type { Host, RunOptions, RunResult } from '../../core/index.ts';
import { coreErrors } from '../../core/errors.ts';

/** What the fake answers to one command: a result, or a function of the argv and options. */
export type FakeAnswer =
  Partial<RunResult> | ((argv: string[], opts: RunOptions) => Partial<RunResult> | Promise<Partial<RunResult>>);

export interface FakeHost extends Host {
  /** Every command run or streamed, in order, with its options. */
  readonly calls: { argv: string[]; opts: RunOptions }[];
  /** Files readFile and writeFile see, by absolute path. */
  readonly files: Map<string, Buffer>;
  /** Answers this command from now on (the argv joined by single spaces). */
  answer(command: string, answer: FakeAnswer): void;
  /** As if the connection to the server were made anew: what was learnt about it is stale. */
  reconnect(): void;
}

/**
 * A scripted Host for fast in-process plugin tests: each command is answered from a table
 * keyed by its argv joined with spaces; anything else exits 127 like a shell's "command not
 * found". Real hosts stay in the real-parts tests; this is for the inner loop.
 */
export function fakeHost(
  answers: Record<string, FakeAnswer> = {},
  opts: {
    id?: string;
    kind?: 'local' | 'ssh';
    files?: Record<string, string>;
    /** Folders that exist though nothing in `files` is in them (an empty folder). */
    dirs?: string[];
  } = {},
): FakeHost {
  const table = new Map(Object.entries(answers));
  const calls: FakeHost['calls'] = [];
  const files = new Map(Object.entries(opts.files ?? {}).map(([p, text]) => [p, Buffer.from(text)]));
  const dirs = new Set((opts.dirs ?? []).map((d) => d.replace(/\/+$/, '')));
  let epoch = 0;
  const id = opts.id ?? 'local';

  const run = async (argv: string[], runOpts: RunOptions = {}): Promise<RunResult> => {
    calls.push({ argv, opts: runOpts });
    if (runOpts.signal?.aborted) throw Object.assign(new Error('The command was aborted.'), { name: 'AbortError' });
    const found = table.get(argv.join(' '));
    if (!found) return { stdout: '', stderr: `${argv[0]}: command not found\n`, exitCode: 127, truncated: false };
    const result = typeof found === 'function' ? await found(argv, runOpts) : found;
    return { stdout: '', stderr: '', exitCode: 0, truncated: false, ...result };
  };

  return {
    id,
    kind: opts.kind ?? (id === 'local' ? 'local' : 'ssh'),
    get epoch() {
      return epoch;
    },
    calls,
    files,
    run,
    async stream(argv, streamOpts) {
      const { stdout, stderr, exitCode } = await run(argv, streamOpts);
      for (const line of stdout.split('\n').filter(Boolean)) streamOpts.onLine(line, 'stdout');
      for (const line of stderr.split('\n').filter(Boolean)) streamOpts.onLine(line, 'stderr');
      return { exitCode };
    },
    pty: () => Promise.reject(new Error('the fake host has no pty; test terminals against a real host')),
    dial: () => Promise.reject(new Error('the fake host has no byte streams; test them against a real host')),
    async readFile(filePath) {
      const data = files.get(filePath);
      if (!data) throw coreErrors.FILE_NOT_FOUND(`No such file: ${filePath}`);
      return data;
    },
    async readDir(dirPath) {
      const prefix = `${dirPath.replace(/\/+$/, '')}/`;
      // Files and empty folders under it alike name their first step below it.
      const names = [...files.keys(), ...dirs]
        .filter((f) => f.startsWith(prefix))
        .map((f) => f.slice(prefix.length).split('/')[0]!);
      if (!names.length && !dirs.has(prefix.slice(0, -1))) throw coreErrors.FILE_NOT_FOUND(`No such folder: ${dirPath}`);
      return [...new Set(names)];
    },
    async writeFile(filePath, data) {
      files.set(filePath, Buffer.from(data));
    },
    close: async () => undefined,
    answer: (command, answer) => void table.set(command, answer),
    reconnect: () => void epoch++,
  };
}
