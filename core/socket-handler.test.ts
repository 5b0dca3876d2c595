import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuraError } from './errors.ts';
import { socketHandler } from './socket-handler.ts';

describe('socketHandler', () => {
  const handler = socketHandler(z.object({ n: z.number() }), ({ n }) => {
    if (n < 0) throw new AuraError(409, 'NEGATIVE', 'No negatives.');
    if (n === 0) throw new Error('secret internals');
    return { doubled: n * 2 };
  });
  const call = (payload: unknown) => new Promise((resolve) => void handler(payload, resolve));

  it('acknowledges with the result, or with {detail, code} like an HTTP error', async () => {
    expect(await call({ n: 2 })).toEqual({ doubled: 4 });
    expect(await call({ n: '2' })).toMatchObject({ code: 'VALIDATION_ERROR', issues: [{ path: 'n' }] });
    expect(await call(null)).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await call({ n: -1 })).toEqual({ detail: 'No negatives.', code: 'NEGATIVE' });
    expect(await call({ n: 0 })).toEqual({ detail: 'Internal error; see the server log.', code: 'INTERNAL' });
  });

  it('takes an event sent without a payload: the acknowledgement comes first', async () => {
    const optional = socketHandler(z.object({ n: z.number() }).optional(), (input) => ({ got: input ?? null }));
    expect(await new Promise((resolve) => void optional(resolve))).toEqual({ got: null });
    expect(await new Promise((resolve) => void handler(resolve))).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('does not throw when the client asked for no acknowledgement', async () => {
    await expect(handler({ n: 'x' })).resolves.toBeUndefined();
  });
});
