/**
 * A table's non-built-in chains in listing (name) order, split into buckets by name prefix so a
 * re-render reuses every bucket whose chains did not change. kube-proxy's chain names end in a
 * base32 hash, so the buckets stay small and even whatever the Services are called.
 */
import { compareChainNames } from './assemble.js';
import type { Chain } from './rules.js';
import { SortedArray } from './sorted-array.js';

/** Name prefix length of a bucket: `KUBE-SEP-` plus two hash characters (32² buckets per kind). */
const BUCKET_PREFIX = 11;

interface Bucket {
  names: SortedArray<string>;
  /** Cached `:NAME - [0:0]` lines, undefined when stale. */
  declarations?: string;
  /** Cached rule lines of the bucket's chains, undefined when stale. */
  rules?: string;
  /** Cached chain objects, undefined when stale. */
  chains?: Chain[];
}

/** Truncating to a fixed length keeps order: buckets sort like the names they hold. */
const bucketOf = (name: string): string => name.slice(0, BUCKET_PREFIX);

/** The listed chains of one table, with per-bucket text caches. */
export class ChainListing {
  private readonly buckets = new Map<string, Bucket>();
  private readonly bucketOrder = new SortedArray<string>(compareChainNames);

  /** Adds a chain (no-op when listed). */
  add(name: string): void {
    const key = bucketOf(name);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, (bucket = { names: new SortedArray(compareChainNames) }));
      this.bucketOrder.insert(key);
    }
    bucket.names.insert(name);
    this.invalidateBucket(bucket);
  }

  /** Removes a chain (no-op when not listed). */
  remove(name: string): void {
    const key = bucketOf(name);
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    bucket.names.remove(name);
    if (bucket.names.size === 0) {
      this.buckets.delete(key);
      this.bucketOrder.remove(key);
    } else {
      this.invalidateBucket(bucket);
    }
  }

  /** Drops the cached rules of the chain's bucket after its rules changed. */
  changed(name: string): void {
    const bucket = this.buckets.get(bucketOf(name));
    if (bucket) bucket.rules = bucket.chains = undefined;
  }

  private invalidateBucket(bucket: Bucket): void {
    bucket.declarations = bucket.rules = bucket.chains = undefined;
  }

  /** Every chain in order, as `chainOf` gives it (cached per bucket). */
  chains(chainOf: (chain: string) => Chain): Chain[] {
    const out: Chain[] = [];
    for (const key of this.bucketOrder.values()) {
      const bucket = this.buckets.get(key)!;
      bucket.chains ??= bucket.names.values().map(chainOf);
      for (const chain of bucket.chains) out.push(chain);
    }
    return out;
  }

  /** The `:NAME - [0:0]` lines and the rule lines (`textOf` per chain, `''` for none), each as `\n`-joined blocks. */
  render(textOf: (chain: string) => string): { declarations: string[]; rules: string[] } {
    const declarations: string[] = [];
    const rules: string[] = [];
    for (const key of this.bucketOrder.values()) {
      const bucket = this.buckets.get(key)!;
      bucket.declarations ??= bucket.names
        .values()
        .map((n) => `:${n} - [0:0]`)
        .join('\n');
      bucket.rules ??= bucket.names
        .values()
        .map(textOf)
        .filter((t) => t !== '')
        .join('\n');
      declarations.push(bucket.declarations);
      if (bucket.rules !== '') rules.push(bucket.rules);
    }
    return { declarations, rules };
  }
}
