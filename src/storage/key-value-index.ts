import type { KeyValue, ListResult } from './interface.js';

/**
 * The current value of every live key, with the keys in ascending order for range reads.
 *
 * The order is rebuilt lazily, on the first range read after keys were added or removed: new keys
 * are sorted among themselves and merged into the old order, so a burst of creates costs one sort
 * of the new keys plus one linear merge, not one array insertion each. Keys compare by UTF-16 code
 * unit, like MemoryBackend; that is LevelDB's (UTF-8) byte order for every key without characters
 * at or above U+D800 (Kubernetes keys are ASCII).
 */
export class KeyValueIndex {
  private readonly values = new Map<string, KeyValue>();
  /** Ascending; stale while `added` is non-empty or `removedSinceSort` is set. */
  private sorted: string[] = [];
  /** Keys that became live since the last sort. */
  private readonly added = new Set<string>();
  private removedSinceSort = false;

  get(key: string): KeyValue | undefined {
    return this.values.get(key);
  }

  /** Stores `kv` as the current value of `kv.key`. */
  set(kv: KeyValue): void {
    if (!this.values.has(kv.key)) this.added.add(kv.key);
    this.values.set(kv.key, kv);
  }

  delete(key: string): void {
    if (!this.values.delete(key)) return;
    if (!this.added.delete(key)) this.removedSinceSort = true;
  }

  /** Values of the keys >= `start`, in key order. Do not set or delete while iterating. */
  *from(start: string): Generator<KeyValue> {
    const keys = this.sortedKeys();
    for (let i = lowerBound(keys, start); i < keys.length; i++) yield this.values.get(keys[i])!;
  }

  private sortedKeys(): string[] {
    if (this.added.size === 0 && !this.removedSinceSort) return this.sorted;
    // A key removed and added again since the last sort sits in both lists: keep the `added` copy.
    const kept = this.removedSinceSort
      ? this.sorted.filter((k) => this.values.has(k) && !this.added.has(k))
      : this.sorted;
    this.sorted = mergeSorted(kept, [...this.added].sort());
    this.added.clear();
    this.removedSinceSort = false;
    return this.sorted;
  }
}

function mergeSorted(a: string[], b: readonly string[]): string[] {
  if (b.length === 0) return a;
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] < b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Index of the first key >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The Backend `list` contract over an index: keys under `prefix` from `startKey` on, at most `limit` (0 or less: all). */
export function listRange(
  index: KeyValueIndex,
  revision: number,
  prefix: string,
  opts: { startKey?: string; limit?: number } = {},
): ListResult {
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const from = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
  const kvs: KeyValue[] = [];
  for (const kv of index.from(from)) {
    if (!kv.key.startsWith(prefix)) break;
    if (kvs.length === limit) return { revision, kvs, more: true };
    kvs.push(kv);
  }
  return { revision, kvs, more: false };
}
