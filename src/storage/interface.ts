/**
 * The storage contract every backend (memory, LevelDB, etcd) implements: a revisioned, log-structured
 * key-value store shaped like kine's `Backend` (k3s-io/kine pkg/server/types.go).
 *
 * Invariants every backend keeps, checked by test/storage/conformance.ts:
 * - One global revision counter. Every successful write (create, update, delete) takes the next
 *   revision; failed or no-op calls take none. Revisions never go backwards, also across restarts.
 * - `update` and `delete` are compare-and-swap on the key's `modRevision`; a mismatch writes nothing
 *   and returns `ok: false` with the current value.
 * - Every write is atomic: the value, the log entry and the revision counter change together or not at all.
 * - `watch` delivers every event with a revision greater than `afterRevision` for keys under the
 *   prefix, in revision order, exactly once, and then live events as they are committed. Listeners are
 *   called synchronously after the write commits and before the write's promise resolves, so a reader
 *   that saw the write's revision can rely on watchers having seen it too.
 * - A watch from a revision older than the compact revision throws `CompactedError`.
 */
export interface KeyValue {
  key: string;
  /** The stored bytes, as text (JSON for Kubernetes objects). */
  value: string;
  /** Revision at which the key was created (reset when it is deleted and created again). */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
}

export interface StorageEvent {
  type: 'create' | 'update' | 'delete';
  /** The revision of this write. */
  revision: number;
  /** The key's state after the write; for a delete, the last value with `modRevision` = this revision. */
  kv: KeyValue;
  /** The key's state before the write (absent on create). */
  prevKv?: KeyValue;
}

export interface ListResult {
  /** The store's revision when the list was read. */
  revision: number;
  /** Keys in ascending byte order. */
  kvs: KeyValue[];
  /** True when `limit` cut the result short. */
  more: boolean;
}

export type WatchListener = (events: readonly StorageEvent[]) => void;

export interface Backend {
  /** Opens the store (creating it if needed). Must be called before any other method. */
  start(): Promise<void>;
  /** The revision of the last committed write (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The current value of one key. */
  get(key: string): Promise<{ revision: number; kv?: KeyValue }>;
  /** Keys starting with `prefix`, from `startKey` (inclusive) on, at most `limit` of them. */
  list(prefix: string, opts?: { startKey?: string; limit?: number }): Promise<ListResult>;
  /** Creates a key that must not exist; throws `KeyExistsError` if it does. Returns the new revision. */
  create(key: string, value: string): Promise<number>;
  /** Replaces the value if the key's `modRevision` equals `expectedModRevision`. */
  update(
    key: string,
    value: string,
    expectedModRevision: number,
  ): Promise<{ ok: boolean; revision: number; kv?: KeyValue }>;
  /**
   * Deletes the key if it exists and (when given) its `modRevision` equals `expectedModRevision`.
   * `ok: false` with `kv` means a revision mismatch; `ok: false` without `kv` means the key is absent.
   */
  delete(key: string, expectedModRevision?: number): Promise<{ ok: boolean; revision: number; kv?: KeyValue }>;
  /**
   * Streams events for keys under `prefix` with revision > `afterRevision`, then live ones, until
   * `signal` aborts. Resolves once the listener is registered and history has been replayed.
   * Throws `CompactedError` when `afterRevision` < the compact revision.
   */
  watch(prefix: string, afterRevision: number, listener: WatchListener, signal: AbortSignal): Promise<void>;
  /** Forgets log entries at or below `revision` (never the newest ones); returns the compact revision. */
  compact(revision: number): Promise<number>;
  /** Flushes and closes; afterwards every call fails. */
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compactRevision: number,
  ) {
    super(`required revision ${requested} has been compacted (compact revision ${compactRevision})`);
    this.name = 'CompactedError';
  }
}
