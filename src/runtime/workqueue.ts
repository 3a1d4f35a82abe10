/**
 * client-go's rate-limited delaying work queue (util/workqueue: queue.go, delaying_queue.go,
 * rate_limiting_queue.go, default_rate_limiters.go), reduced to string keys on one event loop.
 *
 * Invariants:
 * - Stingy: a key is in `queue` at most once; N `add`s before it is handed out mean one `get`.
 * - Exclusive: a key handed out by `get` is never handed out again until `done(key)`; an `add`
 *   meanwhile parks it in `dirty` and `done` puts it back at the tail, exactly once.
 * - Fair: keys are handed out in the order they became ready (FIFO), waiting getters likewise.
 * - All delays go through the injected `Clock`, so a `FakeClock` controls every timer.
 * - Shutdown: `add*` become no-ops, delayed keys are dropped, and `get` keeps handing out keys
 *   already queued (and ones `done` re-queues) before resolving `undefined`: workers drain, then exit.
 */
import type { Clock } from './api.js';
import { realClock } from './clock.js';

/**
 * Decides how long a failing key waits before its next try (client-go's `TypedRateLimiter`).
 * `when` records a failure and returns the delay in ms; `forget` clears a key's failures
 * ("Remember to call Forget!", or failures are tracked forever); `numRequeues` counts them.
 */
