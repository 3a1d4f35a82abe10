import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Clock } from '../../src/runtime/api.js';
import { FakeClock } from '../../src/runtime/clock.js';
import {
  defaultControllerRateLimiter,
  ExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
  TokenBucketRateLimiter,
  WorkQueue,
} from '../../src/runtime/workqueue.js';

const PENDING = Symbol('pending');

/** The promise's value if it settles within one macrotask turn, else PENDING. */
function peek<T>(p: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([p, new Promise<typeof PENDING>((resolve) => setImmediate(() => resolve(PENDING)))]);
}

function newQueue(limiter?: RateLimiter) {
  const clock = new FakeClock();
  return { clock, q: new WorkQueue({ clock, rateLimiter: limiter }) };
}

/** Takes every ready key (each processed and `done` at once), in order. */
async function drainReady(q: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (q.len() > 0) {
    const key = (await q.get())!;
    keys.push(key);
    q.done(key);
  }
  return keys;
}

describe('queue: dedup and order', () => {
  const cases: Array<{ name: string; adds: string[]; order: string[] }> = [
    { name: 'N adds of one key mean one get', adds: ['a', 'a', 'a'], order: ['a'] },
    { name: 'keys come out in the order first added', adds: ['c', 'a', 'b'], order: ['c', 'a', 'b'] },
    { name: 're-adding a queued key keeps its place', adds: ['a', 'b', 'a', 'c', 'b'], order: ['a', 'b', 'c'] },
  ];
  for (const tc of cases) {
    test(tc.name, async () => {
      const { q } = newQueue();
      for (const key of tc.adds) q.add(key);
      assert.equal(q.len(), tc.order.length);
      assert.deepEqual(await drainReady(q), tc.order);
      assert.ok(q.isIdle());
    });
  }
});

describe('queue: one key is never handed out twice at once', () => {
  test('a key added while processing is parked, then comes back exactly once after done', async () => {
    const { q } = newQueue();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'parked, not queued, while processing');
    const second = q.get();
    assert.equal(await peek(second), PENDING);
    q.done('a');
    assert.equal(await second, 'a');
    assert.equal(q.len(), 0);
    q.done('a');
    assert.ok(q.isIdle());
  });

  test('a parked key goes to the tail, behind keys queued meanwhile', async () => {
    const { q } = newQueue();
    q.add('a');
    await q.get();
    q.add('a');
    q.add('b');
    q.done('a');
    assert.deepEqual(await drainReady(q), ['b', 'a']);
  });

  test('done for a key that is not processing changes nothing', async () => {
    const { q } = newQueue();
    q.add('a');
    q.done('a');
    q.done('never-added');
    assert.equal(q.len(), 1);
    assert.deepEqual(await drainReady(q), ['a']);
  });

  test('parallel workers never overlap on a key and every burst of adds is processed', async () => {
    const { q } = newQueue();
    const active = new Set<string>();
    const processed: string[] = [];
    let overlaps = 0;
    const worker = async () => {
      for (let key = await q.get(); key !== undefined; key = await q.get()) {
        if (active.has(key)) overlaps++;
        active.add(key);
        await new Promise((resolve) => setImmediate(resolve));
        processed.push(key);
        active.delete(key);
        q.done(key);
      }
    };
    const workers = [worker(), worker(), worker()];
    for (let round = 0; round < 5; round++) {
      for (const key of ['x', 'y', 'x', 'z', 'x']) q.add(key);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await q.whenIdle();
    q.shutDown();
    await Promise.all(workers);
    assert.equal(overlaps, 0);
    assert.deepEqual(new Set(processed), new Set(['x', 'y', 'z']));
    assert.ok(processed.length <= 15, 'adds were de-duplicated');
  });

  test('waiting getters are served in the order they called get', async () => {
    const { q } = newQueue();
    const first = q.get();
    const second = q.get();
    q.add('x');
    q.add('y');
    assert.deepEqual(await Promise.all([first, second]), ['x', 'y']);
    assert.equal(q.numProcessing(), 2);
  });
});

describe('queue: addAfter through the injected clock', () => {
  test('a delayed key is not ready before its delay and is ready after', () => {
    const { clock, q } = newQueue();
    q.addAfter('a', 100);
    assert.equal(q.numWaiting(), 1);
    clock.advance(99);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    assert.equal(q.numWaiting(), 0);
  });

  const dedupCases: Array<{ name: string; delays: number[]; readyAt: number }> = [
    { name: 'a later shorter delay wins', delays: [100, 50], readyAt: 50 },
    { name: 'a later longer delay does not postpone', delays: [50, 100], readyAt: 50 },
    { name: 'an equal delay keeps the first timer', delays: [30, 30], readyAt: 30 },
  ];
  for (const tc of dedupCases) {
    test(`the same key waits once: ${tc.name}`, () => {
      const { clock, q } = newQueue();
      for (const ms of tc.delays) q.addAfter('a', ms);
      assert.equal(q.numWaiting(), 1);
      assert.equal(clock.pendingTimers(), 1);
      clock.advance(tc.readyAt - 1);
      assert.equal(q.len(), 0);
      clock.advance(1);
      assert.equal(q.len(), 1);
      clock.advance(1000);
      assert.equal(q.len(), 1, 'fired once');
    });
  }

  const immediateCases = [0, -5];
  for (const ms of immediateCases) {
    test(`addAfter(key, ${ms}) adds at once without a timer`, () => {
      const { clock, q } = newQueue();
      q.addAfter('a', ms);
      assert.equal(q.len(), 1);
      assert.equal(clock.pendingTimers(), 0);
    });
  }

  test('a delayed key that is already queued when its timer fires is not queued twice', async () => {
    const { clock, q } = newQueue();
    q.addAfter('a', 10);
    q.add('a');
    clock.advance(10);
    assert.deepEqual(await drainReady(q), ['a']);
  });

  test('addAfter rejects a NaN delay', () => {
    const { q } = newQueue();
    assert.throws(() => q.addAfter('a', Number.NaN), RangeError);
  });
});

