import { errors } from '../apimachinery/errors.js';
import type { CacheEvent } from './event.js';

/** Bounds of the watch history, kube-apiserver watch_cache style. */
export interface HistoryLimits {
  /** Events younger than this are never evicted while fewer than `maxEvents` are held. */
  minAgeMs: number;
  /** At least this many events are kept, however old. */
  minEvents: number;
  /** Hard cap: memory stays bounded even under a write storm. */
  maxEvents: number;
}

export const defaultHistoryLimits: HistoryLimits = { minAgeMs: 75_000, minEvents: 10_000, maxEvents: 200_000 };

/**
 * A sliding window of one resource's events, oldest first (watch_cache.go's cyclic buffer).
 * Invariant: it holds every event of the resource with revision > `startRevision`; a request for
 * history from before that is answered with 410 Expired.
 */
export class History {
  private events: CacheEvent[] = [];
  /** Index of the oldest live event in `events` (amortized O(1) eviction without shifting). */
  private head = 0;
  private evicted = 0;

  constructor(
    private startRevision: number,
    private readonly limits: HistoryLimits,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.events.length - this.head;
  }

  /** Events thrown away so far (for /debug/storage). */
  get evictedCount(): number {
    return this.evicted;
  }

  /** Revision after which history is complete. */
  get completeAfter(): number {
    return this.startRevision;
  }

  append(event: CacheEvent): void {
    this.events.push(event);
    this.evict();
  }

  /** Events with revision > `revision`, oldest first; throws Expired when they are no longer all held. */
  eventsAfter(revision: number): CacheEvent[] {
    if (revision < this.startRevision) {
      throw errors.expired(`too old resource version: ${revision} (${this.startRevision})`);
    }
    return this.events.slice(this.firstAfter(revision));
  }

  private firstAfter(revision: number): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private evict(): void {
    const now = this.now();
    while (this.size > this.limits.minEvents) {
      const oldest = this.events[this.head];
      const tooMany = this.size > this.limits.maxEvents;
      if (!tooMany && now - oldest.receivedAt < this.limits.minAgeMs) break;
      this.startRevision = oldest.revision;
      this.head++;
      this.evicted++;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }
}
