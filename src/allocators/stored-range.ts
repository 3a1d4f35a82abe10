/**
 * Allocation state kept in storage like any object (kube-apiserver's RangeAllocation under
 * `/registry/ranges/…`, allocator/storage/storage.go): every change is a read-modify-write with
 * compare-and-swap on the key's modRevision, so several API servers sharing one store never hand
 * out the same item twice. The decoded bitmap is cached, but only trusted for the modRevision it
 * was read at.
 */
import { errors } from '../apimachinery/errors.js';
import { KeyExistsError, type Backend, type KeyValue } from '../storage/interface.js';
import { Bitmap } from './bitmap.js';

/** Storage key of the ClusterIP bitmap. Outside every resource prefix, so no watch cache sees it. */
export const SERVICE_IPS_KEY = '/registry/ranges/serviceips';
/** Storage key of the NodePort bitmap. */
export const NODE_PORTS_KEY = '/registry/ranges/servicenodeports';

/** A contiguous range of items (addresses, ports) mapped onto bitmap items `[0, size)`. */
export interface AllocationRange<T> {
  /** The range as configured and stored, e.g. `10.0.0.0/16` or `30000-32767`. */
  readonly text: string;
  readonly size: number;
  /** Size of the static band at the bottom of the range. */
  readonly offset: number;
  /** The bitmap item of `item`, or undefined when `item` is not allocatable in this range. */
  indexOf(item: T): number | undefined;
  itemAt(index: number): T;
}

/** The stored value: upstream's core/v1 RangeAllocation. */
interface RangeAllocationRecord {
  apiVersion: 'v1';
  kind: 'RangeAllocation';
  metadata: Record<string, never>;
  range: string;
  data: string;
}

export interface RangeStoreOptions<T, R extends AllocationRange<T>> {
  backend: Backend;
  key: string;
  range: R;
  /** Parses a stored range text, so allocations survive a change of the configured range. */
  parseRange: (text: string) => AllocationRange<T>;
  /** Most compare-and-swap attempts of one transaction (default 100). */
  maxAttempts?: number;
}

/** A bitmap stored under one key, changed only through compare-and-swap transactions. */
export class RangeStore<T, R extends AllocationRange<T> = AllocationRange<T>> {
  readonly range: R;
  private readonly backend: Backend;
  private readonly key: string;
  private readonly parseRange: (text: string) => AllocationRange<T>;
  private readonly maxAttempts: number;
  private cached?: { modRevision: number; bitmap: Bitmap };
  /** Transactions of this process run one at a time: racing ourselves would only cost retries. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(opts: RangeStoreOptions<T, R>) {
    this.backend = opts.backend;
    this.key = opts.key;
    this.range = opts.range;
    this.parseRange = opts.parseRange;
    this.maxAttempts = opts.maxAttempts ?? 100;
  }

  /** A private copy of the current bitmap (empty when nothing was stored yet). */
  async snapshot(): Promise<Bitmap> {
    const { kv } = await this.backend.get(this.key);
    return this.bitmapOf(kv);
  }

  /**
   * Runs `fn` on a private copy of the current bitmap and stores the result if it changed, with
   * compare-and-swap; when another writer got there first, `fn` runs again on the newer state. So
   * `fn` may run several times and must not touch anything but the bitmap it is given. A throw
   * from `fn` stores nothing and is passed on.
   */
  transact<R>(fn: (bitmap: Bitmap) => R): Promise<R> {
    const run = this.tail.then(() => this.runTransaction(fn));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async runTransaction<R>(fn: (bitmap: Bitmap) => R): Promise<R> {
    let { kv } = await this.backend.get(this.key);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const bitmap = this.bitmapOf(kv);
      const result = fn(bitmap);
      const value = this.encode(bitmap);
      if (kv ? kv.value === value : bitmap.used() === 0) return result;
      const written = kv ? await this.replace(kv, value) : await this.createKey(value);
      if (written.ok) {
        this.cached = { modRevision: written.revision, bitmap: bitmap.clone() };
        return result;
      }
      kv = written.current;
    }
    throw errors.internal(`failed to update the allocation range ${this.range.text}: too many concurrent writers`);
  }

  private async replace(
    kv: KeyValue,
    value: string,
  ): Promise<{ ok: true; revision: number } | { ok: false; current?: KeyValue }> {
    const res = await this.backend.update(this.key, value, kv.modRevision);
    return res.ok ? { ok: true, revision: res.revision } : { ok: false, current: res.kv };
  }

  private async createKey(value: string): Promise<{ ok: true; revision: number } | { ok: false; current?: KeyValue }> {
    try {
      return { ok: true, revision: await this.backend.create(this.key, value) };
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      return { ok: false, current: (await this.backend.get(this.key)).kv };
    }
  }

  private encode(bitmap: Bitmap): string {
    const record: RangeAllocationRecord = {
      apiVersion: 'v1',
      kind: 'RangeAllocation',
      metadata: {},
      range: this.range.text,
      data: bitmap.encode(),
    };
    return JSON.stringify(record);
  }

  private bitmapOf(kv: KeyValue | undefined): Bitmap {
    if (!kv) return new Bitmap(this.range.size, this.range.offset);
    if (this.cached?.modRevision === kv.modRevision) return this.cached.bitmap.clone();
    const bitmap = this.decode(kv.value);
    this.cached = { modRevision: kv.modRevision, bitmap: bitmap.clone() };
    return bitmap;
  }

  private decode(value: string): Bitmap {
    let record: RangeAllocationRecord;
    try {
      record = JSON.parse(value) as RangeAllocationRecord;
    } catch {
      throw errors.internal(`the allocation range stored at ${this.key} is corrupt`);
    }
    if (record.range === this.range.text) return Bitmap.decode(this.range.size, this.range.offset, record.data ?? '');
    return this.migrate(record);
  }

  /** The configured range changed: keep the stored allocations that still fall inside it. */
  private migrate(record: RangeAllocationRecord): Bitmap {
    const bitmap = new Bitmap(this.range.size, this.range.offset);
    let previous: AllocationRange<T>;
    try {
      previous = this.parseRange(record.range);
    } catch {
      // Unreadable old range: start empty; the repair loop re-adds what Services use.
      return bitmap;
    }
    for (const index of Bitmap.decode(previous.size, previous.offset, record.data ?? '').allocated()) {
      const moved = this.range.indexOf(previous.itemAt(index));
      if (moved !== undefined) bitmap.allocate(moved);
    }
    return bitmap;
  }
}
