import { abortError } from './output.ts';

/**
 * At most `size` holders at once; the rest wait in order. A waiter whose signal aborts
 * leaves the queue at once (p-limit cannot drop a queued task), so a timeout is a timeout
 * even for a command that never got a slot.
 */
export function slots(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  const once = () => {
    let done = false;
    return () => {
      if (!done) release();
      done = true;
    };
  };
  return {
    acquire(signal: AbortSignal): Promise<() => void> {
      if (signal.aborted) return Promise.reject(abortError());
      if (free > 0) {
        free--;
        return Promise.resolve(once());
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal.removeEventListener('abort', onAbort);
          resolve(once());
        };
        const onAbort = () => {
          waiting.splice(waiting.indexOf(grant), 1);
          reject(abortError());
        };
        waiting.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
