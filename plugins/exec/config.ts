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

/** plugins.exec: the guard rail and the limits of one-shot commands. */
export const execConfig = z
  .object({
    /** Commands refused, as regular expressions over each simple command (wrappers and quotes removed). */
    deny: z
      .array(z.union([regex, z.object({ pattern: regex, label: z.string().min(1).max(100) }).strict()]))
      .default(DEFAULT_DENY),
    /** When set, only commands matching one of these in full may run (deny still applies). */
    allow: z.array(regex).nullable().default(null),
    maxOutputKb: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024)
      .default(1024),
    defaultTimeoutSeconds: z.number().int().min(1).max(600).default(30),
    /** Offer the agent an `exec.run` tool (destructive: the user approves each call). */
    agentTool: z.boolean().default(false),
  })
  .strict();

export type ExecConfig = z.infer<typeof execConfig>;
