import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeClock, realClock } from '../../src/runtime/clock.js';

/** Schedules `delays` (ms) on a fresh FakeClock, each callback logging `label@now`. */
function scheduled(delays: Array<[label: string, ms: number]>) {
  const clock = new FakeClock(1000);
  const fired: string[] = [];
  for (const [label, ms] of delays) clock.setTimeout(() => fired.push(`${label}@${clock.now()}`), ms);
  return { clock, fired };
}

const advanceCases: Array<{
  name: string;
  delays: Array<[string, number]>;
  advance: number;
  fired: string[];
  pending: number;
}> = [
  { name: 'nothing fires before its due time', delays: [['a', 10]], advance: 9, fired: [], pending: 1 },
  { name: 'a timer fires exactly at its due time', delays: [['a', 10]], advance: 10, fired: ['a@1010'], pending: 0 },
  {
    name: 'timers fire in due-time order, not scheduling order',
    delays: [
      ['late', 30],
      ['early', 10],
      ['mid', 20],
    ],
    advance: 100,
    fired: ['early@1010', 'mid@1020', 'late@1030'],
    pending: 0,
  },
  {
    name: 'equal due times fire in scheduling order',
    delays: [
      ['first', 5],
      ['second', 5],
      ['third', 5],
    ],
    advance: 5,
    fired: ['first@1005', 'second@1005', 'third@1005'],
    pending: 0,
  },
  {
    name: 'only timers inside the window fire',
    delays: [
      ['in', 5],
      ['out', 50],
    ],
    advance: 20,
    fired: ['in@1005'],
    pending: 1,
  },
  {
    name: 'negative and NaN delays are due immediately',
    delays: [
      ['neg', -5],
      ['nan', Number.NaN],
    ],
    advance: 0,
    fired: ['neg@1000', 'nan@1000'],
    pending: 0,
  },
];

for (const tc of advanceCases) {
  test(`FakeClock.advance: ${tc.name}`, () => {
    const { clock, fired } = scheduled(tc.delays);
    clock.advance(tc.advance);
    assert.deepEqual(fired, tc.fired);
    assert.equal(clock.pendingTimers(), tc.pending);
    assert.equal(clock.now(), 1000 + tc.advance);
  });
}

test('FakeClock: timers scheduled by a firing callback fire in the same advance when inside the window', () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const chain = () => {
    fired.push(clock.now());
    clock.setTimeout(chain, 10);
  };
  clock.setTimeout(chain, 10);
  clock.advance(35);
  assert.deepEqual(fired, [10, 20, 30]);
  assert.equal(clock.nextTimerAt(), 40);
  assert.equal(clock.now(), 35);
});

test('FakeClock: a callback scheduling an earlier timer than the next pending one runs it first', () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  clock.setTimeout(() => {
    fired.push('a');
    clock.setTimeout(() => fired.push('a-child'), 1);
  }, 10);
  clock.setTimeout(() => fired.push('b'), 20);
  clock.advance(20);
  assert.deepEqual(fired, ['a', 'a-child', 'b']);
});

test('FakeClock: cancel removes a timer, and cancelling twice or after firing is harmless', () => {
  const clock = new FakeClock();
  let fired = 0;
  const cancelled = clock.setTimeout(() => fired++, 10);
  const kept = clock.setTimeout(() => fired++, 20);
  cancelled.cancel();
  cancelled.cancel();
  assert.equal(clock.pendingTimers(), 1);
  assert.equal(clock.nextTimerAt(), 20);
  clock.advance(100);
  kept.cancel();
  assert.equal(fired, 1);
  assert.equal(clock.pendingTimers(), 0);
  assert.equal(clock.nextTimerAt(), undefined);
});

test('FakeClock: advance rejects negative and NaN durations', () => {
  const clock = new FakeClock();
  assert.throws(() => clock.advance(-1), RangeError);
  assert.throws(() => clock.advance(Number.NaN), RangeError);
  assert.equal(clock.now(), 0);
});

test('realClock.now follows Date.now', () => {
  const before = Date.now();
  const now = realClock.now();
  assert.ok(now >= before && now <= Date.now());
});

test('realClock.setTimeout fires, and cancel prevents firing', async () => {
  const fired: string[] = [];
  realClock.setTimeout(() => fired.push('kept'), 1);
  realClock.setTimeout(() => fired.push('cancelled'), 1).cancel();
  // A cancelled timer fires nothing to wait on; one due no earlier, started after it, fires after it would have.
  await new Promise((resolve) => realClock.setTimeout(() => resolve(undefined), 1));
  assert.deepEqual(fired, ['kept']);
});

test('realClock.setTimeout chains delays beyond the 2^31-1 ms Node limit instead of firing early', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fired = 0;
  realClock.setTimeout(() => fired++, 2 ** 31 + 5);
  t.mock.timers.tick(2 ** 31 - 1);
  assert.equal(fired, 0);
  t.mock.timers.tick(6);
  assert.equal(fired, 1);
});

test('realClock timers are unref()ed: a pending one does not keep the process alive', () => {
  const clockUrl = new URL('../../src/runtime/clock.ts', import.meta.url).href;
  const script = `const { realClock } = await import(${JSON.stringify(clockUrl)}); realClock.setTimeout(() => process.exit(3), 60_000);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    timeout: 10_000, // a kept-alive child is killed, leaving status null
  });
  assert.equal(child.status, 0, child.stderr.toString());
});
