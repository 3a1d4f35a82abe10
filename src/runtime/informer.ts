import type { KubeObject } from '../apimachinery/object.js';
import type { Clock } from './api.js';
import { Indexer, type IndexFunc } from './indexer.js';
import { sleep } from './sleep.js';

export type EventKind = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** Thrown by a source when the requested resourceVersion is gone (410): the informer relists. */
export class ResourceExpiredError extends Error {
  override name = 'ResourceExpiredError';
}

/**
 * Where an informer lists and watches one kind: the server's watch cache in process, or the
 * HTTP API out of process. `watch` resolves when the stream ends normally (the informer
 * re-watches from the last revision it saw) and rejects with ResourceExpiredError on a 410.
 */
export interface ListWatchSource {
  list(): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  watch(
    resourceVersion: string,
    onEvent: (type: EventKind, obj: KubeObject) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface EventHandler {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

export interface InformerOptions {
  clock: Clock;
  indexes?: Readonly<Record<string, IndexFunc>>;
  /** Called with errors the informer recovers from (logged by the manager). */
  onError?: (err: unknown) => void;
}

/** client-go's reflector backoff: 800 ms doubling to 30 s. */
const initialBackoffMs = 800;
const maxBackoffMs = 30_000;

/**
 * A shared informer (client-go tools/cache): lists, then watches from the list's revision, keeps
 * an indexed local cache and tells handlers about every change. On a 410 it relists; on other
 * failures it retries with exponential backoff. Eventually consistent: the cache holds a
 * subsequence of each object's states. Handlers must be quick (controllers only queue keys).
 */
export class Informer {
  readonly store: Indexer;
  private readonly handlers: EventHandler[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private running?: Promise<void>;

  constructor(
    readonly kind: string,
    private readonly source: ListWatchSource,
    private readonly opts: InformerOptions,
  ) {
    this.store = new Indexer(opts.indexes);
  }

  addHandler(h: EventHandler): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.store.list()) h.onAdd?.(obj);
  }

  /** True once the first list has been loaded into the cache and handed to handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.running ??= this.run();
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Error(`${this.kind} informer stopped before it synced`));
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let resourceVersion = '';
    let backoff = initialBackoffMs;
    while (!signal.aborted) {
      try {
        if (!resourceVersion) resourceVersion = await this.relist();
        await this.source.watch(
          resourceVersion,
          (type, obj) => {
            resourceVersion = obj.metadata.resourceVersion ?? resourceVersion;
            this.apply(type, obj);
            backoff = initialBackoffMs;
          },
          signal,
        );
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof ResourceExpiredError) {
          resourceVersion = '';
          continue;
        }
        this.opts.onError?.(err);
        await sleep(this.opts.clock, backoff, signal).catch(() => undefined);
        backoff = Math.min(backoff * 2, maxBackoffMs);
      }
    }
  }

  private async relist(): Promise<string> {
    const { items, resourceVersion } = await this.source.list();
    const before = new Map(this.store.list().map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
    for (const gone of this.store.replace(items)) for (const h of this.handlers) h.onDelete?.(gone);
    for (const obj of items) {
      const old = before.get(`${obj.metadata.namespace}/${obj.metadata.name}`);
      for (const h of this.handlers) {
        if (!old) h.onAdd?.(obj);
        else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) h.onUpdate?.(old, obj);
      }
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    return resourceVersion;
  }

  private apply(type: EventKind, obj: KubeObject): void {
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') {
      const old = this.store.remove(obj);
      for (const h of this.handlers) h.onDelete?.(old ?? obj);
      return;
    }
    const old = this.store.upsert(obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }
}
