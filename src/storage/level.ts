import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import {
  CompactedError,
  KeyExistsError,
  type Backend,
  type KeyValue,
  type ListResult,
  type StorageEvent,
  type WatchListener,
} from './interface.js';
import {
  COMPACT_KEY,
  CURRENT_PREFIX,
  REVISION_KEY,
  currentKey,
  decodeCurrent,
  decodeLogRecord,
  encodeCurrent,
  encodeLogRecord,
  keyOfCurrentKey,
  logKey,
  prefixEnd,
  revisionOfLogKey,
} from './level-records.js';
import { GroupCommit } from './group-commit.js';
import { KeyValueIndex, listRange } from './key-value-index.js';
import { WatchNotifier, type ListenerErrorHandler, type ReplaySink } from './notifier.js';

/** Options for {@link LevelBackend}. */
export interface LevelBackendOptions {
  /** Database directory; created (mkdir -p) by `start()`. */
  path: string;
  /** fsync every write: survives power loss, not only a process kill. Default false. */
  syncWrites?: boolean;
  /** Receives errors thrown by watch listeners (they never fail the write). Default: ignored. */
  onListenerError?: ListenerErrorHandler;
}

type Db = ClassicLevel<string, string>;
type WriteOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/** Log entries read per step while replaying a watch. */
const REPLAY_CHUNK = 1000;
/** Log entries deleted per batch while compacting, so a huge compaction never blocks for long. */
const COMPACT_BATCH = 1000;

/**
 * LevelDB backend (classic-level), laid out like kine's single log table (see level-records.ts).
 *
 * One process owns the directory, so the revision, the compact revision and the current value of
 * every live key are kept in memory (loaded by `start()`): reads never touch LevelDB, and a write
 * costs no read. Writes group-commit: each write is decided synchronously at call time against the
 * latest view (committed state plus accepted writes still queued), takes the next revision and
 * joins the next batch; one `db.batch()` at a time carries every write that arrived meanwhile (see
 * group-commit.ts). Reads, `currentRevision()` and watchers see a write only once its batch has
 * committed, and a write resolves only after that, so an acknowledged write survives a kill -9.
 *
 * A failed batch (an I/O error) is fatal: that batch's writes, the queued ones and every later
 * write or compaction reject with its error. Reads and watches keep serving what was committed.
 */
export class LevelBackend implements Backend {
  private db: Db | undefined;
  private state: 'new' | 'open' | 'closed' = 'new';
  private closing: Promise<void> | undefined;
  /** Revision of the last committed write: what reads and `currentRevision()` report. */
  private revision = 0;
  /** Revision of the last accepted write, committed or still queued. */
  private latestRevision = 0;
  private compactRevision = 0;
  /** The committed value of every live key. */
  private readonly committed = new KeyValueIndex();
  /** Accepted but uncommitted writes, the newest per key; over `committed` they form the latest view. */
  private readonly uncommitted = new Map<string, StorageEvent>();
  private readonly writes: GroupCommit<StorageEvent>;
  private compactTail: Promise<unknown> = Promise.resolve();
  private readonly syncWrites: boolean;
  private readonly notifier: WatchNotifier;

