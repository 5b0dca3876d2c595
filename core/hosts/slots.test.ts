import { describe, expect, it } from 'vitest';
import { slots } from './slots.ts';

describe('slots', () => {
  it('lets `size` holders in, queues the rest in order, and drops an aborted waiter', async () => {
    const pool = slots(1);
    const never = new AbortController().signal;
    const first = await pool.acquire(never);
    const order: string[] = [];
    const aborted = new AbortController();
    const second = pool.acquire(aborted.signal).then(
      () => order.push('second'),
      () => order.push('second aborted'),
    );
    const third = pool.acquire(never).then((release) => {
      order.push('third');
      return release;
    });
    aborted.abort();
    await second;
    first();
    first(); // releasing twice frees one slot only
    const releaseThird = await third;
    expect(order).toEqual(['second aborted', 'third']);
    let fourth = false;
    const pending = pool.acquire(never).then(() => (fourth = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fourth).toBe(false);
    releaseThird();
    await pending;
    expect(fourth).toBe(true);
  });
});
