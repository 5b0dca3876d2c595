import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthConfig } from '../config.ts';
import { coreErrors } from '../errors.ts';

/**
 * Sign-in attempts are counted per client address and per account name before the password
 * is checked, so parallel guesses cannot slip past the limit; a success gives its point back.
 * Past either limit the login answers 429 until the window has passed, whatever the password.
 */
export function loginThrottle(config: AuthConfig['throttle']) {
  const duration = config.windowMinutes * 60;
  const byIp = new RateLimiterMemory({ keyPrefix: 'ip', points: config.failuresPerIp, duration });
  const byAccount = new RateLimiterMemory({ keyPrefix: 'account', points: config.failuresPerAccount, duration });
  const account = (name: string) => name.trim().toLowerCase();

  return {
    /** Takes a point from both counters; throws 429 when either is used up. */
    async attempt(ip: string, name: string): Promise<void> {
      const results = await Promise.allSettled([byIp.consume(ip), byAccount.consume(account(name))]);
      const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as unknown);
      if (!refused.length) return;
      const waits = refused.map((r) => (r instanceof RateLimiterRes ? r.msBeforeNext : duration * 1000));
      const seconds = Math.ceil(Math.max(...waits) / 1000);
      throw coreErrors.TOO_MANY_ATTEMPTS(`Too many failed sign-ins; try again in ${seconds} s.`, {
        retryAfter: seconds,
      });
    },
    async succeeded(ip: string, name: string): Promise<void> {
      await Promise.all([byIp.reward(ip, 1), byAccount.delete(account(name))]);
    },
  };
}
