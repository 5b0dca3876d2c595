import type { z } from 'zod';
import { toErrorBody } from './errors.ts';
import { validate } from './validate.ts';

/**
 * A socket event listener that answers like an HTTP route: the payload is checked with a
 * zod schema, and the acknowledgement carries the result, or `{detail, code}` on failure.
 */
export function socketHandler<S extends z.ZodType>(schema: S, handle: (input: z.output<S>) => unknown | Promise<unknown>) {
  return async (...args: unknown[]): Promise<void> => {
    // emit('event', ack) sends no payload: the acknowledgement comes first.
    const [payload, ack] = typeof args[0] === 'function' ? [undefined, args[0]] : args;
    const reply = typeof ack === 'function' ? (ack as (body: unknown) => void) : () => undefined;
    try {
      reply(await handle(validate(schema, payload)));
    } catch (err) {
      reply(toErrorBody(err).body);
    }
  };
}
