/**
 * The SDK's event recorder: core/v1 Events about objects, with client-go's tools/record semantics
 * (events_cache.go's EventCorrelator, event.go's recordToSink). Before anything is written each
 * event goes through, in upstream's order:
 *
 * - the aggregator: once 10 events that differ only in their message were seen about one object
 *   (same source, type and reason) within 10 minutes, further ones become a single event whose
 *   message is `(combined from similar events): <latest message>`;
 * - the logger: an event identical to one seen before (same source, involvedObject, type, reason
 *   and message) is not created again: the existing Event is patched with `count` + 1 and a new
 *   `lastTimestamp` (and `message`);
 * - the spam filter: a source may write 25 events about one object, then one more every 5 minutes.
 *
 * The caches are per recorder, in memory, and bounded (LRU), so a restarted process creates fresh
 * Events, as upstream does.
 */
import { StatusError } from '../apimachinery/errors.js';
import { nowTimestamp, type KubeObject } from '../apimachinery/object.js';
import type { Event } from '../registry/kinds/event/schema.js';
import type { ReconcileContext } from './api.js';

/** Upstream's EventTypeNormal and EventTypeWarning. */
export type EventType = 'Normal' | 'Warning';

/** What happened: `reason` is a short CamelCase word, `message` a sentence for humans. */
export interface EventInfo {
  type: EventType;
  reason: string;
  message: string;
}

/** The object an event is about; `kind` and `apiVersion` are needed because cached objects may lack them. */
export interface InvolvedObject {
  kind: string;
  apiVersion: string;
  object: KubeObject;
}

/** What recording needs from a reconcile: the client to write with, the log for failures, the clock. */
export type EventContext = Pick<ReconcileContext, 'client' | 'log' | 'now'>;

/** Upstream maxLruCacheEntries: how many keys each cache remembers. */
const CACHE_SIZE = 4096;
/** Upstream defaultAggregateMaxEvents and defaultAggregateIntervalInSeconds. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
/** Upstream defaultSpamBurst and defaultSpamQPS (one event every 5 minutes). */
const SPAM_BURST = 25;
const SPAM_TOKENS_PER_MS = 1 / 300_000;

const COMBINED_PREFIX = '(combined from similar events): ';

