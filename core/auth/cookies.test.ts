import type { IncomingMessage } from 'node:http';
import Keygrip from 'keygrip';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedCookies } from './cookies.ts';

const KEYS = ['cookie test key, not a real one'];
const requestWith = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;
const sign = (name: string, value: string, keys = KEYS) => new Keygrip(keys).sign(`${name}=${value}`);

describe('signed cookies', () => {
  const cookies = signedCookies(KEYS);
  let server: ReturnType<Koa['listen']>;
  let url = '';

  beforeAll(async () => {
    const app = new Koa({ keys: KEYS });
    app.use((ctx) => {
      cookies.write(ctx, 'aura_probe', 'v1');
      ctx.body = 'ok';
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/some/page`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('writes httpOnly, SameSite=Lax cookies for the whole site, with a signature', async () => {
    const set = (await fetch(url)).headers.getSetCookie();
    const value = set.find((c) => c.startsWith('aura_probe='))!;
    expect(value).toMatch(/^aura_probe=v1; path=\/; samesite=lax; httponly$/i);
    expect(set.find((c) => c.startsWith('aura_probe.sig='))).toMatch(/; path=\/; samesite=lax; httponly$/i);
  });

  it('reads back only a value whose signature our keys made', () => {
    const good = `aura_probe=v1; aura_probe.sig=${sign('aura_probe', 'v1')}`;
    expect(cookies.read(requestWith(good), 'aura_probe')).toBe('v1');
    // A changed value, a missing or foreign signature, a signature for another name: refused.
    expect(cookies.read(requestWith(`aura_probe=v2; aura_probe.sig=${sign('aura_probe', 'v1')}`), 'aura_probe')).toBeUndefined();
    expect(cookies.read(requestWith('aura_probe=v1'), 'aura_probe')).toBeUndefined();
    expect(
      cookies.read(requestWith(`aura_probe=v1; aura_probe.sig=${sign('aura_probe', 'v1', ['another key'])}`), 'aura_probe'),
    ).toBeUndefined();
    expect(cookies.read(requestWith(`aura_probe=v1; aura_probe.sig=${sign('other', 'v1')}`), 'aura_probe')).toBeUndefined();
    expect(cookies.read(requestWith(`aura_probe.sig=${sign('aura_probe', '')}`), 'aura_probe')).toBeUndefined();
    expect(cookies.read(requestWith(), 'aura_probe')).toBeUndefined();
  });
});