export interface RateLimiter {
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

function requirePositive(value: number, what: string): void {
  if (!(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${what} must be a positive finite number, got ${value}`);
}

/** Per-key `baseMs · 2^failures`, capped at `maxMs` (ItemExponentialFailureRateLimiter). */
export class ExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {
    requirePositive(baseMs, 'baseMs');
    requirePositive(maxMs, 'maxMs');
    if (maxMs < baseMs) throw new RangeError(`maxMs (${maxMs}) must be >= baseMs (${baseMs})`);
  }

  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    // 2 ** exp reaches Infinity rather than overflowing, so min() caps it safely.
    return Math.min(this.baseMs * 2 ** exp, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * One token bucket shared by all keys (BucketRateLimiter over golang.org/x/time/rate): starts
 * full with `burst` tokens, refills at `qps`; every `when` reserves a token, and once the bucket
 * is empty the reservations queue up, each `1000/qps` ms after the previous one. Tracks no keys.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    requirePositive(qps, 'qps');
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be an integer >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    const elapsedMs = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.qps) / 1000) - 1;
    return this.tokens < 0 ? (-this.tokens * 1000) / this.qps : 0;
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The slowest of several limiters wins (MaxOfRateLimiter); `forget` reaches all of them. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(key)));
  }
}

/** client-go's DefaultControllerRateLimiter: max(per-key 5 ms·2^n ≤ 1000 s, bucket 10 qps burst 100). */
export function defaultControllerRateLimiter(clock: Clock = realClock): RateLimiter {
  return new MaxOfRateLimiter(
    new ExponentialFailureRateLimiter(5, 1_000_000),
    new TokenBucketRateLimiter(10, 100, clock),
  );
}

/** Options for `WorkQueue` (client-go's TypedRateLimitingQueueConfig); every field is optional. */
export interface WorkQueueConfig {
  /** Time source for `addAfter` and the default limiter's bucket. Default `realClock`. */
  clock?: Clock;
  /** Default `defaultControllerRateLimiter(clock)`. */
  rateLimiter?: RateLimiter;
  /** For logs and errors. Default `'workqueue'`. */
  name?: string;
}

interface ResolvedConfig {
  clock: Clock;
  rateLimiter: RateLimiter;
  name: string;
}

function resolveConfig(config: WorkQueueConfig): ResolvedConfig {
  const clock = config.clock ?? realClock;
  if (typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function')
    throw new TypeError('WorkQueue: clock must implement now() and setTimeout()');
  const rateLimiter = config.rateLimiter ?? defaultControllerRateLimiter(clock);
  if (
    typeof rateLimiter.when !== 'function' ||
    typeof rateLimiter.forget !== 'function' ||
    typeof rateLimiter.numRequeues !== 'function'
  ) {
    throw new TypeError('WorkQueue: rateLimiter must implement when(), forget() and numRequeues()');
  }
  const name = config.name ?? 'workqueue';
  if (name === '') throw new TypeError('WorkQueue: name must not be empty');
  return { clock, rateLimiter, name };
}

interface Waiting {
  readyAt: number;
  timer: { cancel(): void };
}

/**
 * The controller work queue. Typical worker loop:
 *
 * ```ts
 * for (let key = await q.get(); key !== undefined; key = await q.get()) {
 *   try { await reconcile(key); q.forget(key); } catch { q.addRateLimited(key); } finally { q.done(key); }
 * }
 * ```
 *
 * Observing progress (for a test env's `settle()`): `isIdle()` is the state check, `onChange(cb)`
 * notifies synchronously after every state change, and `whenIdle()` wraps both into a promise.
 */
export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  /** Keys ready to hand out, in order; every key here is also in `dirty`. */
  private readonly queue: string[] = [];
  /** Keys that need processing: queued ones, plus ones re-added while processing. */
  private readonly dirty = new Set<string>();
  /** Keys handed out by `get` and not yet `done`. */
  private readonly processing = new Set<string>();
  /** Keys waiting on a timer before `add` (delaying_queue's waitingForQueue). */
  private readonly waiting = new Map<string, Waiting>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly listeners = new Set<() => void>();
  private shuttingDown = false;

  constructor(config: WorkQueueConfig = {}) {
    const resolved = resolveConfig(config);
    this.name = resolved.name;
    this.clock = resolved.clock;
    this.rateLimiter = resolved.rateLimiter;
  }

  /** Marks `key` as needing processing; no-op if it already does, or after `shutDown`. */
  add(key: string): void {
    if (this.markDirty(key)) this.changed();
  }

  /**
   * Resolves with the next ready key, now owned by the caller until `done(key)`. Waits while the
   * queue is empty; resolves `undefined` once the queue is shut down and drained.
   */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.handOut(key);
      this.changed();
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `key`; if it was re-added meanwhile, queues it again. No-op for a key not being processed. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) this.enqueue(key);
    this.changed();
  }

  /** Adds `key` after `ms` on the clock (now if `ms <= 0`). A key already waiting keeps the earlier of the two times. */
  addAfter(key: string, ms: number): void {
    if (Number.isNaN(ms)) throw new RangeError(`${this.name}: addAfter(${key}) delay is NaN`);
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => this.fireWaiting(key), ms);
    this.waiting.set(key, { readyAt, timer });
    this.changed();
  }

  /** Adds `key` after the rate limiter's delay for it (and records a failure in the limiter). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clears the limiter's failure history for `key`: call it when processing succeeded. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** How many times `key` has been rate-limited since the last `forget`. */
  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Keys ready to be handed out (not counting ones processing or waiting on a timer). */
  len(): number {
    return this.queue.length;
  }

  /** Keys handed out and not yet `done`. */
  numProcessing(): number {
    return this.processing.size;
  }

  /** Keys waiting on a timer (`addAfter`, `addRateLimited`). */
  numWaiting(): number {
    return this.waiting.size;
  }

  /** True when nothing is queued, processing, or waiting on a timer due within `horizonMs` (default: any timer). */
  isIdle(horizonMs = Infinity): boolean {
    if (this.queue.length !== 0 || this.processing.size !== 0) return false;
    if (horizonMs === Infinity) return this.waiting.size === 0;
    const limit = this.clock.now() + horizonMs;
    for (const w of this.waiting.values()) if (w.readyAt <= limit) return false;
    return true;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting keys: pending timers are cancelled, waiting getters resolve `undefined`, and
   * keys already queued are still handed out by later `get` calls. Idempotent.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    // Getters only wait while the queue is empty, so none of them has a key to drain.
    for (const resolve of this.getters.splice(0)) resolve(undefined);
    this.changed();
  }

  /**
   * Calls `listener` synchronously after every change of queue state (add, get, done, timer
   * scheduled or fired, shutdown). It must be cheap and must not throw. Returns an unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Resolves when `isIdle()` is next true (at once if it is now). With a `FakeClock`, keys waiting
   * on a timer keep the queue busy until the clock is advanced past them.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const unsubscribe = this.onChange(() => {
        if (!this.isIdle()) return;
        unsubscribe();
        resolve();
      });
    });
  }

  /** Puts a dirty key at the tail, or straight into the hands of the longest-waiting getter. */
  private enqueue(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.handOut(key);
      getter(key);
    } else {
      this.queue.push(key);
    }
  }

  private handOut(key: string): void {
    this.processing.add(key);
    this.dirty.delete(key);
  }

  private fireWaiting(key: string): void {
    this.waiting.delete(key);
    this.markDirty(key);
    this.changed();
  }

  /** The body of `add`, without notifying; returns whether anything changed. */
  private markDirty(key: string): boolean {
    if (this.shuttingDown || this.dirty.has(key)) return false;
    this.dirty.add(key);
    // A key being processed stays parked in `dirty`; `done` queues it so no two workers share it.
    if (!this.processing.has(key)) this.enqueue(key);
    return true;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
