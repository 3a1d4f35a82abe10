import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitmap } from '../../src/allocators/bitmap.js';

/** A deterministic random source (an LCG), so scans start at varied but reproducible points. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('allocate, has, release and the counters', () => {
  const b = new Bitmap(10);
  assert.equal(b.allocate(3), true);
  assert.equal(b.allocate(3), false);
  assert.equal(b.has(3), true);
  assert.equal(b.has(4), false);
  assert.deepEqual([b.used(), b.free()], [1, 9]);
  b.release(3);
  b.release(3);
  assert.deepEqual([b.has(3), b.used(), b.free()], [false, 0, 10]);
});

test('items outside the bitmap: has is false, release is a no-op, allocate throws', () => {
  const b = new Bitmap(8);
  for (const i of [-1, 8, 1.5]) {
    assert.equal(b.has(i), false);
    b.release(i);
    assert.throws(() => b.allocate(i), RangeError);
  }
  assert.equal(b.used(), 0);
});

const scanCases = [
  { name: 'random 0 starts at the bottom of the dynamic band', size: 20, offset: 4, taken: [], random: 0, want: 4 },
  {
    name: 'random near 1 starts at the top of the dynamic band',
    size: 20,
    offset: 4,
    taken: [],
    random: 0.999,
    want: 19,
  },
  { name: 'the scan wraps inside the dynamic band', size: 20, offset: 4, taken: [19], random: 0.999, want: 4 },
  { name: 'taken items are skipped', size: 20, offset: 4, taken: [4, 5], random: 0, want: 6 },
  {
    name: 'a full dynamic band falls back to the static band',
    size: 6,
    offset: 2,
    taken: [2, 3, 4, 5],
    random: 0.6,
    want: 1,
  },
  { name: 'the static band scan wraps too', size: 6, offset: 2, taken: [1, 2, 3, 4, 5], random: 0.6, want: 0 },
  { name: 'no band: the whole bitmap is dynamic', size: 5, offset: 0, taken: [], random: 0, want: 0 },
  { name: 'full: nothing', size: 3, offset: 1, taken: [0, 1, 2], random: 0, want: undefined },
  { name: 'empty bitmap: nothing', size: 0, offset: 0, taken: [], random: 0, want: undefined },
];
for (const tc of scanCases) {
  test(`allocateNext: ${tc.name}`, () => {
    const b = new Bitmap(tc.size, tc.offset);
    for (const i of tc.taken) b.allocate(i);
    assert.equal(
      b.allocateNext(() => tc.random),
      tc.want,
    );
    if (tc.want !== undefined) assert.equal(b.has(tc.want), true);
  });
}

test('allocateNext fills the dynamic band completely before touching the static band', () => {
  const b = new Bitmap(300, 100);
  const random = seeded(7);
  const first = Array.from({ length: 200 }, () => b.allocateNext(random)!);
  assert.ok(
    first.every((i) => i >= 100),
    'the first 200 allocations are all dynamic',
  );
  assert.equal(new Set(first).size, 200);
  const rest = Array.from({ length: 100 }, () => b.allocateNext(random)!);
  assert.ok(rest.every((i) => i < 100));
  assert.equal(b.allocateNext(random), undefined);
  assert.equal(b.free(), 0);
});

test('encode/decode round-trips and matches Go big.Int.Bytes() (big-endian, bit i = item i)', () => {
  const b = new Bitmap(20);
  assert.equal(b.encode(), '');
  b.allocate(0);
  b.allocate(9);
  // 2^0 + 2^9 = 0x0201 → bytes [0x02, 0x01]
  assert.equal(b.encode(), Buffer.from([0x02, 0x01]).toString('base64'));
  const back = Bitmap.decode(20, 0, b.encode());
  assert.deepEqual(back.allocated(), [0, 9]);
  assert.equal(back.used(), 2);
});

test('decode drops bits beyond the size', () => {
  const data = Buffer.from([0xff]).toString('base64');
  assert.deepEqual(Bitmap.decode(4, 0, data).allocated(), [0, 1, 2, 3]);
});

test('clone and assign copy state without sharing it', () => {
  const a = new Bitmap(16, 2);
  a.allocate(5);
  const c = a.clone();
  c.allocate(6);
  assert.deepEqual(a.allocated(), [5]);
  a.assign(c);
  assert.deepEqual([a.allocated(), a.used()], [[5, 6], 2]);
  assert.throws(() => a.assign(new Bitmap(16, 0)), RangeError);
});

test('the constructor refuses a band larger than the bitmap', () => {
  assert.throws(() => new Bitmap(4, 5), RangeError);
});
