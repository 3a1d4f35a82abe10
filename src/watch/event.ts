import type { KubeObject } from '../apimachinery/object.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One change to one object as the watch cache holds it. Objects are shared by the cache, every
 * watcher and every in-process lister: nobody may mutate them. Their JSON is computed at most once
 * and reused for every watcher (upstream had to fix per-watcher re-serialization at scale).
 */
export class CacheEvent {
  private json?: string;
  private prevJson?: string;

  constructor(
    readonly type: WatchEventType,
    readonly revision: number,
    readonly key: string,
    /** The object after the change; for DELETED its last state, stamped with the delete's revision. */
    readonly object: KubeObject,
    /** The object before the change (absent for ADDED). */
    readonly prevObject: KubeObject | undefined,
    /** When the cache received it (ms), for the history's age bound. */
    readonly receivedAt: number,
  ) {}

  objectJson(): string {
    this.json ??= JSON.stringify(this.object);
    return this.json;
  }

  /**
   * The previous object re-stamped with this event's revision, as sent when a watcher's selector
   * stops matching (cache_watcher.go convertToWatchEvent sends DELETED with the old object).
   */
  prevObjectAtRevision(): KubeObject {
    const prev = this.prevObject!;
    return { ...prev, metadata: { ...prev.metadata, resourceVersion: String(this.revision) } };
  }

  prevObjectJson(): string {
    this.prevJson ??= JSON.stringify(this.prevObjectAtRevision());
    return this.prevJson;
  }
}

/**
 * What a watcher emits: the event type as that watcher sees it, the object, and its JSON on demand
 * (in-process informers never need it; HTTP watchers share the event's cached serialization).
 */
export interface WatchOutput {
  type: WatchEventType | 'BOOKMARK';
  revision: number;
  object: KubeObject;
  json: () => string;
}
