import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AuraError } from './errors.ts';
import { hasControlCharacters, ROUTE_INPUT, routeInput, validate } from './validate.ts';

const caught = (f: () => unknown): AuraError => {
  try {
    f();
  } catch (e) {
    if (e instanceof AuraError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('validate', () => {
  const schema = z
    .object(
      { name: z.string().min(1, 'must not be empty'), tags: z.array(z.string({ error: 'must be text' })) },
      { error: 'must be an object' },
    )
    .strict();

  it('answers the parsed value, with what the schema made of it', () => {
    expect(validate(z.object({ n: z.coerce.number().default(5) }), {})).toEqual({ n: 5 });
    expect(validate(schema, { name: 'a', tags: [] })).toEqual({ name: 'a', tags: [] });
  });

  it('refuses with 400 VALIDATION_ERROR naming each field, and lists the issues', () => {
    const e = caught(() => validate(schema, { name: '', tags: ['x', 1] }));
    expect(e).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(e.message).toBe('Invalid input: name: must not be empty; tags.1: must be text');
    expect(e.extra).toEqual({
      issues: [
        { path: 'name', message: 'must not be empty' },
        { path: 'tags.1', message: 'must be text' },
      ],
    });
  });

  it('says what is wrong with the whole input without a path', () => {
    const e = caught(() => validate(schema, 'text'));
    expect(e.message).toBe('Invalid input: must be an object');
    expect(e.extra).toEqual({ issues: [{ path: '', message: 'must be an object' }] });
  });
});

describe('routeInput', () => {
  const input = routeInput({
    summary: 'Does a thing.',
    body: z.object({ n: z.number().default(1) }).strict(),
    query: z.object({ q: z.string().optional() }).strict(),
  });

  it('parses body and query before the handler runs, and hands the handler the result', async () => {
    const ctx = { request: { body: { n: 2 } }, query: { q: 'x' } };
    let seen: unknown;
    await input(ctx, async () => {
      seen = { body: input.body(ctx), query: input.query(ctx) };
    });
    expect(seen).toEqual({ body: { n: 2 }, query: { q: 'x' } });
  });

  it('reads a missing body as {}', async () => {
    const ctx = { request: {}, query: {} };
    await input(ctx, async () => {});
    expect(input.body(ctx)).toEqual({ n: 1 });
    expect(input.query(ctx)).toEqual({});
  });

  it('refuses bad input with 400 and never calls the handler', async () => {
    let called = false;
    const next = async () => {
      called = true;
    };
    await expect(input({ request: { body: { n: 'two' } }, query: {} }, next)).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: expect.stringMatching(/^Invalid input: n: /),
    });
    await expect(input({ request: { body: {} }, query: { extra: '1' } }, next)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    expect(called).toBe(false);
  });

  it('parses nothing it was not given a schema for', async () => {
    const none = routeInput({});
    const ctx = { request: { body: 'not an object' }, query: 'not one either' };
    let called = false;
    await none(ctx, async () => {
      called = true;
    });
    expect(called).toBe(true);
    expect(none.body(ctx)).toBeUndefined();
    expect(none.query(ctx)).toBeUndefined();
  });

  it('answers undefined for a request it did not parse', () => {
    expect(input.body({})).toBeUndefined();
    expect(input.query({})).toBeUndefined();
  });

  it('publishes its schemas for the OpenAPI document', () => {
    const schemas = { summary: 'S.', body: z.object({}) };
    expect(routeInput(schemas)[ROUTE_INPUT]).toBe(schemas);
  });
});

describe('hasControlCharacters', () => {
  it('finds C0 controls and DEL anywhere, and nothing else', () => {
    for (const c of ['\u0000', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f'])
      expect([c, hasControlCharacters(`/srv/a${c}b`)]).toEqual([c, true]);
    for (const text of ['', '/srv/app', 'ü é ✓', ' ~!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', '\u0080\u00a0'])
      expect([text, hasControlCharacters(text)]).toEqual([text, false]);
  });
});

describe('issueMessage', () => {
  it("says what a record's key must be, not only that it is invalid", () => {
    const schema = z.object({ params: z.record(z.string().regex(/^[a-z]+$/, 'must be lowercase letters'), z.string()) });
    expect(() => validate(schema, { params: { ok: 'x', 'Bad-1': 'y' } })).toThrow(
      expect.objectContaining({ extra: { issues: [{ path: 'params.Bad-1', message: 'this key must be lowercase letters' }] } }),
    );
  });
});
