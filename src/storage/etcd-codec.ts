import type { IEvent, IKeyValue, IRangeResponse } from 'etcd3';
import type { KeyValue, StorageEvent } from './interface.js';

/**
 * Backend revisions are etcd's minus one. A fresh etcd is at revision 1 with nothing written,
 * while the `Backend` contract (interface.ts) reports 0 for an empty store; with the offset the
 * first write is revision 1 in both. Every revision the backend reports maps to exactly one etcd revision and back.
 */
export function toEtcdRevision(revision: number): number {
  return revision + 1;
}

/** The backend revision of an etcd revision (etcd sends int64 values as decimal strings). */
export function fromEtcdRevision(revision: number | string): number {
  return Number(revision) - 1;
}

/** An etcd key range: `[key, range_end)`. */
export interface EtcdRange {
  key: Buffer;
  range_end: Buffer;
}

/**
 * Where one backend's data lives in etcd. Key `k` (every kplane key starts with `/`) is stored at
 * `prefix + k`, so `etcdctl get --prefix /kplane/registry/` shows it as is, and data keys are
 * exactly the range [`prefix/`, `prefix0`): a backend on `/kplane` never sees `/kplane2/…`. The
 * prefix itself, as a key, is the revision marker: every write puts it in the same txn, so its
 * modRevision is the revision of the last write under the prefix, even when other data in the same
 * etcd moves etcd's revision on (see etcd.ts).
 */
export class EtcdKeyLayout {
  /** The prefix without trailing slashes. */
  readonly prefix: string;
  readonly marker: Buffer;
  /** Every data key and nothing else. */
  readonly dataRange: EtcdRange;

  constructor(prefix: string) {
    this.prefix = prefix.replace(/\/+$/, '');
    if (this.prefix === '') throw new Error(`etcd key prefix "${prefix}" must name something besides slashes`);
    this.marker = Buffer.from(this.prefix);
    this.dataRange = { key: Buffer.from(`${this.prefix}/`), range_end: prefixEnd(Buffer.from(`${this.prefix}/`)) };
  }

  /** The etcd key of backend key `key`. */
  dataKey(key: string): Buffer {
    if (!key.startsWith('/')) throw new Error(`storage key "${key}" does not start with "/"`);
    return Buffer.from(this.prefix + key);
  }

  /** The range `list(prefix, { startKey })` reads: data keys under `prefix` from `startKey` on. */
  listRange(prefix: string, startKey?: string): EtcdRange {
    const from = startKey !== undefined && startKey > prefix ? startKey : prefix;
    const start = Buffer.from(this.prefix + from);
    const end = prefixEnd(Buffer.from(this.prefix + prefix));
    const { key, range_end } = this.dataRange;
    // Clamped to the data keys; an empty result when start >= end.
    return {
      key: Buffer.compare(start, key) > 0 ? start : key,
      range_end: Buffer.compare(end, range_end) < 0 ? end : range_end,
    };
  }

  decodeKv(kv: IKeyValue): KeyValue {
    return Object.freeze({
      key: kv.key.toString().slice(this.prefix.length),
      value: kv.value.toString(),
      createRevision: fromEtcdRevision(kv.create_revision),
      modRevision: fromEtcdRevision(kv.mod_revision),
    });
  }

  /**
   * One etcd watch event as a StorageEvent. Watches ask for `prev_kv`; etcd leaves it out only when
   * the previous revision is already compacted, and then a delete carries an empty value.
   */
  decodeEvent(event: IEvent): StorageEvent {
    const prevKv = event.prev_kv ? this.decodeKv(event.prev_kv) : undefined;
    const withPrev = prevKv ? { prevKv } : {};
    if (event.type === 'Delete') {
      const revision = fromEtcdRevision(event.kv.mod_revision);
      const key = event.kv.key.toString().slice(this.prefix.length);
      const kv = Object.freeze({
        key,
        value: prevKv?.value ?? '',
        createRevision: prevKv?.createRevision ?? 0,
        modRevision: revision,
      });
      return Object.freeze({ type: 'delete', revision, kv, ...withPrev });
    }
    const kv = this.decodeKv(event.kv);
    // etcd restarts `version` at 1 whenever a key is created (also after a delete).
    if (event.kv.version === '1') return Object.freeze({ type: 'create', revision: kv.modRevision, kv });
    return Object.freeze({ type: 'update', revision: kv.modRevision, kv, ...withPrev });
  }
}

/** The etcd revision of the last write under the prefix, read from the marker's range; 1 (nothing written) without it. */
export function markerRevision(range: IRangeResponse): number {
  const marker = range.kvs[0];
  return marker ? Number(marker.mod_revision) : 1;
}

/** The first key after every key starting with `prefix` (etcd's usual range end for a prefix). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: no key is greater, so range to the end of the keyspace.
  return Buffer.from([0]);
}
