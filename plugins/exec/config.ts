import { z } from 'zod';
import { DEFAULT_DENY } from './guard.ts';

const regex = z.string().refine((p) => {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/** The longest a command may run, whatever the settings say. */
export const TIMEOUT_CEILING_SECONDS = 600;

/** plugins.exec: the guard rail and the limits of one-shot commands. */
export const execConfig = z
  .object({
    /**
     * Commands refused: regular expressions over each simple command, normalised (quotes,
     * paths and wrappers removed); or { pattern, label } to name the rule in the refusal.
     */
    deny: z
      .array(z.union([regex, z.object({ pattern: regex, label: z.string().min(1).max(100) }).strict()]))
      .default(DEFAULT_DENY),
    /** When set, only lines whose every simple command matches one of these in full may run (deny still applies). */
    allow: z.array(regex).nullable().default(null),
    /** Output kept per stream, in KiB; the rest is read and dropped (`truncated`). */
    maxOutputKb: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024)
      .default(1024),
    defaultTimeoutSeconds: z.number().int().min(1).max(TIMEOUT_CEILING_SECONDS).default(30),
    /** The longest `timeoutSeconds` a request may ask for. */
    maxTimeoutSeconds: z.number().int().min(1).max(TIMEOUT_CEILING_SECONDS).default(TIMEOUT_CEILING_SECONDS),
    /** Offer the agent an `exec.run` tool (destructive: the user approves each call). */
    agentTool: z.boolean().default(false),
  })
  .strict()
  .refine((c) => c.defaultTimeoutSeconds <= c.maxTimeoutSeconds, {
    message: 'defaultTimeoutSeconds must not exceed maxTimeoutSeconds',
    path: ['defaultTimeoutSeconds'],
  });

export type ExecConfig = z.infer<typeof execConfig>;
