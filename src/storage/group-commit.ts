/** Commits a batch of items to disk; resolves once the batch is durable as configured. */
export type CommitBatch<T> = (items: readonly T[]) => Promise<void>;

/** Publishes a committed batch in memory; called synchronously, must not throw. */
export type OnCommitted<T> = (items: readonly T[]) => void;

/**
 * Group commit: at most one batch is in flight; items submitted meanwhile wait and go out together
 * as the next single batch. LevelDB's own writer queue does the same for concurrent batches, but a
 * store that decides compare-and-swap in memory has to keep its batches in revision order itself.
 *
 * After a batch commits, `onCommitted` runs before any of its submitters' promises resolve, so a
 * caller whose write resolved can rely on it being published.
 *
 * A failed batch is fatal: its items, every queued item and every later submission are rejected
 * with that error (etcd likewise treats a failed backend write as fatal), because later items were
 * accepted on top of state that never reached the disk.
 */
export class GroupCommit<T> {
  private queued: T[] = [];
  /** Settles when the queued items' batch commits; created by the first queued item. */
  private queuedDone: Deferred | undefined;
  /** Settles when the in-flight batch commits; undefined while nothing is in flight. */
  private inFlightDone: Deferred | undefined;
  private failed: { error: unknown } | undefined;

  constructor(
    private readonly commitBatch: CommitBatch<T>,
    private readonly onCommitted: OnCommitted<T>,
  ) {}

  /** The error of the batch that failed, if one did; once set, every submission is rejected. */
  get failure(): { error: unknown } | undefined {
    return this.failed;
  }

  /** Queues `item`; resolves once the batch holding it has committed and been published. */
  submit(item: T): Promise<void> {
    if (this.failed) return Promise.reject(this.failed.error);
    this.queued.push(item);
    this.queuedDone ??= deferred();
    const done = this.queuedDone.promise;
    if (!this.inFlightDone) this.flush();
    return done;
  }

  /** Resolves once every item submitted so far has committed; rejects if the store failed. */
  drain(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed.error);
    return (this.queuedDone ?? this.inFlightDone)?.promise ?? Promise.resolve();
  }

  private flush(): void {
    const items = this.queued;
    const done = this.queuedDone!;
    this.queued = [];
    this.queuedDone = undefined;
    this.inFlightDone = done;
    void this.run(items, done);
  }

  private async run(items: readonly T[], done: Deferred): Promise<void> {
    try {
      await this.commitBatch(items);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.onCommitted(items);
    done.resolve();
    this.inFlightDone = undefined;
    if (this.queued.length > 0) this.flush();
  }

  private fail(error: unknown): void {
    this.failed = { error };
    this.inFlightDone?.reject(error);
    this.queuedDone?.reject(error);
    this.inFlightDone = undefined;
    this.queuedDone = undefined;
    this.queued = [];
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** `Promise.withResolvers` arrives in Node 22; this project supports Node 20. */
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
