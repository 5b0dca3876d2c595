import { describe, expect, it } from 'vitest';
import { loginThrottle, MAX_KEYS } from './throttle.ts';

const WINDOW_MS = 15 * 60_000;

describe('the sign-in throttle', () => {
  it('counts an account name however it is cased or padded', () => {
    const throttle = loginThrottle({ failuresPerAccount: 2, failuresPerIp: 100, windowMinutes: 15 }, () => 0);
    expect(throttle.attempt('10.0.0.1', 'admin')).toBe(0);
    expect(throttle.attempt('10.0.0.1', ' Admin ')).toBe(0);
    expect(throttle.attempt('10.0.0.1', 'ADMIN')).toBe(1);
    // Another name from the same address is its own account counter.
    expect(throttle.attempt('10.0.0.1', 'alice')).toBe(0);
  });

  it('forgets counters two windows after their last attempt', () => {
    let now = 0;
    const throttle = loginThrottle({ failuresPerAccount: 5, failuresPerIp: 20, windowMinutes: 15 }, () => now);
    for (let i = 0; i < 10; i++) throttle.attempt(`10.0.0.${i}`, 'admin');
    expect(throttle.size()).toBe(20);
    now += 2 * WINDOW_MS - 1;
    throttle.attempt('10.0.1.1', 'admin');
    expect(throttle.size()).toBe(22);
    now += 1;
    throttle.attempt('10.0.1.2', 'admin');
    // The first ten addresses' counters are gone; the newer two addresses' are kept.
    expect(throttle.size()).toBe(4);
  });

  it("keeps at most MAX_KEYS counters (and one attempt's two) under a flood of addresses", () => {
    const throttle = loginThrottle({ failuresPerAccount: 5, failuresPerIp: 20, windowMinutes: 15 }, () => 0);
    for (let i = 0; i < MAX_KEYS; i++) throttle.attempt(`flood-${i}`, 'admin');
    expect(throttle.size()).toBeLessThanOrEqual(MAX_KEYS + 2);
    expect(throttle.size()).toBeGreaterThan(MAX_KEYS - 2);
  });
});
