import {
  CompactedError,
  KeyExistsError,
  type Backend,
  type KeyValue,
  type ListResult,
  type StorageEvent,
  type WatchListener,
} from './interface.js';
import { KeyValueIndex, listRange } from './key-value-index.js';
import { WatchNotifier, type ListenerErrorHandler, type ReplaySink } from './notifier.js';

/** Options for {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** Receives errors thrown by watch listeners (they never fail the write). Default: ignored. */
  onListenerError?: ListenerErrorHandler;
}

/**
 * In-memory backend, the analog of kine's memory driver (pkg/drivers/memory/memory.go): a dense
 * event log, an ordered index of current values (shared with the LevelDB backend) and one global
 * revision. Everything runs synchronously inside
 * each call, so no write lock is needed. Nothing survives the process.
 */
export class MemoryBackend implements Backend {
  /** Dense: `log[i].revision === compactRevision + 1 + i`. */
  private log: StorageEvent[] = [];
  private readonly current = new KeyValueIndex();
  private revision = 0;
  private compactRevision = 0;
  private state: 'new' | 'open' | 'closed' = 'new';
  private readonly notifier: WatchNotifier;

  constructor(opts: MemoryBackendOptions = {}) {
    this.notifier = new WatchNotifier(opts.onListenerError);
  }

  async start(): Promise<void> {
    if (this.state === 'closed') throw closedError();
    this.state = 'open';
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.revision;
  }

  async get(key: string): Promise<{ revision: number; kv?: KeyValue }> {
    this.assertOpen();
    const kv = this.current.get(key);
    return kv ? { revision: this.revision, kv } : { revision: this.revision };
  }

  async list(prefix: string, opts: { startKey?: string; limit?: number } = {}): Promise<ListResult> {
    this.assertOpen();
    return listRange(this.current, this.revision, prefix, opts);
  }

  async create(key: string, value: string): Promise<number> {
    this.assertOpen();
    if (this.current.get(key)) throw new KeyExistsError(key);
    const revision = this.revision + 1;
    this.append({ type: 'create', revision, kv: freezeKv(key, value, revision, revision) });
    return revision;
  }

  async update(
    key: string,
    value: string,
    expectedModRevision: number,
  ): Promise<{ ok: boolean; revision: number; kv?: KeyValue }> {
    this.assertOpen();
    const prevKv = this.current.get(key);
    if (!prevKv) return { ok: false, revision: this.revision };
    if (prevKv.modRevision !== expectedModRevision) return { ok: false, revision: this.revision, kv: prevKv };
    const revision = this.revision + 1;
    const kv = freezeKv(key, value, prevKv.createRevision, revision);
    this.append({ type: 'update', revision, kv, prevKv });
    return { ok: true, revision, kv };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ ok: boolean; revision: number; kv?: KeyValue }> {
    this.assertOpen();
    const prevKv = this.current.get(key);
    if (!prevKv) return { ok: false, revision: this.revision };
    if (expectedModRevision !== undefined && prevKv.modRevision !== expectedModRevision) {
      return { ok: false, revision: this.revision, kv: prevKv };
    }
    const revision = this.revision + 1;
    const kv = freezeKv(key, prevKv.value, prevKv.createRevision, revision);
    this.append({ type: 'delete', revision, kv, prevKv });
    return { ok: true, revision, kv };
  }

  async watch(prefix: string, afterRevision: number, listener: WatchListener, signal: AbortSignal): Promise<void> {
    this.assertOpen();
    await this.notifier.watch(prefix, afterRevision, listener, signal, (sink) => this.replay(afterRevision, sink));
  }

  async compact(revision: number): Promise<number> {
    this.assertOpen();
    const target = Math.min(revision, this.revision);
    if (target <= this.compactRevision) return this.compactRevision;
    this.log = this.log.slice(target - this.compactRevision);
    this.compactRevision = target;
    return target;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.notifier.stopAll();
  }

  private replay(afterRevision: number, sink: ReplaySink): void {
    if (afterRevision < this.compactRevision) throw new CompactedError(afterRevision, this.compactRevision);
    sink(this.log.slice(Math.max(0, afterRevision - this.compactRevision)));
  }

  /** Commits one event: log, current value and revision, then tells the watchers. */
  private append(event: StorageEvent): void {
    Object.freeze(event);
    this.log.push(event);
    this.revision = event.revision;
    const { key } = event.kv;
    if (event.type === 'delete') this.current.delete(key);
    else this.current.set(event.kv);
    this.notifier.publish(event);
  }

  private assertOpen(): void {
    if (this.state !== 'open')
      throw this.state === 'closed' ? closedError() : new Error('storage backend is not started');
  }
}

function freezeKv(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision });
}

function closedError(): Error {
  return new Error('storage backend is closed');
}
