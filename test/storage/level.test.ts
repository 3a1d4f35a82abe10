import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ClassicLevel } from 'classic-level';
import type { StorageEvent } from '../../src/storage/interface.js';
import { KeyValueIndex } from '../../src/storage/key-value-index.js';
import { LevelBackend } from '../../src/storage/level.js';
import { eventually } from '../helpers/eventually.js';
import { runBackendConformance } from './conformance.js';

runBackendConformance('level', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kplane-level-'));
  const open = async (): Promise<LevelBackend> => {
    const backend = new LevelBackend({ path: join(dir, 'db') });
    await backend.start();
    return backend;
  };
  let current = await open();
  return {
    backend: current,
    reopen: async () => {
      await current.close();
      current = await open();
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('level backend writes the documented key layout and compaction deletes log entries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kplane-level-layout-'));
  try {
    const backend = new LevelBackend({ path: dir, syncWrites: true });
    await backend.start();
    await backend.create('/registry/pods/ns/a', 'a1'); // 1
    await backend.update('/registry/pods/ns/a', 'a2', 1); // 2
    await backend.create('/registry/pods/ns/b', 'b1'); // 3
    await backend.delete('/registry/pods/ns/b'); // 4
    await backend.compact(2);
    await backend.close();

    const raw = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
    try {
      const entries = Object.fromEntries(await raw.iterator().all());
      assert.deepEqual(Object.keys(entries).sort(), [
        'cur//registry/pods/ns/a',
        'log/0000000000000003',
        'log/0000000000000004',
        'meta/compact',
        'meta/rev',
      ]);
      assert.equal(entries['meta/rev'], '4');
      assert.equal(entries['meta/compact'], '2');
      assert.deepEqual(JSON.parse(entries['cur//registry/pods/ns/a']), {
        value: 'a2',
        createRevision: 1,
        modRevision: 2,
      });
      assert.deepEqual(JSON.parse(entries['log/0000000000000004']), {
        type: 'delete',
        key: '/registry/pods/ns/b',
        value: null,
        createRevision: 3,
        prevModRevision: 3,
        prevValue: 'b1',
      });
    } finally {
      await raw.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

type BatchArgs = [operations: unknown, options?: unknown];
type BatchMethod = (this: unknown, ...args: BatchArgs) => Promise<void>;

/**
 * Holds every array `db.batch()` of every ClassicLevel until the test lets it through (or fails
 * it), so a test decides when a group commits. node:test removes the mock when the test ends.
 */
class HeldBatches {
  issued = 0;
  private holding = true;
  private readonly waiting: Array<(error?: Error) => void> = [];

  constructor(t: TestContext) {
    const prototype = ClassicLevel.prototype as unknown as { batch: BatchMethod };
    const original = prototype.batch;
    const hold = (): Promise<void> => {
      this.issued++;
      if (!this.holding) return Promise.resolve();
      return new Promise((resolve, reject) => this.waiting.push((error) => (error ? reject(error) : resolve())));
    };
    t.mock.method(prototype, 'batch', function (this: unknown, ...args: BatchArgs) {
      return hold().then(() => original.apply(this, args));
    });
  }

  /** Lets the oldest held batch reach LevelDB, or makes it fail with `error`. */
  release(error?: Error): void {
    const next = this.waiting.shift();
    assert.ok(next, 'no batch is held');
    next(error);
  }

  /** Lets every held and later batch through (also run on cleanup, so a failed test cannot hang). */
  stopHolding(): void {
    this.holding = false;
    while (this.waiting.length > 0) this.release();
  }
}

/** Waits until `n` batches went out (real LevelDB I/O runs in between; a loaded CI machine can be slow). */
function batchesIssued(batches: HeldBatches, n: number): Promise<void> {
  return eventually(async () => assert.equal(batches.issued, n, 'batches issued'), 5000, 1);
}

interface LevelDir {
  /** Starts a backend on the directory (again after a close). */
  open(): Promise<LevelBackend>;
  /** From now on, holds the batches of every backend. */
  holdBatches(): HeldBatches;
}

/** Runs `body` with a fresh directory; afterwards releases held batches, closes backends, deletes it. */
async function withLevelDir(t: TestContext, body: (dir: LevelDir) => Promise<void>): Promise<void> {
  const path = await mkdtemp(join(tmpdir(), 'kplane-level-group-'));
  const opened: LevelBackend[] = [];
  let held: HeldBatches | undefined;
  const dir: LevelDir = {
    open: async () => {
      const backend = new LevelBackend({ path });
      await backend.start();
      opened.push(backend);
      return backend;
    },
    holdBatches: () => (held = new HeldBatches(t)),
  };
  try {
    await body(dir);
  } finally {
    held?.stopHolding();
    for (const backend of opened) await backend.close();
    await rm(path, { recursive: true, force: true });
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('writes arriving while a batch is in flight commit together as the next batch', (t) =>
  withLevelDir(t, async (dir) => {
    const b = await dir.open();
    const batches = dir.holdBatches();
    const writes = range(1, 50).map((i) => b.create(`/registry/pods/p${i}`, 'v'));
    assert.equal(batches.issued, 1, 'the first write goes out alone');
    batches.release();
    await batchesIssued(batches, 2);
    assert.equal(await b.currentRevision(), 1, 'the second group is not visible before it commits');
    batches.release();
    assert.deepEqual(await Promise.all(writes), range(1, 50), 'revisions follow call order');
    assert.equal(batches.issued, 2);
    assert.equal((await b.list('/registry/pods/')).kvs.length, 50);
  }));

test('reads, list, currentRevision and watchers see a write only once its batch committed', (t) =>
  withLevelDir(t, async (dir) => {
    const b = await dir.open();
    await b.create('/registry/pods/a', 'a1');
    const seen: StorageEvent[] = [];
    const watching = new AbortController();
    await b.watch('/registry/pods/', 1, (events) => seen.push(...events), watching.signal);
    const batches = dir.holdBatches();
    const update = b.update('/registry/pods/a', 'a2', 1);
    await batchesIssued(batches, 1);
    assert.equal((await b.get('/registry/pods/a')).kv?.value, 'a1');
    assert.deepEqual(
      (await b.list('/registry/pods/')).kvs.map((kv) => kv.value),
      ['a1'],
    );
    assert.equal(await b.currentRevision(), 1);
    assert.equal(seen.length, 0);
    batches.release();
    assert.equal((await update).revision, 2);
    assert.deepEqual(
      seen.map((e) => e.revision),
      [2],
    );
    assert.equal((await b.get('/registry/pods/a')).kv?.value, 'a2');
    watching.abort();
  }));

test('a failed batch is fatal: its writes, queued writes and later writes reject, reads keep the committed state', (t) =>
  withLevelDir(t, async (dir) => {
    const b = await dir.open();
    await b.create('/registry/pods/a', 'a1');
    const batches = dir.holdBatches();
    const inFlight = b.create('/registry/pods/b', 'b1');
    const queued = b.update('/registry/pods/a', 'a2', 1);
    const diskFull = new Error('disk full');
    batches.release(diskFull);
    const isDiskFull = (err: unknown): boolean => err === diskFull;
    await assert.rejects(inFlight, isDiskFull);
    await assert.rejects(queued, isDiskFull);
    batches.stopHolding();
    const later: Array<[string, () => Promise<unknown>]> = [
      ['create', () => b.create('/registry/pods/c', 'c1')],
      ['update', () => b.update('/registry/pods/a', 'a3', 1)],
      ['delete', () => b.delete('/registry/pods/a')],
      ['compact', () => b.compact(1)],
    ];
    for (const [call, run] of later) await assert.rejects(run(), isDiskFull, call);
    assert.equal(batches.issued, 1, 'nothing reaches LevelDB after the failure');
    assert.equal(await b.currentRevision(), 1);
    assert.deepEqual((await b.list('/registry/pods/')).kvs, [
      { key: '/registry/pods/a', value: 'a1', createRevision: 1, modRevision: 1 },
    ]);
    await b.close();

    const reopened = await dir.open();
    assert.equal(await reopened.currentRevision(), 1);
    assert.equal(await reopened.create('/registry/pods/b', 'b1'), 2);
  }));

test('close waits for the in-flight and queued writes and refuses new ones', (t) =>
  withLevelDir(t, async (dir) => {
    const b = await dir.open();
    const batches = dir.holdBatches();
    const writes = range(1, 3).map((i) => b.create(`/registry/pods/p${i}`, 'v'));
    const closed = b.close();
    await assert.rejects(b.create('/registry/pods/late', 'v'), /closed/);
    batches.release();
    await batchesIssued(batches, 2);
    batches.release();
    await closed;
    assert.deepEqual(await Promise.all(writes), [1, 2, 3]);

    batches.stopHolding();
    const reopened = await dir.open();
    assert.equal(await reopened.currentRevision(), 3);
    assert.deepEqual(
      (await reopened.list('/registry/pods/')).kvs.map((kv) => kv.key),
      range(1, 3).map((i) => `/registry/pods/p${i}`),
    );
  }));

/** One step against a KeyValueIndex: set or delete a key, or read the keys from a start key. */
type IndexStep = { set: string } | { del: string } | { from: string; keys: string[] };

const indexCases: Array<{ name: string; steps: IndexStep[] }> = [
  {
    name: 'keys added out of order read back sorted',
    steps: [{ set: 'c' }, { set: 'a' }, { set: 'b' }, { from: '', keys: ['a', 'b', 'c'] }],
  },
  {
    name: 'keys added after a read merge into the order',
    steps: [
      { set: 'b' },
      { set: 'd' },
      { from: '', keys: ['b', 'd'] },
      { set: 'c' },
      { set: 'a' },
      { from: '', keys: ['a', 'b', 'c', 'd'] },
    ],
  },
  {
    name: 'a deleted key disappears, also when added again before the next read',
    steps: [
      { set: 'a' },
      { set: 'b' },
      { set: 'c' },
      { from: '', keys: ['a', 'b', 'c'] },
      { del: 'b' },
      { from: '', keys: ['a', 'c'] },
      { del: 'a' },
      { set: 'a' },
      { del: 'c' },
      { from: '', keys: ['a'] },
    ],
  },
  {
    name: 'a key added and deleted between reads never shows',
    steps: [{ set: 'a' }, { from: '', keys: ['a'] }, { set: 'b' }, { del: 'b' }, { from: '', keys: ['a'] }],
  },
  {
    name: 'reads start at the first key at or after the start key',
    steps: [
      { set: 'a' },
      { set: 'c' },
      { set: 'e' },
      { from: 'c', keys: ['c', 'e'] },
      { from: 'd', keys: ['e'] },
      { from: 'f', keys: [] },
    ],
  },
  {
    name: 'setting a live key again replaces its value without duplicating it',
    steps: [{ set: 'a' }, { from: '', keys: ['a'] }, { set: 'a' }, { from: '', keys: ['a'] }],
  },
];

for (const tc of indexCases) {
  test(`KeyValueIndex: ${tc.name}`, () => {
    const index = new KeyValueIndex();
    let revision = 0;
    for (const step of tc.steps) {
      if ('set' in step)
        index.set({
          key: step.set,
          value: `${step.set}@${++revision}`,
          createRevision: revision,
          modRevision: revision,
        });
      else if ('del' in step) index.delete(step.del);
      else {
        const kvs = [...index.from(step.from)];
        assert.deepEqual(
          kvs.map((kv) => kv.key),
          step.keys,
        );
        for (const kv of kvs) assert.equal(index.get(kv.key), kv);
      }
    }
  });
}
