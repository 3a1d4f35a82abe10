import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/apimachinery/errors.js';
import type { Bitmap } from '../../src/allocators/bitmap.js';
import { openServiceIPStore, ServiceIPRange } from '../../src/allocators/service-ip-range.js';
import { RangeStore, SERVICE_IPS_KEY } from '../../src/allocators/stored-range.js';
import type { Backend } from '../../src/storage/interface.js';
import { MemoryBackend } from '../../src/storage/memory.js';

async function memory(): Promise<MemoryBackend> {
  const backend = new MemoryBackend();
  await backend.start();
  return backend;
}

const takeNext = (bitmap: Bitmap) => bitmap.allocateNext()!;

test('a transaction persists the bitmap as a RangeAllocation under its key', async () => {
  const backend = await memory();
  const store = openServiceIPStore(backend, '10.9.0.0/24');
  await store.transact((b) => b.allocate(9));
  const { kv } = await backend.get(SERVICE_IPS_KEY);
  const record = JSON.parse(kv!.value);
  assert.deepEqual([record.kind, record.apiVersion, record.range], ['RangeAllocation', 'v1', '10.9.0.0/24']);
  assert.deepEqual((await openServiceIPStore(backend, '10.9.0.0/24').snapshot()).allocated(), [9]);
});

test('a transaction that changes nothing writes nothing', async () => {
  const backend = await memory();
  const store = openServiceIPStore(backend, '10.9.0.0/24');
  await store.transact((b) => b.release(3));
  assert.equal(await backend.currentRevision(), 0, 'no key is created for an empty bitmap');
  await store.transact((b) => b.allocate(1));
  const revision = await backend.currentRevision();
  await store.transact((b) => b.has(1));
  assert.equal(await backend.currentRevision(), revision);
});

test('a throw inside the transaction stores nothing and reaches the caller', async () => {
  const backend = await memory();
  const store = openServiceIPStore(backend, '10.9.0.0/24');
  await assert.rejects(
    store.transact((b) => {
      b.allocate(1);
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.equal((await store.snapshot()).used(), 0);
});

test('two stores on one backend racing never hand out the same item twice', async () => {
  const backend = await memory();
  const a = openServiceIPStore(backend, '10.9.0.0/24');
  const b = openServiceIPStore(backend, '10.9.0.0/24');
  let passes = 0;
  const counted = (bitmap: Bitmap) => {
    passes++;
    return takeNext(bitmap);
  };
  const picks = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).transact(counted)));
  assert.equal(new Set(picks).size, 200, 'every allocation is distinct');
  assert.equal((await a.snapshot()).used(), 200);
  assert.ok(passes > 200, `compare-and-swap conflicts were retried (${passes} passes for 200 transactions)`);
});

test('the cache never hides a write made by someone else', async () => {
  const backend = await memory();
  const mine = openServiceIPStore(backend, '10.9.0.0/24');
  const other = openServiceIPStore(backend, '10.9.0.0/24');
  await mine.transact((b) => b.allocate(1));
  await other.transact((b) => b.allocate(2));
  const seen = await mine.transact((b) => b.allocated());
  assert.deepEqual(seen, [1, 2]);
});

test('a deleted key is created again', async () => {
  const backend = await memory();
  const store = openServiceIPStore(backend, '10.9.0.0/24');
  await store.transact((b) => b.allocate(1));
  await backend.delete(SERVICE_IPS_KEY);
  await store.transact((b) => b.allocate(2));
  assert.deepEqual((await store.snapshot()).allocated(), [2], 'the deleted state is gone, the new one stored');
});

test('a changed range keeps the stored allocations that still fit', async () => {
  const backend = await memory();
  const narrow = openServiceIPStore(backend, '10.9.0.0/24');
  const old = narrow.range;
  await narrow.transact((b) => {
    b.allocate(old.indexOf('10.9.0.10')!);
    b.allocate(old.indexOf('10.9.0.200')!);
  });
  const wide = openServiceIPStore(backend, '10.9.0.0/16');
  const moved = (await wide.snapshot()).allocated().map((i) => wide.range.itemAt(i));
  assert.deepEqual(moved, ['10.9.0.10', '10.9.0.200']);
  const elsewhere = openServiceIPStore(backend, '10.7.0.0/16');
  assert.equal((await elsewhere.snapshot()).used(), 0);
});

test('endless conflicts end in a 500 after maxAttempts', async () => {
  const inner = await memory();
  // Every update is preceded by a rival write, so the compare-and-swap always loses.
  const rival: Backend = Object.assign(Object.create(inner) as Backend, {
    async update(key: string, value: string, expected: number) {
      const { kv } = await inner.get(key);
      await inner.update(key, kv!.value, kv!.modRevision);
      return inner.update(key, value, expected);
    },
  });
  await openServiceIPStore(inner, '10.9.0.0/24').transact((b) => b.allocate(1));
  const range = ServiceIPRange.parse('10.9.0.0/24');
  const store = new RangeStore({
    backend: rival,
    key: SERVICE_IPS_KEY,
    range,
    parseRange: ServiceIPRange.parse,
    maxAttempts: 3,
  });
  await assert.rejects(store.transact(takeNext), (err: unknown) => err instanceof StatusError && err.code === 500);
});
