import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { Backend, KeyValue, StorageEvent } from '../storage/interface.js';
import { ResourceCache } from './cacher.js';
import { defaultHistoryLimits, type HistoryLimits } from './history.js';

/** Storage values are objects without `resourceVersion`; reading stamps it from the key's modRevision. */
export function decodeObject(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

export interface CacheHubOptions {
  /** Storage prefix holding every resource: `/registry/`. */
  root: string;
  /** Per-resource key prefixes, e.g. `/registry/core/pods/`. */
  resourcePrefixes: readonly string[];
  history?: Partial<HistoryLimits>;
  now?: () => number;
}

/**
 * Feeds every resource's watch cache from ONE storage watch on the root prefix, in revision order,
 * and tracks the newest revision seen. Because the in-process backends notify synchronously on
 * commit, once a write's promise resolved its event is in the caches: reads after a write see it.
 */
export class CacheHub {
  private readonly caches = new Map<string, ResourceCache>();
  /** Events of resources being added, held until their initial list is in (see {@link addResource}). */
  private readonly loading = new Map<string, StorageEvent[]>();
  private limits = defaultHistoryLimits;
  private readonly abort = new AbortController();
  private revision = 0;
  private waiters: { revision: number; resolve: () => void }[] = [];

  constructor(
    private readonly backend: Backend,
    private readonly opts: CacheHubOptions,
  ) {}

  /** Loads the current state and starts following the store. */
  async start(): Promise<void> {
    this.limits = { ...defaultHistoryLimits, ...this.opts.history };
    const { revision, kvs } = await this.backend.list(this.opts.root);
    for (const prefix of this.opts.resourcePrefixes) this.caches.set(prefix, this.newCache(prefix, revision));
    for (const kv of kvs) this.cacheFor(kv.key)?.seed(kv.key, decodeObject(kv));
    this.revision = revision;
    await this.backend.watch(this.opts.root, revision, (events) => this.onEvents(events), this.abort.signal);
  }

  /**
   * Starts caching one more resource while serving (a kind registered at run time): lists what
   * storage holds under `prefix`, then applies the events that committed after that list. Resolves
   * once reads and watches of the resource can be served.
   */
  async addResource(prefix: string): Promise<void> {
    if (this.caches.has(prefix) || this.loading.has(prefix)) throw new Error(`${prefix} is already cached`);
    const held: StorageEvent[] = [];
    this.loading.set(prefix, held);
    try {
      const { revision, kvs } = await this.backend.list(prefix);
      const cache = this.newCache(prefix, revision);
      for (const kv of kvs) cache.seed(kv.key, decodeObject(kv));
      for (const e of held) if (e.revision > revision) applyEvent(cache, e);
      this.caches.set(prefix, cache);
    } finally {
      this.loading.delete(prefix);
    }
  }

  /** Stops caching a resource (a kind unregistered): its watchers are closed, its objects stay in storage. */
  removeResource(prefix: string): void {
    this.caches.get(prefix)?.closeAll();
    this.caches.delete(prefix);
  }

  stop(): void {
    this.abort.abort();
    for (const c of this.caches.values()) c.closeAll();
  }

  /** The newest revision applied to the caches. */
  get currentRevision(): number {
    return this.revision;
  }

  cache(prefix: string): ResourceCache {
    const c = this.caches.get(prefix);
    if (!c) throw new Error(`no cache for ${prefix}`);
    return c;
  }

  /**
   * Resolves once the caches have applied `revision` (a client asking to read at a revision the
   * cache has not reached yet); fails like kube-apiserver with "Too large resource version" after
   * `timeoutMs`.
   */
  async waitForRevision(revision: number, timeoutMs = 3000): Promise<void> {
    if (revision <= this.revision) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = { revision, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new StatusError(504, 'Timeout', `Too large resource version: ${revision}, current: ${this.revision}`, {
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }],
            retryAfterSeconds: 1,
          }),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private newCache(prefix: string, revision: number): ResourceCache {
    return new ResourceCache(prefix, revision, this.limits, this.opts.now ?? Date.now);
  }

  private cacheFor(key: string): ResourceCache | undefined {
    const prefix = resourcePrefixOf(key);
    return prefix === undefined ? undefined : this.caches.get(prefix);
  }

  private onEvents(events: readonly StorageEvent[]): void {
    for (const e of events) {
      const cache = this.cacheFor(e.kv.key);
      if (cache) applyEvent(cache, e);
      else if (this.loading.size) this.loading.get(resourcePrefixOf(e.kv.key) ?? '')?.push(e);
      this.revision = e.revision;
    }
    if (this.waiters.length) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.revision <= this.revision);
    this.waiters = this.waiters.filter((w) => w.revision > this.revision);
    for (const w of ready) w.resolve();
  }
}

function applyEvent(cache: ResourceCache, e: StorageEvent): void {
  const type = e.type === 'create' ? 'ADDED' : e.type === 'update' ? 'MODIFIED' : 'DELETED';
  cache.apply(type, e.revision, e.kv.key, decodeObject(e.kv));
}

/** `/registry/core/pods/ns/name` → `/registry/core/pods/`. */
function resourcePrefixOf(key: string): string | undefined {
  const end = nthIndexOf(key, '/', 4);
  return end < 0 ? undefined : key.slice(0, end + 1);
}

/** `/registry/core/pods/ns/name` → index of the 4th `/` (the end of the resource prefix). */
function nthIndexOf(s: string, ch: string, n: number): number {
  let i = -1;
  for (let k = 0; k < n; k++) {
    i = s.indexOf(ch, i + 1);
    if (i < 0) return -1;
  }
  return i;
}
