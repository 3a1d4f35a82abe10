import type { KubeObject } from '../apimachinery/object.js';
import type { CacheEvent, WatchOutput } from './event.js';

/** Decides whether an object is visible to one watcher (namespace, label and field selectors). */
export type ObjectFilter = (obj: KubeObject) => boolean;

export type CloseReason = 'closed' | 'slow' | 'shutdown';

/**
 * One client's view of a resource's event stream (cache_watcher.go). Events are filtered and turned
 * into what this watcher should see: an update that makes an object match is ADDED for it, one that
 * makes it stop matching is DELETED. The queue is bounded: a consumer that falls `maxQueue` events
 * behind is closed with reason `slow` rather than allowed to block writers or grow memory; it can
 * re-watch from the last revision it saw.
 *
 * Consumers pull with `next()`, which resolves to `undefined` once the watcher is closed and drained.
 */
export class CacheWatcher {
  private queue: WatchOutput[] = [];
  private wake?: () => void;
  private closedBy?: CloseReason;
  private lastRevision: number;

  constructor(
    private readonly filter: ObjectFilter,
    private readonly maxQueue: number,
    startRevision: number,
    private readonly onClose: (w: CacheWatcher) => void,
  ) {
    this.lastRevision = startRevision;
  }

  get closeReason(): CloseReason | undefined {
    return this.closedBy;
  }

  /** The newest revision queued for this watcher (its safe resume point once delivered). */
  get revision(): number {
    return this.lastRevision;
  }

  /** Offers a store event; queues what this watcher should see of it. */
  offer(event: CacheEvent): void {
    if (this.closedBy) return;
    const out = this.convert(event);
    if (out) this.enqueue(out);
    else this.lastRevision = event.revision;
  }

  /** Queues a synthetic event (initial ADDED, BOOKMARK) in order with the live ones. */
  enqueue(out: WatchOutput): void {
    if (this.closedBy) return;
    if (this.queue.length >= this.maxQueue) {
      this.close('slow');
      return;
    }
    this.queue.push(out);
    this.lastRevision = Math.max(this.lastRevision, out.revision);
    this.wake?.();
  }

  /** The next output, or undefined once closed (queued events are still delivered after a normal close, not after `slow`). */
  async next(): Promise<WatchOutput | undefined> {
    for (;;) {
      if (this.closedBy === 'slow' || this.closedBy === 'shutdown') return undefined;
      const out = this.queue.shift();
      if (out) return out;
      if (this.closedBy) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  close(reason: CloseReason = 'closed'): void {
    if (this.closedBy) return;
    this.closedBy = reason;
    if (reason !== 'closed') this.queue = [];
    this.onClose(this);
    this.wake?.();
  }

  private convert(event: CacheEvent): WatchOutput | undefined {
    const base = { revision: event.revision };
    const prevMatches = event.prevObject !== undefined && this.filter(event.prevObject);
    switch (event.type) {
      case 'ADDED':
        return this.filter(event.object)
          ? { ...base, type: 'ADDED', object: event.object, json: () => event.objectJson() }
          : undefined;
      case 'DELETED':
        return prevMatches
          ? { ...base, type: 'DELETED', object: event.object, json: () => event.objectJson() }
          : undefined;
      case 'MODIFIED': {
        const nowMatches = this.filter(event.object);
        if (nowMatches)
          return {
            ...base,
            type: prevMatches ? 'MODIFIED' : 'ADDED',
            object: event.object,
            json: () => event.objectJson(),
          };
        if (prevMatches)
          return { ...base, type: 'DELETED', object: event.prevObjectAtRevision(), json: () => event.prevObjectJson() };
        return undefined;
      }
    }
  }
}
