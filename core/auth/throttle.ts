import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AuthConfig } from '../config.ts';
import { AuraError } from '../errors.ts';

/**
 * Failed sign-ins are counted per client address and per account name; past either limit
 * the login answers 429 until the window has passed, whatever the password.
 */
export function loginThrottle(config: AuthConfig['throttle']) {
  const duration = config.windowMinutes * 60;
  const byIp = new RateLimiterMemory({ keyPrefix: 'ip', points: config.failuresPerIp, duration });
  const byAccount = new RateLimiterMemory({ keyPrefix: 'account', points: config.failuresPerAccount, duration });
  const account = (name: string) => name.trim().toLowerCase();

  return {
    async check(ip: string, name: string): Promise<void> {
      const counts = [
        { res: await byIp.get(ip), max: config.failuresPerIp },
        { res: await byAccount.get(account(name)), max: config.failuresPerAccount },
      ];
      const over = counts.filter((c) => c.res && c.res.consumedPoints >= c.max);
      if (!over.length) return;
      const seconds = Math.ceil(Math.max(...over.map((c) => c.res!.msBeforeNext)) / 1000);
      throw new AuraError(429, 'TOO_MANY_ATTEMPTS', `Too many failed sign-ins; try again in ${seconds} s.`, {
        retryAfter: seconds,
      });
    },
    async failed(ip: string, name: string): Promise<void> {
      await Promise.all([byIp.penalty(ip, 1), byAccount.penalty(account(name), 1)]);
    },
    async succeeded(name: string): Promise<void> {
      await byAccount.delete(account(name));
    },
  };
}
