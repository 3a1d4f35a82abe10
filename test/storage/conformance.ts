/**
 * The conformance suite every storage backend must pass (one suite for all, as k8s.io/apiserver's
 * `storage/testing` is for etcd3 and the watch cache): it checks the invariants documented in
 * src/storage/interface.ts through the public `Backend` API only.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompactedError, KeyExistsError, type Backend, type StorageEvent } from '../../src/storage/interface.js';

/** A fresh, started backend; `reopen` (persistent backends only) closes it and opens the same data again. */
export interface BackendHarness {
  backend: Backend;
  cleanup(): Promise<void>;
  reopen?: () => Promise<Backend>;
}

const PODS = '/registry/pods/';

/** Collects watch events; `revisions()` is the delivery order. */
class Recorder {
  readonly events: StorageEvent[] = [];
  readonly controller = new AbortController();
  readonly listener = (events: readonly StorageEvent[]): void => {
    this.events.push(...events);
  };
  revisions(): number[] {
    return this.events.map((e) => e.revision);
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Registers node:test tests checking `Backend` invariants against backends built by `make`. */
export function runBackendConformance(name: string, make: () => Promise<BackendHarness>): void {
  /** Runs `body` against a fresh backend and always cleans up. */
  async function withBackend(body: (backend: Backend, harness: BackendHarness) => Promise<void>): Promise<void> {
    const harness = await make();
    try {
      await body(harness.backend, harness);
    } finally {
      await harness.cleanup();
    }
  }

  describe(`${name} backend conformance`, () => {
    test('create, get and KeyExistsError', () =>
      withBackend(async (b) => {
        assert.equal(await b.currentRevision(), 0);
        assert.deepEqual(await b.get(`${PODS}a`), { revision: 0 });
        const rev = await b.create(`${PODS}a`, 'v1');
        assert.equal(rev, 1);
        assert.deepEqual(await b.get(`${PODS}a`), {
          revision: 1,
          kv: { key: `${PODS}a`, value: 'v1', createRevision: 1, modRevision: 1 },
        });
        await assert.rejects(
          b.create(`${PODS}a`, 'v2'),
          (err: unknown) => err instanceof KeyExistsError && err.key === `${PODS}a`,
        );
        assert.equal((await b.get(`${PODS}a`)).kv?.value, 'v1');
        assert.equal(await b.currentRevision(), 1);
      }));

    test('revision rises by exactly one per write and not on failed calls', () =>
      withBackend(async (b) => {
        const steps: Array<{ name: string; run: () => Promise<unknown>; delta: 0 | 1 }> = [
          { name: 'create a', run: () => b.create('/k/a', '1'), delta: 1 },
          { name: 'create a again', run: () => b.create('/k/a', '1').catch(() => undefined), delta: 0 },
          { name: 'update a with wrong rev', run: () => b.update('/k/a', '2', 99), delta: 0 },
          { name: 'update missing', run: () => b.update('/k/missing', '2', 1), delta: 0 },
          { name: 'update a', run: () => b.update('/k/a', '2', 1), delta: 1 },
          { name: 'delete missing', run: () => b.delete('/k/missing'), delta: 0 },
          { name: 'delete a with wrong rev', run: () => b.delete('/k/a', 1), delta: 0 },
          { name: 'create b', run: () => b.create('/k/b', '1'), delta: 1 },
          { name: 'delete a', run: () => b.delete('/k/a', 2), delta: 1 },
          { name: 'get and list', run: () => Promise.all([b.get('/k/b'), b.list('/k/')]), delta: 0 },
        ];
        for (const step of steps) {
          const before = await b.currentRevision();
          await step.run();
          assert.equal(await b.currentRevision(), before + step.delta, step.name);
        }
      }));

    test('update is compare-and-swap on modRevision', () =>
      withBackend(async (b) => {
        await b.create('/k/x', 'v1');
        await b.create('/k/other', 'o');
        const ok = await b.update('/k/x', 'v2', 1);
        assert.deepEqual(ok, {
          ok: true,
          revision: 3,
          kv: { key: '/k/x', value: 'v2', createRevision: 1, modRevision: 3 },
        });

        const stale = await b.update('/k/x', 'v3', 1);
        assert.deepEqual(stale, {
          ok: false,
          revision: 3,
          kv: { key: '/k/x', value: 'v2', createRevision: 1, modRevision: 3 },
        });
        assert.equal((await b.get('/k/x')).kv?.value, 'v2');

        assert.deepEqual(await b.update('/k/none', 'v', 0), { ok: false, revision: 3 });
        assert.equal(await b.currentRevision(), 3);
      }));

    test('delete with and without expected revision, and of a missing key', () =>
      withBackend(async (b) => {
        await b.create('/k/a', 'a1');
        await b.create('/k/b', 'b1');

        const mismatch = await b.delete('/k/a', 2);
        assert.deepEqual(mismatch, {
          ok: false,
          revision: 2,
          kv: { key: '/k/a', value: 'a1', createRevision: 1, modRevision: 1 },
        });
        assert.ok((await b.get('/k/a')).kv);

        const deleted = await b.delete('/k/a', 1);
        assert.deepEqual(deleted, {
          ok: true,
          revision: 3,
          kv: { key: '/k/a', value: 'a1', createRevision: 1, modRevision: 3 },
        });
        assert.equal((await b.get('/k/a')).kv, undefined);

        const unconditional = await b.delete('/k/b');
        assert.equal(unconditional.ok, true);
        assert.equal(unconditional.revision, 4);

        assert.deepEqual(await b.delete('/k/a'), { ok: false, revision: 4 });
        assert.deepEqual(await b.delete('/k/a', 3), { ok: false, revision: 4 });

        // Created again, the key starts a new life.
        assert.equal(await b.create('/k/a', 'a2'), 5);
        assert.equal((await b.get('/k/a')).kv?.createRevision, 5);
      }));

    test('writes issued together take revisions in call order and each sees the ones before it', () =>
      withBackend(async (b) => {
        const key = `${PODS}a`;
        const [created, updated, stale, deleted, absent, recreated, duplicate] = await Promise.all([
          b.create(key, 'v1'),
          b.update(key, 'v2', 1),
          b.update(key, 'stale', 1),
          b.delete(key, 2),
          b.update(key, 'gone', 3),
          b.create(key, 'again'),
          b.create(key, 'dup').catch((err: unknown) => err),
        ]);
        assert.equal(created, 1);
        assert.deepEqual(updated, {
          ok: true,
          revision: 2,
          kv: { key, value: 'v2', createRevision: 1, modRevision: 2 },
        });
        assert.deepEqual(stale, {
          ok: false,
          revision: 2,
          kv: { key, value: 'v2', createRevision: 1, modRevision: 2 },
        });
        assert.deepEqual(deleted, {
          ok: true,
          revision: 3,
          kv: { key, value: 'v2', createRevision: 1, modRevision: 3 },
        });
        assert.deepEqual(absent, { ok: false, revision: 3 });
        assert.equal(recreated, 4);
        assert.ok(duplicate instanceof KeyExistsError);
        assert.equal(await b.currentRevision(), 4);
        assert.deepEqual((await b.get(key)).kv, { key, value: 'again', createRevision: 4, modRevision: 4 });
      }));

    test('a refused write answers only once what it saw is readable', () =>
      withBackend(async (b) => {
        await b.create(`${PODS}a`, 'v1');
        const pending = b.update(`${PODS}a`, 'v2', 1);
        const stale = await b.update(`${PODS}a`, 'v3', 1);
        assert.equal(stale.kv?.modRevision, 2);
        assert.deepEqual((await b.get(`${PODS}a`)).kv, stale.kv);
        assert.equal(await b.currentRevision(), stale.revision);
        await pending;
      }));

    test('concurrent writes each resolve after watchers saw them', () =>
      withBackend(async (b) => {
        const rec = new Recorder();
        await b.watch(PODS, 0, rec.listener, rec.controller.signal);
        const seenAtResolve = await Promise.all(
          range(1, 40).map(async (i) => {
            const revision = await b.create(`${PODS}p${i}`, 'v');
            return rec.revisions().includes(revision) && revision === i;
          }),
        );
        assert.ok(seenAtResolve.every(Boolean));
        assert.deepEqual(rec.revisions(), range(1, 40));
        rec.controller.abort();
      }));

    test('list by prefix: no sibling leakage, ascending order, revision', () =>
      withBackend(async (b) => {
        const keys = [
          '/registry/pods/ns/b',
          '/registry/podsx/ns/a',
          '/registry/pods/ns/a',
          '/registry/pod',
          '/registry/pods/a/z',
        ];
        for (const key of keys) await b.create(key, key);
        const listed = await b.list('/registry/pods/');
        assert.deepEqual(
          listed.kvs.map((kv) => kv.key),
          ['/registry/pods/a/z', '/registry/pods/ns/a', '/registry/pods/ns/b'],
        );
        assert.equal(listed.revision, 5);
        assert.equal(listed.more, false);
        assert.deepEqual(listed.kvs[1], {
          key: '/registry/pods/ns/a',
          value: '/registry/pods/ns/a',
          createRevision: 3,
          modRevision: 3,
        });
        assert.deepEqual((await b.list('/registry/nothing/')).kvs, []);
        assert.equal((await b.list('/registry/')).kvs.length, 5);
        assert.equal((await b.list('')).kvs.length, 5);
      }));

    test('list pages with startKey and limit', () =>
      withBackend(async (b) => {
        const names = range(0, 6).map((i) => `${PODS}ns/p${i}`);
        for (const key of [...names].reverse()) await b.create(key, 'v');
        await b.create('/registry/podsx/ns/p0', 'v');

        const cases = [
          { name: 'first page', opts: { limit: 3 }, keys: names.slice(0, 3), more: true },
          { name: 'from a startKey', opts: { startKey: names[3], limit: 3 }, keys: names.slice(3, 6), more: true },
          { name: 'exact remainder', opts: { startKey: names[4], limit: 3 }, keys: names.slice(4), more: false },
          { name: 'startKey without limit', opts: { startKey: names[5] }, keys: names.slice(5), more: false },
          { name: 'startKey past the range', opts: { startKey: `${PODS}z` }, keys: [], more: false },
          {
            name: 'startKey before the prefix',
            opts: { startKey: '/a', limit: 1 },
            keys: names.slice(0, 1),
            more: true,
          },
        ];
        for (const tc of cases) {
          const page = await b.list(PODS, tc.opts);
          assert.deepEqual(
            page.kvs.map((kv) => kv.key),
            tc.keys,
            tc.name,
          );
          assert.equal(page.more, tc.more, tc.name);
        }

        const walked: string[] = [];
        let startKey: string | undefined;
        for (;;) {
          const page = await b.list(PODS, { startKey, limit: 2 });
          walked.push(...page.kvs.map((kv) => kv.key));
          if (!page.more) break;
          startKey = `${page.kvs[page.kvs.length - 1].key}\0`;
        }
        assert.deepEqual(walked, names);
      }));

    test('list is a consistent snapshot at its revision while writes run', () =>
      withBackend(async (b) => {
        const created = new Map<string, number>();
        const writes = range(1, 60).map(async (i) => {
          const key = `${PODS}c${i}`;
          created.set(key, await b.create(key, 'v'));
        });
        const lists = range(1, 20).map(() => b.list(PODS));
        await Promise.all(writes);
        for (const listed of await Promise.all(lists)) {
          const expected = [...created]
            .filter(([, rev]) => rev <= listed.revision)
            .map(([key]) => key)
            .sort();
          assert.deepEqual(
            listed.kvs.map((kv) => kv.key),
            expected,
          );
        }
      }));

    test('watch replays history after the given revision, then live events', () =>
      withBackend(async (b) => {
        await b.create(`${PODS}a`, 'a1'); // 1
        await b.create('/registry/podsx/a', 'x'); // 2
        await b.update(`${PODS}a`, 'a2', 1); // 3
        await b.create(`${PODS}b`, 'b1'); // 4

        const all = new Recorder();
        await b.watch(PODS, 0, all.listener, all.controller.signal);
        assert.deepEqual(all.revisions(), [1, 3, 4]);

        const fromThree = new Recorder();
        await b.watch(PODS, 3, fromThree.listener, fromThree.controller.signal);
        assert.deepEqual(fromThree.revisions(), [4]);

        await b.delete(`${PODS}b`); // 5, delivered before the write resolved
        assert.deepEqual(all.revisions(), [1, 3, 4, 5]);
        assert.deepEqual(fromThree.revisions(), [4, 5]);
        await b.create('/registry/podsx/b', 'x'); // 6, other prefix
        assert.deepEqual(all.revisions(), [1, 3, 4, 5]);
        all.controller.abort();
        fromThree.controller.abort();
      }));

    test('watch events carry kv and prevKv, live and replayed', () =>
      withBackend(async (b) => {
        const live = new Recorder();
        await b.watch(PODS, 0, live.listener, live.controller.signal);
        await b.create(`${PODS}a`, 'a1');
        await b.update(`${PODS}a`, 'a2', 1);
        await b.delete(`${PODS}a`, 2);
        const expected: StorageEvent[] = [
          { type: 'create', revision: 1, kv: { key: `${PODS}a`, value: 'a1', createRevision: 1, modRevision: 1 } },
          {
            type: 'update',
            revision: 2,
            kv: { key: `${PODS}a`, value: 'a2', createRevision: 1, modRevision: 2 },
            prevKv: { key: `${PODS}a`, value: 'a1', createRevision: 1, modRevision: 1 },
          },
          {
            type: 'delete',
            revision: 3,
            kv: { key: `${PODS}a`, value: 'a2', createRevision: 1, modRevision: 3 },
            prevKv: { key: `${PODS}a`, value: 'a2', createRevision: 1, modRevision: 2 },
          },
        ];
        assert.deepEqual(live.events, expected);

        const replayed = new Recorder();
        await b.watch(PODS, 0, replayed.listener, replayed.controller.signal);
        assert.deepEqual(replayed.events, expected);
        live.controller.abort();
        replayed.controller.abort();
      }));

    test('a watch registered while writes are in flight misses nothing and duplicates nothing', () =>
      withBackend(async (b) => {
        const writer = async (w: number): Promise<void> => {
          const key = `${PODS}w${w}`;
          let rev = await b.create(key, '0');
          for (let i = 1; i < 20; i++) {
            const result = await b.update(key, String(i), rev);
            assert.equal(result.ok, true);
            rev = result.revision;
          }
        };
        const writers = range(1, 8).map(writer);
        const watchers: Array<{ after: number; rec: Recorder }> = [];
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setImmediate(resolve));
          const after = await b.currentRevision();
          const rec = new Recorder();
          await b.watch(PODS, after, rec.listener, rec.controller.signal);
          watchers.push({ after, rec });
        }
        await Promise.all(writers);
        const total = await b.currentRevision();
        assert.equal(total, 8 * 20);
        for (const { after, rec } of watchers) {
          assert.deepEqual(rec.revisions(), range(after + 1, total), `watch after ${after}`);
          rec.controller.abort();
        }
      }));

    test('aborting the signal stops delivery', () =>
      withBackend(async (b) => {
        const rec = new Recorder();
        await b.watch(PODS, 0, rec.listener, rec.controller.signal);
        await b.create(`${PODS}a`, 'v');
        rec.controller.abort();
        await b.create(`${PODS}b`, 'v');
        assert.deepEqual(rec.revisions(), [1]);

        const early = new Recorder();
        early.controller.abort();
        await b.watch(PODS, 0, early.listener, early.controller.signal);
        await b.create(`${PODS}c`, 'v');
        assert.deepEqual(early.revisions(), []);
      }));

    test('a throwing listener breaks neither the write nor other listeners', () =>
      withBackend(async (b) => {
        const thrower = new AbortController();
        await b.watch(
          PODS,
          0,
          () => {
            throw new Error('listener bug');
          },
          thrower.signal,
        );
        const rec = new Recorder();
        await b.watch(PODS, 0, rec.listener, rec.controller.signal);
        assert.equal(await b.create(`${PODS}a`, 'v'), 1);
        assert.equal(await b.create(`${PODS}b`, 'v'), 2);
        assert.deepEqual(rec.revisions(), [1, 2]);
        thrower.abort();
        rec.controller.abort();
      }));

    test('a listener that writes does not reorder events for other watchers', () =>
      withBackend(async (b) => {
        const writes: Array<Promise<number>> = [];
        const echo = new AbortController();
        const echoListener = (events: readonly StorageEvent[]): void => {
          for (const e of events) if (e.kv.key === `${PODS}a`) writes.push(b.create(`${PODS}echo`, 'v'));
        };
        await b.watch(PODS, 0, echoListener, echo.signal);
        const rec = new Recorder();
        await b.watch(PODS, 0, rec.listener, rec.controller.signal);
        await b.create(`${PODS}a`, 'v');
        await Promise.all(writes);
        await b.create(`${PODS}b`, 'v');
        assert.deepEqual(rec.revisions(), [1, 2, 3]);
        echo.abort();
        rec.controller.abort();
      }));

    test('compaction: old watches get CompactedError, newer ones work', () =>
      withBackend(async (b) => {
        for (let i = 1; i <= 10; i++) await b.create(`${PODS}p${i}`, 'v');
        assert.equal(await b.compact(5), 5);
        assert.equal(await b.compact(3), 5, 'never goes backwards');

        const old = new Recorder();
        await assert.rejects(
          b.watch(PODS, 4, old.listener, old.controller.signal),
          (err: unknown) => err instanceof CompactedError && err.requested === 4 && err.compactRevision === 5,
        );
        await b.create(`${PODS}p11`, 'v');
        assert.deepEqual(old.revisions(), [], 'a rejected watch stays unregistered');

        const atCompact = new Recorder();
        await b.watch(PODS, 5, atCompact.listener, atCompact.controller.signal);
        assert.deepEqual(atCompact.revisions(), range(6, 11));
        const newer = new Recorder();
        await b.watch(PODS, 8, newer.listener, newer.controller.signal);
        assert.deepEqual(newer.revisions(), range(9, 11));

        assert.equal(await b.compact(1000), 11, 'never above the current revision');
        await assert.rejects(
          b.watch(PODS, 10, () => {}, new AbortController().signal),
          CompactedError,
        );
        await b.create(`${PODS}p12`, 'v');
        assert.deepEqual(atCompact.revisions(), range(6, 12));
        assert.equal((await b.list(PODS)).kvs.length, 12, 'compaction keeps current values');
        atCompact.controller.abort();
        newer.controller.abort();
      }));

    test('compacting thousands of revisions at once keeps the newer log intact', () =>
      withBackend(async (b) => {
        const key = `${PODS}busy`;
        let rev = await b.create(key, '0');
        for (let i = 1; i < 2600; i++) rev = (await b.update(key, String(i), rev)).revision;
        assert.equal(await b.compact(2590), 2590);
        const rec = new Recorder();
        await b.watch(PODS, 2590, rec.listener, rec.controller.signal);
        assert.deepEqual(rec.revisions(), range(2591, 2600));
        assert.equal(rec.events[0].prevKv?.value, '2589', 'prevKv survives compaction of the previous entry');
        rec.controller.abort();
      }));

    test('close stops watches and makes every later call fail', () =>
      withBackend(async (b) => {
        await b.create(`${PODS}a`, 'v');
        const rec = new Recorder();
        await b.watch(PODS, 0, rec.listener, rec.controller.signal);
        await b.close();
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['currentRevision', () => b.currentRevision()],
          ['get', () => b.get(`${PODS}a`)],
          ['list', () => b.list(PODS)],
          ['create', () => b.create(`${PODS}b`, 'v')],
          ['update', () => b.update(`${PODS}a`, 'v', 1)],
          ['delete', () => b.delete(`${PODS}a`)],
          ['watch', () => b.watch(PODS, 0, () => {}, new AbortController().signal)],
          ['compact', () => b.compact(1)],
        ];
        for (const [call, run] of calls) await assert.rejects(run(), Error, call);
        assert.deepEqual(rec.revisions(), [1]);
      }));

    test('data, revision and compact revision survive a reopen', async (t) => {
      const harness = await make();
      try {
        if (!harness.reopen) {
          t.skip('not a persistent backend');
          return;
        }
        let b = harness.backend;
        await b.create(`${PODS}a`, 'a1'); // 1
        await b.create(`${PODS}b`, 'b1'); // 2
        await b.update(`${PODS}a`, 'a2', 1); // 3
        await b.delete(`${PODS}b`); // 4
        await b.create(`${PODS}c`, 'c1'); // 5
        await b.compact(2);

        b = await harness.reopen();
        assert.equal(await b.currentRevision(), 5);
        assert.deepEqual((await b.list(PODS)).kvs, [
          { key: `${PODS}a`, value: 'a2', createRevision: 1, modRevision: 3 },
          { key: `${PODS}c`, value: 'c1', createRevision: 5, modRevision: 5 },
        ]);
        await assert.rejects(b.create(`${PODS}a`, 'x'), KeyExistsError);
        await assert.rejects(
          b.watch(PODS, 1, () => {}, new AbortController().signal),
          CompactedError,
        );

        const rec = new Recorder();
        await b.watch(PODS, 2, rec.listener, rec.controller.signal);
        assert.deepEqual(rec.revisions(), [3, 4, 5]);
        assert.equal(rec.events[0].prevKv?.value, 'a1');
        assert.equal(rec.events[1].prevKv?.value, 'b1');
        rec.controller.abort();

        assert.equal(await b.create(`${PODS}b`, 'b2'), 6);
        b = await harness.reopen();
        assert.equal(await b.currentRevision(), 6);
        assert.equal((await b.update(`${PODS}b`, 'b3', 6)).revision, 7);
      } finally {
        await harness.cleanup();
      }
    });
  });
}
