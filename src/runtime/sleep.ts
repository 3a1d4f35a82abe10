import type { Clock } from './api.js';

/**
 * Waits `ms` on `clock`, or until `signal` aborts (then rejects). The abort listener is removed
 * when the timer fires, so long-lived loops do not pile listeners up on one signal.
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = () => {
      timer.cancel();
      reject(new Error('aborted'));
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
