import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { EtcdBackend } from '../../src/storage/etcd.js';
import { CompactedError, KeyExistsError, type StorageEvent } from '../../src/storage/interface.js';
import { etcdMissing, killAllEtcd, startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { runBackendConformance } from './conformance.js';

const missing = etcdMissing();
after(killAllEtcd);

/** Collects watch events. */
function recorder(): {
  events: StorageEvent[];
  listener: (events: readonly StorageEvent[]) => void;
  stop: AbortController;
} {
  const events: StorageEvent[] = [];
  return { events, listener: (e) => events.push(...e), stop: new AbortController() };
}

/** Runs `body` with a fresh etcd and a raw client on it, then stops both and closes `backends`. */
async function withEtcd(
  body: (etcd: EtcdProcess, raw: Etcd3, backends: EtcdBackend[]) => Promise<void>,
): Promise<void> {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: etcd.endpoint });
  const backends: EtcdBackend[] = [];
  try {
    await body(etcd, raw, backends);
  } finally {
    for (const b of backends) await b.close();
    raw.close();
    await etcd.stop();
  }
}

let prefixes = 0;
/** A unique prefix per backend, so tests sharing an etcd never meet by accident. */
const uniquePrefix = (): string => `/kplane-test-${process.pid}-${++prefixes}`;

async function startBackend(endpoint: string, prefix = uniquePrefix()): Promise<EtcdBackend> {
  const backend = new EtcdBackend({ endpoints: [endpoint], prefix });
  await backend.start();
  return backend;
}

if (missing) {
  test('etcd backend', (t) => t.skip(missing));
} else {
  // The suite expects revisions 1, 2, 3… from an empty store, and etcd's revisions are global: each
  // backend gets an etcd of its own (one starts in about 100 ms).
  runBackendConformance('etcd', async () => {
    const etcd = await startEtcd();
    const prefix = uniquePrefix();
    let current = await startBackend(etcd.endpoint, prefix);
    return {
      backend: current,
      reopen: async () => {
        await current.close();
        current = await startBackend(etcd.endpoint, prefix);
        return current;
      },
      cleanup: async () => {
        await current.close();
        await etcd.stop();
      },
    };
  });
}

if (!missing) {
  test('keys live under the prefix; other prefixes and other data in the same etcd stay apart', () =>
    withEtcd(async (etcd, raw, backends) => {
      const a = await startBackend(etcd.endpoint, '/tenant');
      const b = await startBackend(etcd.endpoint, '/tenant2/');
      backends.push(a, b);
      const seenByA = recorder();
      await a.watch('/', 0, seenByA.listener, seenByA.stop.signal);

      const first = await a.create('/registry/pods/p', 'pa');
      await raw.put('/elsewhere/x').value('foreign');
      const second = await b.create('/registry/pods/p', 'pb');
      assert.deepEqual([first, second], [1, 3], "etcd's revisions are global: the foreign write took 2");

      assert.equal(await raw.get('/tenant/registry/pods/p').string(), 'pa');
      assert.equal(await raw.get('/tenant2/registry/pods/p').string(), 'pb');
      assert.deepEqual((await a.list('')).kvs, [
        { key: '/registry/pods/p', value: 'pa', createRevision: 1, modRevision: 1 },
      ]);
      assert.deepEqual(
        (await b.list('/registry/')).kvs.map((kv) => kv.value),
        ['pb'],
      );
      assert.deepEqual((await a.list('', { startKey: 'z' })).kvs, [], 'a start key past the data keys');
      assert.equal(await a.currentRevision(), first, 'a store reports the last write under its own prefix');
      assert.deepEqual(
        seenByA.events.map((e) => e.revision),
        [first],
      );
      await assert.rejects(a.create('registry/no-slash', 'v'), /does not start with "\/"/);
      seenByA.stop.abort();
    }));

  test('two backends on one prefix see each other: reads, watches, compare-and-swap and compaction', () =>
    withEtcd(async (etcd, _raw, backends) => {
      const prefix = uniquePrefix();
      const a = await startBackend(etcd.endpoint, prefix);
      const b = await startBackend(etcd.endpoint, prefix);
      backends.push(a, b);
      const [seenByA, seenByB] = [recorder(), recorder()];
      await a.watch('/registry/', 0, seenByA.listener, seenByA.stop.signal);
      await b.watch('/registry/', 0, seenByB.listener, seenByB.stop.signal);

      const created = await a.create('/registry/pods/p', 'v1');
      // What b reads, b's watchers have already seen.
      assert.deepEqual(await b.get('/registry/pods/p'), {
        revision: created,
        kv: { key: '/registry/pods/p', value: 'v1', createRevision: created, modRevision: created },
      });
      assert.deepEqual(
        seenByB.events.map((e) => [e.type, e.revision]),
        [['create', created]],
      );

      const updated = await b.update('/registry/pods/p', 'v2', created);
      const stale = await a.update('/registry/pods/p', 'v3', created);
      assert.deepEqual(stale, { ok: false, revision: updated.revision, kv: updated.kv });
      assert.deepEqual(
        seenByA.events.map((e) => e.revision),
        [created, updated.revision],
        "a's refusal waited for b's write to reach a's watchers",
      );
      await assert.rejects(a.create('/registry/pods/p', 'x'), KeyExistsError);

      assert.equal(await b.compact(updated.revision), updated.revision);
      assert.equal(await a.compact(1), updated.revision, 'a learns the compact revision from etcd');
      await assert.rejects(
        a.watch('/registry/', created - 1, () => {}, new AbortController().signal),
        CompactedError,
      );
      seenByA.stop.abort();
      seenByB.stop.abort();
    }));
}
