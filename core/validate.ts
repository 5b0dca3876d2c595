import type { z } from 'zod';
import { coreErrors } from './errors.ts';

/**
 * What is wrong, in words: zod says only "Invalid key in record" of a bad key, and keeps what
 * the key's own schema said (its pattern's message) one level down.
 */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return `this key ${issue.issues.map((i) => i.message).join('; ')}`;
  return issue.message;
}

/** Parses input with a zod schema; a failure is a 400 VALIDATION_ERROR naming each field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: issueMessage(i) }));
  const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw coreErrors.VALIDATION_ERROR(`Invalid input: ${detail}`, { issues });
}

/**
 * Whether text holds a control character (newline, tab, NUL, DEL…). None belongs in a name, a
 * path or a value that ends up in a command line or a file, where a newline starts a line of its own.
 */
export function hasControlCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- finding them is the point
  return /[\u0000-\u001f\u007f]/.test(text);
}

/** Where a route's declared input schemas hang on its middleware, for the OpenAPI document. */
export const ROUTE_INPUT = Symbol('aura.routeInput');

export interface InputSchemas<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  /** One line saying what the route does, shown in the API reference. */
  summary?: string;
  body?: B;
  query?: Q;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * A route's input, declared once: the middleware parses the JSON body and the query string
 * with these schemas (400 VALIDATION_ERROR before the handler runs) and hands the handler the
 * result through `.body(ctx)` and `.query(ctx)`; GET /api/openapi.json publishes the same
 * schemas. Put it after the role guard, so that a viewer hears 403 before 400.
 */
export function routeInput<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  schemas: InputSchemas<B, Q>,
) {
  const parsed = new WeakMap<object, { body: unknown; query: unknown }>();
  const middleware = async (
    ctx: { request: { body?: unknown }; query: unknown },
    next: () => Promise<unknown>,
  ): Promise<void> => {
    parsed.set(ctx, {
      body: schemas.body ? validate(schemas.body, ctx.request.body ?? {}) : undefined,
      query: schemas.query ? validate(schemas.query, ctx.query) : undefined,
    });
    await next();
  };
  return Object.assign(middleware, {
    [ROUTE_INPUT]: schemas,
    body: (ctx: object) => parsed.get(ctx)?.body as Parsed<B>,
    query: (ctx: object) => parsed.get(ctx)?.query as Parsed<Q>,
  });
}