/** A map that forgets its least recently used key beyond `capacity` (groupcache's lru.Cache). */
class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) this.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** A token bucket that starts full (flowcontrol's token-bucket rate limiter). */
class TokenBucket {
  private tokens = SPAM_BURST;

  constructor(private lastMs: number) {}

  tryAccept(nowMs: number): boolean {
    this.tokens = Math.min(SPAM_BURST, this.tokens + Math.max(0, nowMs - this.lastMs) * SPAM_TOKENS_PER_MS);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The source and involved object of an event, as one cache key (upstream getSpamKey). */
function objectKey(event: Event): string {
  const { kind, namespace, name, uid, apiVersion } = event.involvedObject;
  return [event.source?.component, event.source?.host, kind, namespace, name, uid, apiVersion].join('\u0000');
}

/** Everything that makes two events "the same" (upstream getEventKey). */
function eventKey(event: Event): string {
  return [objectKey(event), event.involvedObject.fieldPath, event.type, event.reason, event.message].join('\u0000');
}

/** The group of events that differ only in their message (upstream EventAggregatorByReasonFunc). */
function aggregateKey(event: Event): string {
  return [objectKey(event), event.type, event.reason, event.reportingComponent, event.reportingInstance].join('\u0000');
}

/** The newest name stamp handed out in this process (see {@link eventName}). */
let lastNameStamp = 0n;

/**
 * Upstream names an Event `<object name>.<UnixNano in hex>`. Our clocks tick in milliseconds (and
 * fake ones may not tick at all), so the stamp is kept strictly increasing within the process:
 * two events at the same instant would otherwise get the same name and the second be rejected.
 */
function eventName(objectName: string, nowMs: number): string {
  const stamp = BigInt(Math.floor(nowMs)) * 1_000_000n;
  lastNameStamp = stamp > lastNameStamp ? stamp : lastNameStamp + 1n;
  return `${objectName}.${lastNameStamp.toString(16)}`;
}

/** What the logger remembers of an event it has seen (upstream eventLog). */
interface EventLog {
  count: number;
  firstTimestamp: string | undefined;
  name: string;
}

/** What to write: a new Event, or a merge patch of the existing one (then `event` is its full new state). */
interface Correlated {
  event: Event;
  patch?: Pick<Event, 'count' | 'lastTimestamp' | 'message'>;
}

/** Upstream's EventCorrelator: aggregates, counts and filters events before they are written. */
class EventCorrelator {
  private readonly aggregates = new LruCache<{ messages: Set<string>; lastMs: number }>(CACHE_SIZE);
  private readonly logs = new LruCache<EventLog>(CACHE_SIZE);
  private readonly spam = new LruCache<TokenBucket>(CACHE_SIZE);

  /** The write for `event`, or undefined when the spam filter drops it. */
  correlate(event: Event, nowMs: number): Correlated | undefined {
    const { aggregated, key } = this.aggregate(event, nowMs);
    const observed = this.observe(aggregated, key);
    return this.allow(observed.event, nowMs) ? observed : undefined;
  }

  /** Upstream EventAggregator.EventAggregate: the event to go on with and its logger key. */
  private aggregate(event: Event, nowMs: number): { aggregated: Event; key: string } {
    const groupKey = aggregateKey(event);
    const previous = this.aggregates.get(groupKey);
    const group =
      previous && nowMs - previous.lastMs <= AGGREGATE_INTERVAL_MS
        ? previous
        : { messages: new Set<string>(), lastMs: 0 };
    group.messages.add(event.message ?? '');
    group.lastMs = nowMs;
    this.aggregates.set(groupKey, group);
    if (group.messages.size < AGGREGATE_MAX_EVENTS) return { aggregated: event, key: eventKey(event) };
    // Keep the set below the threshold, so every further new message is combined too.
    group.messages.delete(group.messages.values().next().value!);
    const now = nowTimestamp(nowMs);
    const combined: Event = {
      ...event,
      metadata: { name: eventName(event.involvedObject.name ?? '', nowMs), namespace: event.metadata.namespace },
      message: COMBINED_PREFIX + event.message,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    return { aggregated: combined, key: groupKey };
  }

  /** Upstream eventLogger.eventObserve: a repeat takes the first occurrence's name and counts on. */
  private observe(event: Event, key: string): Correlated {
    const last = this.logs.get(key);
    const observed: Correlated = last
      ? {
          event: {
            ...event,
            metadata: { ...event.metadata, name: last.name },
            firstTimestamp: last.firstTimestamp,
            count: last.count + 1,
          },
          patch: { count: last.count + 1, lastTimestamp: event.lastTimestamp, message: event.message },
        }
      : { event };
    const { count = 1, firstTimestamp, metadata } = observed.event;
    this.logs.set(key, { count, firstTimestamp, name: metadata.name! });
    return observed;
  }

  /** Upstream EventSourceObjectSpamFilter: false once the source has used up its budget for the object. */
  private allow(event: Event, nowMs: number): boolean {
    const key = objectKey(event);
    const bucket = this.spam.get(key) ?? new TokenBucket(nowMs);
    this.spam.set(key, bucket);
    return bucket.tryAccept(nowMs);
  }
}

/**
 * Records Events as one component (the Events' `source.component` and `reportingComponent`), with
 * client-go's semantics (module comment). Create one per controller and keep it: the aggregation
 * state lives in it. Writes are made one at a time, in the order recorded, as upstream's single
 * sink goroutine does.
 */
export class EventRecorder {
  private readonly correlator = new EventCorrelator();
  private written: Promise<void> = Promise.resolve();

  constructor(readonly component: string) {}

  /**
   * Records `info` about `involved`. Events about cluster-scoped objects go to the `default`
   * namespace, as upstream. Resolves once the Event is written, aggregated into an existing one, or
   * dropped; never rejects: a failed write is logged, like upstream's dropped events.
   */
  record(ctx: EventContext, involved: InvolvedObject, info: EventInfo): Promise<void> {
    const nowMs = ctx.now();
    const correlated = this.correlator.correlate(this.makeEvent(involved, info, nowMs), nowMs);
    if (!correlated) return this.written;
    this.written = this.written.then(() => writeEvent(ctx, correlated));
    return this.written;
  }

  private makeEvent(involved: InvolvedObject, info: EventInfo, nowMs: number): Event {
    const { namespace, name, uid } = involved.object.metadata;
    const now = nowTimestamp(nowMs);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(name ?? '', nowMs), namespace: namespace || 'default' },
      involvedObject: { kind: involved.kind, apiVersion: involved.apiVersion, namespace, name, uid },
      reason: info.reason,
      message: info.message,
      type: info.type,
      source: { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: '',
    };
  }
}

/** Upstream recordEvent: patch a repeat, or create; a repeat whose Event was deleted is created again. */
async function writeEvent(ctx: EventContext, { event, patch }: Correlated): Promise<void> {
  const { namespace, name } = event.metadata;
  try {
    if (patch) {
      try {
        await ctx.client.patch('Event', { namespace, name: name! }, patch);
        return;
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    await ctx.client.create('Event', event);
  } catch (err) {
    ctx.log.error('could not record event', {
      reason: event.reason,
      object: event.involvedObject.name,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
