import { z } from 'zod';
import { hasControlCharacters } from '../../core/index.ts';

/** `{name}` as a whole argv element: where a parameter's value goes. */
export const PLACEHOLDER = /^\{([a-zA-Z][a-zA-Z0-9_]{0,31})\}$/;
/** `{name}` inside a longer element: refused, a value never becomes part of a word. */
const EMBEDDED = /\{[a-zA-Z][a-zA-Z0-9_]{0,31}\}/;
export const TOOL_ID = /^[a-z][a-z0-9-]{0,39}$/;
const PARAM_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,31}$/;
/** The longest a tool may run, whatever the settings say. */
export const TIMEOUT_CEILING_SECONDS = 600;

const isRegex = (p: string) => {
  try {
    anchored(p);
    return true;
  } catch {
    return false;
  }
};
const regex = z.string().min(1).max(500).refine(isRegex, 'must be a valid regular expression');

const param = z
  .object({
    /** Matched against the whole value (it is anchored for you). */
    pattern: regex,
    /** Used when the caller gives none; without one the parameter is required. */
    default: z.string().max(1024).optional(),
    description: z.string().max(300).optional(),
    /**
     * Values starting with `-` are refused unless this is true: a program reads them as
     * options (`--help`, `--output=/etc/passwd`), whatever the pattern meant.
     */
    allowLeadingDash: z.boolean().default(false),
  })
  .strict();

const tool = z
  .object({
    id: z.string().regex(TOOL_ID, 'must be lowercase letters, digits and dashes, starting with a letter'),
    title: z.string().min(1).max(80),
    description: z.string().min(1).max(1000),
    /** The program and its arguments; `{name}` as a whole element is the parameter's value. */
    argv: z.array(z.string().min(1).max(4096)).min(1).max(100),
    params: z.record(z.string().regex(PARAM_NAME, 'must be a letter then letters, digits or _'), param).default({}),
    /** Servers it is offered on (ids from `servers:`); every server when left out. */
    servers: z.array(z.string().min(1)).min(1).optional(),
    /** Changes nothing: viewers may run it and the agent needs no approval. */
    readOnly: z.boolean().default(false),
    timeoutSeconds: z.number().int().min(1).max(TIMEOUT_CEILING_SECONDS).default(30),
    /** Runs as root through `sudo -n` on servers whose user is not root. */
    sudo: z.boolean().default(false),
  })
  .strict()
  .superRefine((t, ctx) => {
    const used = new Set<string>();
    t.argv.forEach((element, i) => {
      const name = PLACEHOLDER.exec(element)?.[1];
      if (name === undefined) {
        if (EMBEDDED.test(element))
          ctx.addIssue({
            code: 'custom',
            path: ['argv', i],
            message: `a parameter must be a whole argv element ("{name}"), never part of one: ${element}`,
          });
        return;
      }
      if (i === 0) ctx.addIssue({ code: 'custom', path: ['argv', 0], message: 'the program must be fixed, not a parameter' });
      if (!(name in t.params)) ctx.addIssue({ code: 'custom', path: ['argv', i], message: `no parameter "${name}" in params` });
      used.add(name);
    });
    for (const [name, p] of Object.entries(t.params)) {
      if (!used.has(name)) ctx.addIssue({ code: 'custom', path: ['params', name], message: 'is not used in argv' });
      const problem = p.default === undefined || !isRegex(p.pattern) ? null : valueProblem(p.default, p);
      if (problem) ctx.addIssue({ code: 'custom', path: ['params', name, 'default'], message: problem });
    }
  });

/** plugins.commands: tools made of configuration alone. */
export const commandsConfig = z
  .object({
    tools: z.array(tool).default([]),
    /** Output kept per stream, in KiB; the rest is read and dropped (`truncated`). */
    maxOutputKb: z
      .number()
      .int()
      .min(1)
      .max(16 * 1024)
      .default(256),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.tools.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tools', i, 'id'], message: `"${t.id}" is used twice` });
      seen.add(t.id);
    });
  });

export type CommandsConfig = z.infer<typeof commandsConfig>;
export type CommandTool = CommandsConfig['tools'][number];
export type ParamSpec = CommandTool['params'][string];

/** Anchored, so a pattern like `[a-z]+` cannot match a part of `ok; rm -rf /`. */
export const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);

/** Why a value may not fill a parameter, or null. Control characters never may. */
export function valueProblem(value: string, spec: ParamSpec): string | null {
  if (hasControlCharacters(value)) return 'must not contain control characters (newlines, tabs, NUL)';
  if (value.startsWith('-') && !spec.allowLeadingDash) return 'must not start with "-" (it would be read as an option)';
  if (!anchored(spec.pattern).test(value)) return `must match ${spec.pattern}`;
  return null;
}
