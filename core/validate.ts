import type { z } from 'zod';
import { coreErrors } from './errors.ts';

/** Parses input with a zod schema; a failure is a 400 VALIDATION_ERROR naming each field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw coreErrors.VALIDATION_ERROR(`Invalid input: ${detail}`, { issues });
}
