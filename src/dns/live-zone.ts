/**
 * The cluster zone kept up to date from the API: one {@link ZoneIndex} fed by a {@link DnsSource},
 * shared by the DNS server and the tracer, so every object change is indexed once. Subscribers
 * learn which names' answers may have changed (the DNS server drops its cached responses for them).
 */
import type { Endpoints } from '../registry/kinds/endpoints/schema.js';
import type { Namespace } from '../registry/kinds/namespace/schema.js';
import type { Pod } from '../registry/kinds/pod/schema.js';
import type { Service } from '../registry/kinds/service/schema.js';
import { ZoneIndex, type ZoneChange, type ZoneOptions } from './records.js';

/** What the zone is fed from: the current objects, then every change, synchronously. */
export interface DnsSource {
  services(): readonly Service[];
  endpoints(): readonly Endpoints[];
  pods(): readonly Pod[];
  namespaces(): readonly Namespace[];
  /** Calls `listener` for every later change; returns the function that unsubscribes it. */
  onChange(listener: (change: ZoneChange) => void): () => void;
}

export class LiveZone {
  readonly index: ZoneIndex;
  private readonly listeners = new Set<(names: ReadonlySet<string>) => void>();
  private readonly stopFeed: () => void;

  /** Indexes `source`'s current objects at once, then follows its changes until `close`. */
  constructor(source: DnsSource, opts: ZoneOptions, onError?: (err: unknown) => void) {
    this.index = new ZoneIndex(opts);
    this.stopFeed = followZone(source, (change) => {
      try {
        const names = this.index.apply(change);
        for (const listener of this.listeners) listener(names);
      } catch (err) {
        onError?.(err);
      }
    });
  }

  /** Calls `listener` with the names each later change touches; returns the function that unsubscribes it. */
  onChange(listener: (names: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following the source. */
  close(): void {
    this.stopFeed();
  }
}

/**
 * Feeds `apply` the source's current objects, then every later change; returns the function that
 * stops the feed. Subscribes first so no change between the snapshot and the subscription is lost.
 */
function followZone(source: DnsSource, apply: (change: ZoneChange) => void): () => void {
  const unsubscribe = source.onChange(apply);
  const snapshot: ZoneChange[] = [
    ...source.namespaces().map((object) => ({ kind: 'Namespace' as const, object, deleted: false })),
    ...source.services().map((object) => ({ kind: 'Service' as const, object, deleted: false })),
    ...source.endpoints().map((object) => ({ kind: 'Endpoints' as const, object, deleted: false })),
    ...source.pods().map((object) => ({ kind: 'Pod' as const, object, deleted: false })),
  ];
  for (const change of snapshot) apply(change);
  return unsubscribe;
}