describe('rate limiters', () => {
  test('exponential: 5 ms doubling per failure, capped at 1000 s', () => {
    const limiter = new ExponentialFailureRateLimiter(5, 1_000_000);
    const expected = [
      5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10_240, 20_480, 40_960, 81_920, 163_840, 327_680, 655_360,
      1_000_000, 1_000_000,
    ];
    assert.deepEqual(
      expected.map(() => limiter.when('k')),
      expected,
    );
    assert.equal(limiter.numRequeues('k'), expected.length);
    for (let i = 0; i < 2000; i++) limiter.when('k');
    assert.equal(limiter.when('k'), 1_000_000, 'no overflow after many failures');
  });

  test('exponential: keys are independent and forget resets one key', () => {
    const limiter = new ExponentialFailureRateLimiter(5, 1_000_000);
    limiter.when('a');
    limiter.when('a');
    assert.equal(limiter.when('b'), 5);
    limiter.forget('a');
    assert.equal(limiter.numRequeues('a'), 0);
    assert.equal(limiter.when('a'), 5);
    assert.equal(limiter.when('b'), 10);
  });

  test('bucket: a burst of 100 passes, then reservations queue 100 ms apart (10 qps)', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketRateLimiter(10, 100, clock);
    const burst = Array.from({ length: 100 }, () => bucket.when());
    assert.ok(burst.every((d) => d === 0));
    assert.deepEqual([bucket.when(), bucket.when(), bucket.when()], [100, 200, 300]);
    clock.advance(1000);
    assert.equal(bucket.when(), 0, '10 tokens refilled, 3 of them already reserved');
    assert.equal(bucket.numRequeues(), 0);
  });

  test('bucket: steady 10 qps is never delayed, and refill stops at the burst size', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketRateLimiter(10, 100, clock);
    for (let i = 0; i < 100; i++) bucket.when();
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      assert.equal(bucket.when(), 0);
    }
    clock.advance(3_600_000);
    const delays = Array.from({ length: 101 }, () => bucket.when());
    assert.equal(delays.filter((d) => d === 0).length, 100);
    assert.equal(delays[100], 100);
  });

  test('default: the per-key backoff, unless the overall bucket is slower', () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter(clock);
    assert.deepEqual([limiter.when('a'), limiter.when('a'), limiter.when('a')], [5, 10, 20]);
    for (let i = 0; i < 97; i++) assert.equal(limiter.when(`key-${i}`), 5);
    assert.equal(limiter.when('fresh'), 100, 'bucket exhausted: 101st reservation waits 100 ms');
    assert.equal(limiter.numRequeues('a'), 3);
    limiter.forget('a');
    assert.equal(limiter.numRequeues('a'), 0);
  });

  test('MaxOf: the slowest limiter wins and forget reaches all', () => {
    const calls: string[] = [];
    const fixed = (ms: number, requeues: number): RateLimiter => ({
      when: () => ms,
      forget: (k) => void calls.push(`${ms}:${k}`),
      numRequeues: () => requeues,
    });
    const limiter = new MaxOfRateLimiter(fixed(3, 1), fixed(7, 0), fixed(5, 4));
    assert.equal(limiter.when('k'), 7);
    assert.equal(limiter.numRequeues('k'), 4);
    limiter.forget('k');
    assert.deepEqual(calls, ['3:k', '7:k', '5:k']);
  });

  const invalid: Array<{ name: string; make: () => unknown }> = [
    { name: 'exponential base 0', make: () => new ExponentialFailureRateLimiter(0, 10) },
    { name: 'exponential max below base', make: () => new ExponentialFailureRateLimiter(10, 5) },
    { name: 'exponential NaN max', make: () => new ExponentialFailureRateLimiter(5, Number.NaN) },
    { name: 'bucket qps 0', make: () => new TokenBucketRateLimiter(0, 10, new FakeClock()) },
    { name: 'bucket fractional burst', make: () => new TokenBucketRateLimiter(10, 1.5, new FakeClock()) },
    { name: 'MaxOf of nothing', make: () => new MaxOfRateLimiter() },
  ];
  for (const tc of invalid) test(`rejects ${tc.name}`, () => assert.throws(tc.make, RangeError));
});

