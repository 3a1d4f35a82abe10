/**
 * Time sources implementing the controller API's `Clock` (client-go's `clock.Clock`, injected
 * "for testing purposes"). Production code takes a `Clock` and never calls `Date.now` or the
 * global `setTimeout` itself, so tests can swap in `FakeClock` and skip every delay.
 */
import type { Clock } from './api.js';

/** Node clamps longer delays to 1 ms (TimeoutOverflowWarning), so longer waits are chained. */
const MAX_NODE_DELAY_MS = 2 ** 31 - 1;

/**
 * Wall-clock time. Timers are `unref()`ed: a pending retry or requeue never keeps the process
 * alive on its own. Negative or NaN delays fire as soon as possible.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    let handle: NodeJS.Timeout | undefined;
    const schedule = (remaining: number): void => {
      const step = Math.min(remaining, MAX_NODE_DELAY_MS);
      handle = setTimeout(() => (remaining > step ? schedule(remaining - step) : fn()), step);
      handle.unref();
    };
    schedule(ms > 0 ? ms : 0);
    return { cancel: () => clearTimeout(handle) };
  },
};

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A manual clock for tests: time moves only through `advance`. Timers fire synchronously inside
 * `advance`, in due-time order (ties in scheduling order), and `now()` reads each timer's due time
 * while it runs. A timer scheduled by a firing callback fires in the same `advance` if it falls
 * inside the window; timers scheduled from promise continuations are only seen by a later call.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Set<FakeTimer>();

  /** @param startMs the initial value of `now()`. */
  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Schedules `fn` at `now() + ms`; negative or NaN delays are due immediately (next `advance`). */
  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer: FakeTimer = { at: this.current + (ms > 0 ? ms : 0), seq: this.seq++, fn };
    this.timers.add(timer);
    return { cancel: () => void this.timers.delete(timer) };
  }

  /** Moves time forward by `ms` (≥ 0), firing every timer due on the way; `advance(0)` fires timers already due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: ms must be >= 0, got ${ms}`);
    const target = this.current + ms;
    for (let timer = this.earliest(); timer && timer.at <= target; timer = this.earliest()) {
      this.timers.delete(timer);
      this.current = timer.at;
      timer.fn();
    }
    this.current = target;
  }

  /** How many timers are scheduled and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** The due time of the earliest pending timer, or `undefined` when none is pending. */
  nextTimerAt(): number | undefined {
    return this.earliest()?.at;
  }

  private earliest(): FakeTimer | undefined {
    let first: FakeTimer | undefined;
    for (const t of this.timers) {
      if (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq)) first = t;
    }
    return first;
  }
}