  constructor(private readonly opts: LevelBackendOptions) {
    this.syncWrites = opts.syncWrites ?? false;
    this.notifier = new WatchNotifier(opts.onListenerError);
    this.writes = new GroupCommit(
      (events) => this.writeBatch(events),
      (events) => this.publish(events),
    );
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`storage backend cannot start: it is ${this.state}`);
    await mkdir(this.opts.path, { recursive: true });
    const db: Db = new ClassicLevel<string, string>(this.opts.path, { valueEncoding: 'utf8' });
    await db.open();
    try {
      this.revision = Number((await db.get(REVISION_KEY)) ?? 0);
      this.latestRevision = this.revision;
      this.compactRevision = Number((await db.get(COMPACT_KEY)) ?? 0);
      for await (const [key, text] of db.iterator({ gte: CURRENT_PREFIX, lt: prefixEnd(CURRENT_PREFIX) })) {
        this.committed.set(Object.freeze(decodeCurrent(keyOfCurrentKey(key), text)));
      }
    } catch (err) {
      await db.close();
      throw err;
    }
    this.db = db;
    this.state = 'open';
  }

  async currentRevision(): Promise<number> {
    this.openDb();
    return this.revision;
  }

  async get(key: string): Promise<{ revision: number; kv?: KeyValue }> {
    this.openDb();
    const kv = this.committed.get(key);
    return kv ? { revision: this.revision, kv } : { revision: this.revision };
  }

  async list(prefix: string, opts: { startKey?: string; limit?: number } = {}): Promise<ListResult> {
    this.openDb();
    return listRange(this.committed, this.revision, prefix, opts);
  }

  async create(key: string, value: string): Promise<number> {
    this.assertWritable();
    if (this.latestValue(key)) {
      await this.writes.drain();
      throw new KeyExistsError(key);
    }
    const revision = this.latestRevision + 1;
    await this.accept({ type: 'create', revision, kv: freezeKv(key, value, revision, revision) });
    return revision;
  }

  async update(
    key: string,
    value: string,
    expectedModRevision: number,
  ): Promise<{ ok: boolean; revision: number; kv?: KeyValue }> {
    this.assertWritable();
    const prevKv = this.latestValue(key);
    if (!prevKv || prevKv.modRevision !== expectedModRevision) return this.refuse(prevKv);
    const revision = this.latestRevision + 1;
    const kv = freezeKv(key, value, prevKv.createRevision, revision);
    await this.accept({ type: 'update', revision, kv, prevKv });
    return { ok: true, revision, kv };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ ok: boolean; revision: number; kv?: KeyValue }> {
    this.assertWritable();
    const prevKv = this.latestValue(key);
    if (!prevKv || (expectedModRevision !== undefined && prevKv.modRevision !== expectedModRevision)) {
      return this.refuse(prevKv);
    }
    const revision = this.latestRevision + 1;
    const kv = freezeKv(key, prevKv.value, prevKv.createRevision, revision);
    await this.accept({ type: 'delete', revision, kv, prevKv });
    return { ok: true, revision, kv };
  }

  async watch(prefix: string, afterRevision: number, listener: WatchListener, signal: AbortSignal): Promise<void> {
    const db = this.openDb();
    await this.notifier.watch(prefix, afterRevision, listener, signal, (sink) =>
      this.replay(db, afterRevision, sink, signal),
    );
  }

  async compact(revision: number): Promise<number> {
    this.assertWritable();
    const run = this.compactTail.then(() => this.compactTo(revision));
    this.compactTail = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (!wasOpen) return;
    // Accepted writes still commit; after a failed batch there is nothing left to flush.
    await this.writes.drain().catch(() => {});
    await this.compactTail;
    this.notifier.stopAll();
    await this.db!.close();
  }

  /**
   * Replays `log/` entries in (afterRevision, revision]; newer ones reach the watcher live. The
   * iterator's snapshot is taken in the same tick as the compaction check, and compaction raises
   * `compactRevision` before deleting anything, so no entry we need can vanish under us.
   */
  private async replay(db: Db, afterRevision: number, sink: ReplaySink, signal: AbortSignal): Promise<void> {
    if (afterRevision < this.compactRevision) throw new CompactedError(afterRevision, this.compactRevision);
    const upTo = this.revision;
    if (afterRevision >= upTo) return;
    const iterator = db.iterator({ gt: logKey(Math.max(afterRevision, 0)), lte: logKey(upTo) });
    try {
      while (!signal.aborted) {
        const entries = await iterator.nextv(REPLAY_CHUNK);
        if (entries.length === 0) break;
        sink(entries.map(([k, v]) => decodeLogRecord(revisionOfLogKey(k), v)));
      }
    } finally {
      await iterator.close();
    }
  }

  private async compactTo(revision: number): Promise<number> {
    const db = this.openDb();
    const target = Math.min(revision, this.revision);
    const from = this.compactRevision + 1;
    if (target < from) return this.compactRevision;
    await db.put(COMPACT_KEY, String(target), { sync: this.syncWrites });
    // Raised before any delete: see replay(). A crash mid-way only leaves unreachable entries behind.
    this.compactRevision = target;
    for (let start = from; start <= target && this.state === 'open'; start += COMPACT_BATCH) {
      const end = Math.min(start + COMPACT_BATCH - 1, target);
      const ops: WriteOp[] = [];
      for (let r = start; r <= end; r++) ops.push({ type: 'del', key: logKey(r) });
      await db.batch(ops);
    }
    return target;
  }

  /** The key's value in the latest view: committed state overlaid with uncommitted writes. */
  private latestValue(key: string): KeyValue | undefined {
    const pending = this.uncommitted.get(key);
    if (!pending) return this.committed.get(key);
    return pending.type === 'delete' ? undefined : pending.kv;
  }

  /** Takes `event` (at the next revision; its kvs frozen) into the latest view and the next batch. */
  private accept(event: StorageEvent): Promise<void> {
    Object.freeze(event);
    this.latestRevision = event.revision;
    this.uncommitted.set(event.kv.key, event);
    return this.writes.submit(event);
  }

  /**
   * Answers a write refused by the latest view (missing key or revision mismatch) once that view
   * has committed, so the caller never sees a value or revision that reads do not return yet.
   */
  private async refuse(kv: KeyValue | undefined): Promise<{ ok: false; revision: number; kv?: KeyValue }> {
    const revision = this.latestRevision;
    await this.writes.drain();
    return kv ? { ok: false, revision, kv } : { ok: false, revision };
  }

  /** One atomic batch for a group: each write's log entry and current value, then `meta/rev`. */
  private writeBatch(events: readonly StorageEvent[]): Promise<void> {
    const ops: WriteOp[] = [];
    for (const event of events) {
      const { key } = event.kv;
      ops.push(
        { type: 'put', key: logKey(event.revision), value: encodeLogRecord(event) },
        event.type === 'delete'
          ? { type: 'del', key: currentKey(key) }
          : { type: 'put', key: currentKey(key), value: encodeCurrent(event.kv) },
      );
    }
    ops.push({ type: 'put', key: REVISION_KEY, value: String(events[events.length - 1].revision) });
    // The store is closed only after every accepted write committed, so `db` is still open here.
    return this.db!.batch(ops, { sync: this.syncWrites });
  }

  /** Applies a committed group in revision order, each write visible to reads before its watchers run. */
  private publish(events: readonly StorageEvent[]): void {
    for (const event of events) {
      const { key } = event.kv;
      if (event.type === 'delete') this.committed.delete(key);
      else this.committed.set(event.kv);
      if (this.uncommitted.get(key) === event) this.uncommitted.delete(key);
      this.revision = event.revision;
      this.notifier.publish(event);
    }
  }

  /** Throws unless the store is open and no batch has failed. */
  private assertWritable(): void {
    this.openDb();
    const failure = this.writes.failure;
    if (failure) throw failure.error;
  }

  private openDb(): Db {
    if (this.state !== 'open' || !this.db) {
      throw new Error(this.state === 'closed' ? 'storage backend is closed' : 'storage backend is not started');
    }
    return this.db;
  }
}

function freezeKv(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision });
}
