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
 * One process owns the directory, so the revision, the compact revision and the set of live keys
 * are kept in memory (loaded by `start()`): a create costs one batch and no read. Every write is
 * one atomic `db.batch()` (log entry + current value + `meta/rev`) taken under a write mutex,
 * because Node interleaves awaits between the compare and the write (kine memory.go `m.mu.Lock()`).
 */
export class LevelBackend implements Backend {
  private db: Db | undefined;
  private state: 'new' | 'open' | 'closed' = 'new';
  private closing: Promise<void> | undefined;
  private revision = 0;
  private compactRevision = 0;
  private readonly liveKeys = new Set<string>();
  private writeTail: Promise<unknown> = Promise.resolve();
  private compactTail: Promise<unknown> = Promise.resolve();
  /** Set from the moment a batch is handed to LevelDB until its revision is published in memory. */
  private commitInFlight: Promise<void> | undefined;
  private readonly syncWrites: boolean;
  private readonly notifier: WatchNotifier;

  constructor(private readonly opts: LevelBackendOptions) {
    this.syncWrites = opts.syncWrites ?? false;
    this.notifier = new WatchNotifier(opts.onListenerError);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`storage backend cannot start: it is ${this.state}`);
    await mkdir(this.opts.path, { recursive: true });
    const db: Db = new ClassicLevel<string, string>(this.opts.path, { valueEncoding: 'utf8' });
    await db.open();
    try {
      this.revision = Number((await db.get(REVISION_KEY)) ?? 0);
      this.compactRevision = Number((await db.get(COMPACT_KEY)) ?? 0);
      const keys = await db.keys({ gte: CURRENT_PREFIX, lt: prefixEnd(CURRENT_PREFIX) }).all();
      for (const key of keys) this.liveKeys.add(keyOfCurrentKey(key));
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
    return this.readSettled(async (db, revision) => {
      const kv = await this.readCurrent(db, key);
      return kv ? { revision, kv } : { revision };
    });
  }

  async list(prefix: string, opts: { startKey?: string; limit?: number } = {}): Promise<ListResult> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const from = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
    return this.readSettled(async (db, revision) => {
      const entries = await db
        .iterator({ gte: currentKey(from), lt: prefixEnd(currentKey(prefix)), limit: limit === undefined ? -1 : limit + 1 })
        .all();
      const more = limit !== undefined && entries.length > limit;
      const kvs = (more ? entries.slice(0, limit) : entries).map(([k, v]) => decodeCurrent(keyOfCurrentKey(k), v));
      return { revision, kvs, more };
    });
  }

  async create(key: string, value: string): Promise<number> {
    return this.exclusive(async (db) => {
      if (this.liveKeys.has(key)) throw new KeyExistsError(key);
      const revision = this.revision + 1;
      const kv = { key, value, createRevision: revision, modRevision: revision };
      await this.commit(db, { type: 'create', revision, kv });
      return revision;
    });
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<{ ok: boolean; revision: number; kv?: KeyValue }> {
    return this.exclusive(async (db) => {
      const prevKv = await this.readCurrent(db, key);
      if (!prevKv) return { ok: false, revision: this.revision };
      if (prevKv.modRevision !== expectedModRevision) return { ok: false, revision: this.revision, kv: prevKv };
      const revision = this.revision + 1;
      const kv = { key, value, createRevision: prevKv.createRevision, modRevision: revision };
      await this.commit(db, { type: 'update', revision, kv, prevKv });
      return { ok: true, revision, kv };
    });
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ ok: boolean; revision: number; kv?: KeyValue }> {
    return this.exclusive(async (db) => {
      const prevKv = await this.readCurrent(db, key);
      if (!prevKv) return { ok: false, revision: this.revision };
      if (expectedModRevision !== undefined && prevKv.modRevision !== expectedModRevision) {
        return { ok: false, revision: this.revision, kv: prevKv };
      }
      const revision = this.revision + 1;
      const kv = { key, value: prevKv.value, createRevision: prevKv.createRevision, modRevision: revision };
      await this.commit(db, { type: 'delete', revision, kv, prevKv });
      return { ok: true, revision, kv };
    });
  }

  async watch(prefix: string, afterRevision: number, listener: WatchListener, signal: AbortSignal): Promise<void> {
    const db = this.openDb();
    await this.notifier.watch(prefix, afterRevision, listener, signal, (sink) => this.replay(db, afterRevision, sink, signal));
  }

  async compact(revision: number): Promise<number> {
    this.openDb();
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
    await this.writeTail;
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

  /** Commits one event in a single batch, then publishes it: revision, live keys, watchers. */
  private async commit(db: Db, event: StorageEvent): Promise<void> {
    const { key } = event.kv;
    const ops: WriteOp[] = [
      { type: 'put', key: logKey(event.revision), value: encodeLogRecord(event) },
      event.type === 'delete'
        ? { type: 'del', key: currentKey(key) }
        : { type: 'put', key: currentKey(key), value: encodeCurrent(event.kv) },
      { type: 'put', key: REVISION_KEY, value: String(event.revision) },
    ];
    let published!: () => void;
    this.commitInFlight = new Promise((resolve) => (published = resolve));
    try {
      await db.batch(ops, { sync: this.syncWrites });
      this.revision = event.revision;
      if (event.type === 'delete') this.liveKeys.delete(key);
      else this.liveKeys.add(key);
    } finally {
      this.commitInFlight = undefined;
      published();
    }
    this.notifier.publish(freezeEvent(event));
  }

  /** Runs `fn` alone among writes: the read-compare-batch sequence must not interleave. */
  private exclusive<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    this.openDb();
    const run = this.writeTail.then(() => fn(this.openDb()));
    this.writeTail = run.catch(() => {});
    return run;
  }

  /**
   * Runs `read` once no batch sits between "committed in LevelDB" and "published in memory". `read`
   * is called in the same tick as the last check and must issue its LevelDB read before awaiting:
   * the read's implicit snapshot is taken at call time, so it matches `revision` exactly.
   */
  private async readSettled<T>(read: (db: Db, revision: number) => Promise<T>): Promise<T> {
    this.openDb();
    while (this.commitInFlight) await this.commitInFlight;
    return read(this.openDb(), this.revision);
  }

  private async readCurrent(db: Db, key: string): Promise<KeyValue | undefined> {
    if (!this.liveKeys.has(key)) return undefined;
    const text = await db.get(currentKey(key));
    return text === undefined ? undefined : decodeCurrent(key, text);
  }

  private openDb(): Db {
    if (this.state !== 'open' || !this.db) {
      throw new Error(this.state === 'closed' ? 'storage backend is closed' : 'storage backend is not started');
    }
    return this.db;
  }
}

function freezeEvent(event: StorageEvent): StorageEvent {
  Object.freeze(event.kv);
  if (event.prevKv) Object.freeze(event.prevKv);
  return Object.freeze(event);
}
