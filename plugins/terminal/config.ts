import { z } from 'zod';

const shortcut = z
  .object({
    label: z.string().trim().min(1).max(40),
    /** Typed into the active terminal, then Enter. */
    command: z
      .string()
      .min(1)
      .max(1000)
      .refine((c) => !/[\r\n\0]/.test(c), 'one line, without control characters'),
  })
  .strict();

/** plugins.terminal: how long sessions outlive their page, and what they keep. */
export const terminalConfig = z
  .object({
    /** A session whose page went away (a reload, a dropped link) lives on this long, reattachable. */
    detachMinutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .default(10),
    /** Output kept per session and replayed on attach, in KiB. */
    scrollbackKb: z
      .number()
      .int()
      .min(16)
      .max(16 * 1024)
      .default(256),
    maxSessionsPerUser: z.number().int().min(1).max(100).default(5),
    /** Buttons that type their command into the active terminal. */
    shortcuts: z.array(shortcut).max(30).default([]),
    /** Records every session's output as an asciicast v2 file in the plugin's data dir. */
    record: z.boolean().default(false),
  })
  .strict();

export type TerminalConfig = z.infer<typeof terminalConfig>;
