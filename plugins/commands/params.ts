import { z } from 'zod';
import { shellQuote } from '../../core/index.ts';
import { anchored, PLACEHOLDER, valueProblem, type CommandTool } from './config.ts';

/**
 * What a tool takes: one string per parameter, checked against its pattern and the rules every
 * value obeys. The route and the agent tool share it, so the agent sees the same JSON schema
 * (with the patterns) that the route enforces.
 */
export function paramsSchema(tool: CommandTool) {
  const shape: Record<string, z.ZodType<string, string | undefined>> = {};
  for (const [name, spec] of Object.entries(tool.params)) {
    const pattern = anchored(spec.pattern);
    let value: z.ZodType<string, string> = z
      .string()
      .max(1024)
      .regex(pattern, `must match ${spec.pattern}`)
      .superRefine((v, ctx) => {
        // One message per value: the pattern's, when it fails, already said no.
        const problem = pattern.test(v) ? valueProblem(v, spec) : null;
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      });
    if (spec.description) value = value.describe(spec.description);
    shape[name] = spec.default === undefined ? value : value.default(spec.default);
  }
  return z.object(shape).strict();
}

/** The argv to run: each `{name}` element replaced by its value, whole. */
export function fillArgv(tool: CommandTool, values: Record<string, string>): string[] {
  return tool.argv.map((element) => {
    const name = PLACEHOLDER.exec(element)?.[1];
    return name === undefined ? element : values[name]!;
  });
}

/** An argv as a person reads it (the panel, the audit): words quoted only where they need it. */
export const commandLine = (argv: string[]) => argv.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : shellQuote(a))).join(' ');
