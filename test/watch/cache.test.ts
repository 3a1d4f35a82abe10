import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/object.js';
import { StatusError } from '../../src/apimachinery/errors.js';
import { ResourceCache } from '../../src/watch/cacher.js';
import type { WatchOutput } from '../../src/watch/event.js';
import type { CacheWatcher } from '../../src/watch/watcher.js';

const prefix = '/registry/core/pods/';
const limits = { minAgeMs: 75_000, minEvents: 3, maxEvents: 5 };

function pod(ns: string, name: string, rv: number, labels: Record<string, string> = {}): KubeObject {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { namespace: ns, name, resourceVersion: String(rv), labels } };
}

function newCache(now = () => 0) {
  return new ResourceCache(prefix, 0, limits, now);
}

function put(
  cache: ResourceCache,
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  rev: number,
  ns: string,
  name: string,
  labels: Record<string, string> = {},
) {
  cache.apply(type, rev, `${prefix}${ns}/${name}`, pod(ns, name, rev, labels));
}

/** Everything queued so far: a normal close still delivers what was queued. */
async function drain(w: CacheWatcher): Promise<WatchOutput[]> {
  w.close();
  const out: WatchOutput[] = [];
  for (let o = await w.next(); o; o = await w.next()) out.push(o);
  return out;
}

const summary = (outs: WatchOutput[]) => outs.map((o) => `${o.type} ${o.object.metadata.name ?? ''}@${o.revision}`);

test('list pages in key order and resumes after the last key', () => {
  const cache = newCache();
  for (const [i, name] of ['c', 'a', 'b', 'd'].entries()) put(cache, 'ADDED', i + 1, 'default', name);
  const first = cache.list({ limit: 2 });
  assert.deepEqual(
    first.items.map((o) => o.metadata.name),
    ['a', 'b'],
  );
  assert.equal(first.remaining, 2);
  const second = cache.list({ limit: 2, afterKey: first.lastKey });
  assert.deepEqual(
    second.items.map((o) => o.metadata.name),
    ['c', 'd'],
  );
  assert.equal(second.lastKey, undefined);
});

test('a namespace prefix never leaks other namespaces', () => {
  const cache = newCache();
  put(cache, 'ADDED', 1, 'a', 'x');
  put(cache, 'ADDED', 2, 'ab', 'y');
  assert.deepEqual(
    cache.list({ prefix: `${prefix}a/` }).items.map((o) => o.metadata.name),
    ['x'],
  );
});

test('a page at an older revision undoes later writes (consistent paging)', () => {
  const cache = newCache();
  put(cache, 'ADDED', 1, 'default', 'a');
  put(cache, 'ADDED', 2, 'default', 'b');
  put(cache, 'ADDED', 3, 'default', 'c');
  put(cache, 'DELETED', 4, 'default', 'c');
  put(cache, 'ADDED', 5, 'default', 'bb');
  put(cache, 'MODIFIED', 6, 'default', 'b');
  const page = cache.list({ atRevision: 3, afterKey: `${prefix}default/a` });
  assert.deepEqual(
    page.items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`),
    ['b@2', 'c@3'],
  );
});

test('history older than the window is Expired (410)', async () => {
  const cache = newCache(() => 1_000_000);
  for (let rev = 1; rev <= 8; rev++) put(cache, 'ADDED', rev, 'default', `p${rev}`);
  assert.throws(
    () => cache.list({ atRevision: 1 }),
    (err: unknown) => err instanceof StatusError && err.code === 410,
  );
  assert.throws(
    () => cache.watch({ afterRevision: 2, maxQueue: 10 }, 8),
    (err: unknown) =>
      err instanceof StatusError && err.code === 410 && /too old resource version: 2 \(3\)/.test(err.message),
  );
  assert.deepEqual(summary(await drain(cache.watch({ afterRevision: 6, maxQueue: 10 }, 8))), [
    'ADDED p7@7',
    'ADDED p8@8',
  ]);
});

test('young events are kept beyond minEvents until maxEvents', () => {
  const cache = newCache(() => 0);
  for (let rev = 1; rev <= 5; rev++) put(cache, 'ADDED', rev, 'default', `p${rev}`);
  assert.equal(cache.stats().historyEvents, 5);
  put(cache, 'ADDED', 6, 'default', 'p6');
  assert.equal(cache.stats().historyEvents, 5);
  assert.equal(cache.stats().historyCompleteAfter, 1);
});

test('watch without a revision starts with synthetic ADDED events, then live ones', async () => {
  const cache = newCache();
  put(cache, 'ADDED', 1, 'default', 'a');
  const w = cache.watch({ maxQueue: 10 }, 1);
  put(cache, 'MODIFIED', 2, 'default', 'a');
  put(cache, 'DELETED', 3, 'default', 'a');
  assert.deepEqual(summary(await drain(w)), ['ADDED a@1', 'MODIFIED a@2', 'DELETED a@3']);
});

test('selector flips become ADDED and DELETED for the watcher', async () => {
  const cache = newCache();
  const w = cache.watch({ maxQueue: 10, afterRevision: 0, filter: (o) => o.metadata.labels?.app === 'web' }, 0);
  put(cache, 'ADDED', 1, 'default', 'a', { app: 'db' });
  put(cache, 'MODIFIED', 2, 'default', 'a', { app: 'web' });
  put(cache, 'MODIFIED', 3, 'default', 'a', { app: 'web', v: '2' });
  put(cache, 'MODIFIED', 4, 'default', 'a', { app: 'db' });
  put(cache, 'DELETED', 5, 'default', 'a', { app: 'db' });
  const outs = await drain(w);
  assert.deepEqual(summary(outs), ['ADDED a@2', 'MODIFIED a@3', 'DELETED a@4']);
  assert.equal(outs[2].object.metadata.labels?.app, 'web', 'the DELETED object is the last matching state');
  assert.equal(outs[2].object.metadata.resourceVersion, '4', 'stamped with the event revision');
});

test('a watcher that falls behind its bounded queue is closed as slow', () => {
  const cache = newCache();
  const w = cache.watch({ maxQueue: 2, afterRevision: 0 }, 0);
  for (let rev = 1; rev <= 3; rev++) put(cache, 'ADDED', rev, 'default', `p${rev}`);
  assert.equal(w.closeReason, 'slow');
  assert.equal(cache.stats().watchers, 0);
  assert.equal(cache.stats().evictedWatchers, 1);
});

test('events are serialized once and shared by every watcher', async () => {
  const cache = newCache();
  const w1 = cache.watch({ maxQueue: 10, afterRevision: 0 }, 0);
  const w2 = cache.watch({ maxQueue: 10, afterRevision: 0 }, 0);
  put(cache, 'ADDED', 1, 'default', 'a');
  const [a] = await drain(w1);
  const [b] = await drain(w2);
  assert.equal(a.json(), b.json());
  assert.equal(JSON.parse(a.json()).metadata.name, 'a');
});
