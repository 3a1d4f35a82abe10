import type { KubeObject } from '../apimachinery/object.js';
import { CacheEvent, type WatchEventType } from './event.js';
import { History, type HistoryLimits } from './history.js';
import { CacheWatcher, type ObjectFilter } from './watcher.js';

export interface ListOptions {
  /** Key prefix narrowing the list (a namespace's keys); defaults to the whole resource. */
  prefix?: string;
  filter?: ObjectFilter;
  /** Resume strictly after this key (from a continue token). */
  afterKey?: string;
  limit?: number;
  /** Serve the state as of this revision (a continue token's snapshot); must be within history. */
  atRevision?: number;
}

export interface ListPage {
  items: KubeObject[];
  /** Key of the last item returned when more remain, for the continue token. */
  lastKey?: string;
  /** Matching-or-not objects left after the page (only meaningful without a filter). */
  remaining: number;
}

export interface WatchOptions {
  prefix?: string;
  filter?: ObjectFilter;
  /** Send events after this revision; undefined → synthetic ADDED for the current state first. */
  afterRevision?: number;
  maxQueue: number;
}

/**
 * The watch cache of one resource (kube-apiserver cacher + watch_cache): the current objects by
 * storage key, a bounded history of events, and the live watchers. It is fed only by the CacheHub,
 * in revision order; reads are synchronous and see every event applied so far.
 *
 * Objects handed out are shared; callers must not mutate them.
 */
export class ResourceCache {
  private readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | null = null;
  private readonly history: History;
  private readonly watchers = new Set<CacheWatcher>();
  private evictedWatchers = 0;

  constructor(
    readonly prefix: string,
    startRevision: number,
    limits: HistoryLimits,
    private readonly now: () => number,
  ) {
    this.history = new History(startRevision, limits, now);
  }

  /** Loads an object present when the cache started (no event, no history). */
  seed(key: string, obj: KubeObject): void {
    this.objects.set(key, obj);
    this.sortedKeys = null;
  }

  /** Applies one committed change and fans it out to watchers. */
  apply(type: WatchEventType, revision: number, key: string, obj: KubeObject): void {
    const prev = this.objects.get(key);
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, obj);
    if (!prev || type === 'DELETED') this.sortedKeys = null;
    const event = new CacheEvent(type, revision, key, obj, prev, this.now());
    this.history.append(event);
    for (const w of this.watchers) w.offer(event);
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  get size(): number {
    return this.objects.size;
  }

  stats(): {
    objects: number;
    historyEvents: number;
    historyEvicted: number;
    historyCompleteAfter: number;
    watchers: number;
    evictedWatchers: number;
  } {
    return {
      objects: this.objects.size,
      historyEvents: this.history.size,
      historyEvicted: this.history.evictedCount,
      historyCompleteAfter: this.history.completeAfter,
      watchers: this.watchers.size,
      evictedWatchers: this.evictedWatchers,
    };
  }

  /** One page of objects in key order, optionally as of an older revision still in history. */
  list(opts: ListOptions = {}): ListPage {
    const prefix = opts.prefix ?? this.prefix;
    const view = opts.atRevision === undefined ? undefined : this.viewAt(opts.atRevision);
    const keys = view ? view.keys : this.keys();
    const lookup = view ? view.lookup : (k: string) => this.objects.get(k);
    const start = lowerBound(
      keys,
      opts.afterKey !== undefined && opts.afterKey >= prefix ? opts.afterKey + '\0' : prefix,
    );
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KubeObject[] = [];
    let i = start;
    for (; i < keys.length && keys[i].startsWith(prefix); i++) {
      const obj = lookup(keys[i]);
      if (!obj || (opts.filter && !opts.filter(obj))) continue;
      if (items.length === limit) break;
      items.push(obj);
    }
    const more = i < keys.length && keys[i].startsWith(prefix);
    if (!more) return { items, remaining: 0 };
    return { items, lastKey: keys[i - 1] ?? keys[start], remaining: countWithPrefix(keys, i, prefix) };
  }

  /** Registers a watcher; throws Expired (410) when `afterRevision` is older than the history. */
  watch(opts: WatchOptions, currentRevision: number): CacheWatcher {
    const prefix = opts.prefix ?? this.prefix;
    const userFilter = opts.filter;
    const filter: ObjectFilter = (o) => keyOfObjectStartsWith(o, prefix, this.prefix) && (!userFilter || userFilter(o));
    const backlog = opts.afterRevision === undefined ? undefined : this.history.eventsAfter(opts.afterRevision);
    const watcher = new CacheWatcher(filter, opts.maxQueue, opts.afterRevision ?? currentRevision, (w) => {
      this.watchers.delete(w);
      if (w.closeReason === 'slow') this.evictedWatchers++;
    });
    if (backlog) {
      for (const event of backlog) watcher.offer(event);
    } else {
      for (const obj of this.list({ prefix, filter: userFilter }).items) {
        watcher.enqueue({
          type: 'ADDED',
          revision: Number(obj.metadata.resourceVersion),
          object: obj,
          json: () => JSON.stringify(obj),
        });
      }
    }
    this.watchers.add(watcher);
    return watcher;
  }

  /** Closes every watcher (server shutdown). */
  closeAll(): void {
    for (const w of [...this.watchers]) w.close('shutdown');
  }

  private keys(): string[] {
    this.sortedKeys ??= [...this.objects.keys()].sort();
    return this.sortedKeys;
  }

  /** The keyspace as it was at `revision`: current state with later events undone. */
  private viewAt(revision: number): { keys: string[]; lookup: (k: string) => KubeObject | undefined } {
    const later = this.history.eventsAfter(revision);
    if (later.length === 0) return { keys: this.keys(), lookup: (k) => this.objects.get(k) };
    const undone = new Map<string, KubeObject | undefined>();
    for (const e of later) if (!undone.has(e.key)) undone.set(e.key, e.prevObject);
    const keys = [...new Set([...this.keys(), ...undone.keys()])].sort();
    return { keys, lookup: (k) => (undone.has(k) ? undone.get(k) : this.objects.get(k)) };
  }
}

/**
 * Watchers of a namespace see only its objects. The storage key is not on the object, so match on
 * metadata instead: the namespace prefix is `<resourcePrefix><namespace>/`.
 */
function keyOfObjectStartsWith(obj: KubeObject, prefix: string, resourcePrefix: string): boolean {
  if (prefix === resourcePrefix) return true;
  return `${resourcePrefix}${obj.metadata.namespace}/` === prefix;
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countWithPrefix(keys: string[], from: number, prefix: string): number {
  let n = 0;
  for (let i = from; i < keys.length && keys[i].startsWith(prefix); i++) n++;
  return n;
}
