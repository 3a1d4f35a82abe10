import type { StorageEvent, WatchListener } from './interface.js';

/** Receives the errors thrown by watch listeners, which must never break a write. */
export type ListenerErrorHandler = (err: unknown) => void;

/** Feeds history events to one watcher during replay (filtered by prefix and revision there). */
export type ReplaySink = (events: readonly StorageEvent[]) => void;

/**
 * Replays history into `sink`. It runs after the watcher is registered, so it only has to cover
 * events already committed; anything newer arrives live. Throws `CompactedError` when it cannot.
 */
export type Replay = (sink: ReplaySink) => Promise<void> | void;

/**
 * Fans committed events out to watchers; shared by the memory and LevelDB backends.
 *
 * `watch` follows kine `LogStructured.Watch`: "start watching right away so we don't miss
 * anything" — register first (buffering live events), replay history, flush the buffer, then go
 * live, dropping every event at or below the last revision already delivered.
 */
export class WatchNotifier {
  private readonly watchers = new Set<Watcher>();
  private outbox: StorageEvent[] = [];
  private publishing = false;

  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {}

  /** Registers `listener` for keys under `prefix`, replays via `replay`, then delivers live events until `signal` aborts. */
  async watch(
    prefix: string,
    afterRevision: number,
    listener: WatchListener,
    signal: AbortSignal,
    replay: Replay,
  ): Promise<void> {
    if (signal.aborted) return;
    const watcher = new Watcher(prefix, afterRevision, listener, this.onListenerError);
    const stop = (): void => {
      watcher.stop();
      this.watchers.delete(watcher);
      signal.removeEventListener('abort', stop);
    };
    watcher.onStop = stop;
    this.watchers.add(watcher);
    signal.addEventListener('abort', stop);
    try {
      await replay((events) => watcher.deliver(events));
    } catch (err) {
      stop();
      throw err;
    }
    watcher.goLive();
  }

  /**
   * Hands one committed event to every watcher; called synchronously right after the commit. A
   * listener that writes re-enters here: its event is queued behind the current one so every
   * watcher still sees revisions in order.
   */
  publish(event: StorageEvent): void {
    this.outbox.push(event);
    if (this.publishing) return;
    this.publishing = true;
    try {
      for (let i = 0; i < this.outbox.length; i++) {
        for (const watcher of this.watchers) watcher.offer(this.outbox[i]);
      }
    } finally {
      this.outbox = [];
      this.publishing = false;
    }
  }

  /** Stops every watcher (the backend is closing). */
  stopAll(): void {
    for (const watcher of [...this.watchers]) watcher.onStop();
  }
}

class Watcher {
  onStop: () => void = () => {};
  private lastDelivered: number;
  /** Live events that arrived while history was still being replayed. */
  private pending: StorageEvent[] | undefined = [];
  private stopped = false;

  constructor(
    private readonly prefix: string,
    afterRevision: number,
    private readonly listener: WatchListener,
    private readonly onListenerError: ListenerErrorHandler,
  ) {
    this.lastDelivered = afterRevision;
  }

  offer(event: StorageEvent): void {
    if (this.stopped || !event.kv.key.startsWith(this.prefix)) return;
    if (this.pending) this.pending.push(event);
    else this.deliver([event]);
  }

  /** Delivers the events under the prefix that are newer than anything delivered so far. */
  deliver(events: readonly StorageEvent[]): void {
    if (this.stopped) return;
    const fresh = events.filter((e) => e.revision > this.lastDelivered && e.kv.key.startsWith(this.prefix));
    if (fresh.length === 0) return;
    this.lastDelivered = fresh[fresh.length - 1].revision;
    try {
      this.listener(fresh);
    } catch (err) {
      this.onListenerError(err);
    }
  }

  goLive(): void {
    const buffered = this.pending ?? [];
    this.pending = undefined;
    this.deliver(buffered);
  }

  stop(): void {
    this.stopped = true;
    this.pending = undefined;
  }
}