describe('queue: addRateLimited, forget, numRequeues', () => {
  test('the default limiter delays a failing key 5 ms, then 10 ms; forget resets', () => {
    const { clock, q } = newQueue();
    q.addRateLimited('a');
    clock.advance(4);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    assert.equal(q.numRequeues('a'), 1);
    q.addRateLimited('a');
    assert.equal(clock.nextTimerAt(), 5 + 10);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });

  test('an injected limiter decides the delay', () => {
    const fast: RateLimiter = { when: () => 1, forget: () => {}, numRequeues: () => 0 };
    const { clock, q } = newQueue(fast);
    q.addRateLimited('a');
    assert.equal(clock.nextTimerAt(), 1);
  });
});

describe('queue: shutdown', () => {
  test('waiting getters resolve undefined', async () => {
    const { q } = newQueue();
    const getters = [q.get(), q.get()];
    q.shutDown();
    assert.deepEqual(await Promise.all(getters), [undefined, undefined]);
    assert.ok(q.isShuttingDown());
  });

  test('queued keys drain first, later adds are ignored, timers are cancelled', async () => {
    const { clock, q } = newQueue();
    q.add('a');
    q.add('b');
    q.addAfter('later', 10);
    q.shutDown();
    q.add('c');
    q.addAfter('d', 5);
    q.addRateLimited('e');
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(q.numRequeues('e'), 0, 'no failure recorded after shutdown');
    assert.deepEqual(await drainReady(q), ['a', 'b']);
    assert.equal(await q.get(), undefined);
  });

  test('a key parked before shutdown is re-queued by done and drained', async () => {
    const { q } = newQueue();
    q.add('a');
    await q.get();
    q.add('a');
    q.shutDown();
    assert.equal(await q.get(), undefined, 'nothing queued right now');
    q.done('a');
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(await q.get(), undefined);
    assert.ok(q.isIdle());
  });
});

describe('queue: idleness', () => {
  type Step = (q: WorkQueue, clock: FakeClock) => unknown;
  const steps: Array<{ name: string; step: Step; idle: boolean }> = [
    { name: 'a new queue is idle', step: () => {}, idle: true },
    { name: 'a queued key is not idle', step: (q) => q.add('a'), idle: false },
    { name: 'a key being processed is not idle', step: (q) => q.get(), idle: false },
    { name: 'done with nothing else left is idle', step: (q) => q.done('a'), idle: true },
    { name: 'a key waiting on a timer is not idle', step: (q) => q.addAfter('b', 10), idle: false },
    { name: 'a fired timer leaves a queued key', step: (_q, clock) => clock.advance(10), idle: false },
  ];
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  for (const tc of steps) {
    test(tc.name, () => {
      tc.step(q, clock);
      assert.equal(q.isIdle(), tc.idle);
    });
  }

  test('whenIdle resolves at once when idle, and only after the last done otherwise', async () => {
    const { q } = newQueue();
    await q.whenIdle();
    q.add('a');
    q.add('b');
    const idle = q.whenIdle();
    await q.get();
    q.done('a');
    assert.equal(await peek(idle), PENDING);
    await q.get();
    q.done('b');
    assert.equal(await peek(idle), undefined);
  });

  test('whenIdle waits for delayed keys until the fake clock passes them', async () => {
    const { clock, q } = newQueue();
    q.addAfter('a', 50);
    const idle = q.whenIdle();
    assert.equal(await peek(idle), PENDING);
    clock.advance(50);
    assert.deepEqual(await drainReady(q), ['a']);
    assert.equal(await peek(idle), undefined);
  });

  test('onChange reports every change until unsubscribed', async () => {
    const { clock, q } = newQueue();
    let changes = 0;
    const unsubscribe = q.onChange(() => changes++);
    q.add('a');
    q.add('a');
    assert.equal(changes, 1, 'a no-op add is not a change');
    await q.get();
    q.done('a');
    q.addAfter('b', 5);
    clock.advance(5);
    assert.equal(changes, 5);
    unsubscribe();
    q.add('c');
    assert.equal(changes, 5);
  });
});

describe('queue: config', () => {
  test('defaults the name and accepts an empty config', () => {
    assert.equal(new WorkQueue().name, 'workqueue');
    assert.equal(new WorkQueue({ name: 'endpoints' }).name, 'endpoints');
  });

  const invalid: Array<{ name: string; config: () => ConstructorParameters<typeof WorkQueue>[0] }> = [
    { name: 'a clock without setTimeout', config: () => ({ clock: { now: () => 0 } as unknown as Clock }) },
    {
      name: 'a limiter without forget',
      config: () => ({ rateLimiter: { when: () => 0, numRequeues: () => 0 } as unknown as RateLimiter }),
    },
    { name: 'an empty name', config: () => ({ name: '' }) },
  ];
  for (const tc of invalid)
    test(`rejects ${tc.name}`, () => assert.throws(() => new WorkQueue(tc.config()), TypeError));
});
