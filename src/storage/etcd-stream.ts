import type { IEvent, WatchClient } from 'etcd3';
import { fromEtcdRevision, type EtcdKeyLayout } from './etcd-codec.js';
import type { StorageEvent } from './interface.js';
import { openWatchStream } from './etcd-watch.js';

/** Options for {@link EtcdEventStream}. */
export interface EtcdEventStreamOptions {
  watchClient: WatchClient;
  layout: EtcdKeyLayout;
  /** Called synchronously for each event, in revision order, exactly once. */
  dispatch: (event: StorageEvent) => void;
  /** How long `waitFor` waits for a revision before it rejects. */
  deliveryTimeoutMs: number;
}

interface Waiter {
  revision: number;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

/**
 * The backend's ONE etcd watch over every data key. Each event, whoever wrote it (this process or
 * another kplane on the same etcd), is dispatched once, in revision order, and then moves the
 * stream's position; `waitFor(revision)` resolves once the position has reached `revision`. A
 * write resolves only after `waitFor(its revision)`, which is how listeners run before the write's
 * promise does. A broken stream reconnects by itself, resuming after the last event it dispatched.
 * If etcd has compacted that revision meanwhile, events are lost for good: the stream fails and
 * every wait rejects from then on.
 */
export class EtcdEventStream {
  /** etcd revision: every event at or below it has been dispatched, or was in the state read at start. */
  private position: number;
  /** etcd revision the watch resumes after on reconnect: the last event seen, or the revision read at start. */
  private resumeAfter: number;
  private waiters: Waiter[] = [];
  private cancelWatch: (() => void) | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private failure: Error | undefined;
  private stopped = false;

  /**
   * `startRevision` is the etcd revision the backend's initial read saw, `lastWriteRevision` the
   * marker's revision in that read (the last write under the prefix at or below it).
   */
  constructor(
    private readonly opts: EtcdEventStreamOptions,
    startRevision: number,
    lastWriteRevision: number,
  ) {
    this.resumeAfter = startRevision;
    this.position = lastWriteRevision;
  }

  /** Opens the watch; rejects if etcd cannot be reached. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** The etcd revision of the last event dispatched (the last write when none was yet): history replays up to it. */
  get revision(): number {
    return this.position;
  }

  /** Resolves once every event up to etcd revision `revision` has been dispatched. */
  waitFor(revision: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (revision <= this.position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const ms = this.opts.deliveryTimeoutMs;
        reject(
          new Error(`the etcd watch stream has not delivered revision ${fromEtcdRevision(revision)} within ${ms} ms`),
        );
      }, this.opts.deliveryTimeoutMs);
      const waiter: Waiter = { revision, resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  /** Ends the watch and rejects every pending wait with `reason`. */
  stop(reason: Error): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.cancelWatch?.();
    this.fail(reason);
  }

  private async connect(): Promise<void> {
    const { layout, watchClient } = this.opts;
    const cancel = await openWatchStream(
      watchClient,
      { ...layout.dataRange, start_revision: this.resumeAfter + 1, prev_kv: true },
      {
        onEvents: (events) => this.onEvents(events),
        onCompacted: (compactRevision) => {
          const lost = fromEtcdRevision(this.resumeAfter + 1);
          this.fail(
            new Error(
              `etcd compacted revision ${lost} (compact revision ${fromEtcdRevision(compactRevision)}) before the watch could resume; restart kplane`,
            ),
          );
        },
        onError: () => this.scheduleReconnect(),
      },
    );
    if (this.stopped) cancel();
    else this.cancelWatch = cancel;
  }

  private onEvents(events: IEvent[]): void {
    this.retryMs = FIRST_RETRY_MS;
    // etcd starts a resumed watch after `resumeAfter`; the check only guards exactly-once delivery.
    const floor = this.resumeAfter;
    for (const event of events) {
      const revision = Number(event.kv.mod_revision);
      if (revision <= floor) continue;
      this.resumeAfter = revision;
      this.position = revision;
      this.opts.dispatch(this.opts.layout.decodeEvent(event));
    }
    this.releaseWaiters();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.failure) return;
    this.cancelWatch = undefined;
    this.reconnectTimer = setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch(() => this.scheduleReconnect());
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.revision <= this.position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > this.position);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(this.failure);
    }
    this.waiters = [];
  }
}
