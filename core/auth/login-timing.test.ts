import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, startTestAura, type TestAura } from '../../test/harness/aura.ts';
import { verifyPassword } from '../secrets.ts';

// The real verifyPassword, watched: which hash each sign-in checks the password against.
vi.mock(import('../secrets.ts'), async (importOriginal) => {
  const real = await importOriginal();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});

/** What the cost of checking a password against a stored hash depends on: scheme, salt and key lengths. */
const shape = (stored: string) => stored.split('$').map((part, i) => (i === 0 ? part : Buffer.from(part, 'base64').length));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('a wrong username and a wrong password', () => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startTestAura({ auth: { throttle: { failuresPerAccount: 1000, failuresPerIp: 1000, windowMinutes: 15 } } });
  });
  afterAll(() => t?.close());

  const attempt = (username: string, password: string) =>
    t.request('/auth/login', { method: 'POST', json: { username, password } });

  it('both run scrypt once, against a hash of the same shape', async () => {
    const verify = vi.mocked(verifyPassword);
    verify.mockClear();
    expect((await attempt('nobody', ADMIN.password)).status).toBe(401);
    expect((await attempt(ADMIN.username, 'wrong')).status).toBe(401);
    expect((await attempt('x'.repeat(200), 'wrong')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(3);
    const [wrongUser, wrongPassword, longUser] = verify.mock.calls.map(([, stored]) => stored);
    expect(shape(wrongPassword!)).toEqual(['scrypt', 16, 32]);
    expect(shape(wrongUser!)).toEqual(shape(wrongPassword!));
    expect(shape(longUser!)).toEqual(shape(wrongPassword!));
    // The right password with a wrong username was checked against a decoy, which nothing matches.
    expect(wrongUser).not.toBe(wrongPassword);
    expect(await verify.mock.results[0]!.value).toBe(false);
  });

  // Loose on purpose, for a loaded machine: interleaved pairs share whatever load there is, and
  // the old leak was a factor of ten (about 4 ms against 44 ms), far outside these bounds.
  it('take about as long over HTTP', async () => {
    const timed = async (username: string, password: string) => {
      const started = performance.now();
      await (await attempt(username, password)).arrayBuffer();
      return performance.now() - started;
    };
    const wrongUser: number[] = [];
    const wrongPassword: number[] = [];
    for (let i = 0; i < 15; i++) {
      wrongUser.push(await timed(`nobody${i}`, 'x'));
      wrongPassword.push(await timed(ADMIN.username, `x${i}`));
    }
    const ratio = median(wrongUser) / median(wrongPassword);
    expect(ratio, `medians ${median(wrongUser)} ms and ${median(wrongPassword)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
