import type { Etcd3, IOptions, IRangeResponse, IRequestOp, ITxnRequest, ITxnResponse } from 'etcd3';
import { EtcdKeyLayout, fromEtcdRevision, markerRevision, toEtcdRevision } from './etcd-codec.js';
import { probeCompactRevision, replayHistory } from './etcd-history.js';
import { EtcdEventStream } from './etcd-stream.js';
import { KeyExistsError, type Backend, type KeyValue, type ListResult, type WatchListener } from './interface.js';
import { WatchNotifier, type ListenerErrorHandler } from './notifier.js';

/** Options for {@link EtcdBackend}. */
export interface EtcdBackendOptions {
  /** etcd client URLs, `http://host:port` (TLS is not supported). */
  endpoints: string[];
  /** Every key is stored under it, so one etcd can hold other data too. Default `/kplane`. */
  prefix?: string;
  /** Deadline of each etcd call, and how long a call waits for the watch stream. Default 30 s. */
  timeoutMs?: number;
  /** Receives errors thrown by watch listeners (they never fail the write). Default: ignored. */
  onListenerError?: ListenerErrorHandler;
}

type WriteResult = { ok: boolean; revision: number; kv?: KeyValue };
type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * Runs each call once (etcd3 only calls `execute` of its cockatiel policy). The client's default
 * retries a call that failed in transit, which could apply a txn twice: a retried create or
 * compare-and-swap would then report a false conflict.
 */
const runOnce = {
  execute: (fn: (context: { signal: AbortSignal }) => unknown) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as unknown as Policy;

/**
 * The Backend contract on etcd v3 (via the `etcd3` client, loaded only when this backend starts).
 * Revisions are etcd's own, minus one (etcd-codec.ts); keys live under `prefix`.
 *
 * - Writes are txns: create is `createRevision == 0 → put`, update and delete compare `modRevision`
 *   and, on a mismatch, read the key back in the same txn. They are sent one at a time, so writes
 *   take revisions in call order and each sees the ones before it.
 * - Every write also puts the marker key (the prefix itself) in its txn, and every read reads it in
 *   its txn: its modRevision is the last write under the prefix, the revision a read reports.
 * - ONE etcd watch on the prefix feeds the listeners (etcd-stream.ts). A write, a refused write and
 *   a read each resolve only once that stream has dispatched the revision they saw, so listeners
 *   have seen everything a caller learns of, including writes by other kplanes on the same etcd.
 * - `watch` replays etcd's history from its own etcd watch (etcd-history.ts), then goes live.
 *
 * Errors from etcd (unreachable, timeout) reject the call; nothing is retried.
 */
export class EtcdBackend implements Backend {
  private readonly layout: EtcdKeyLayout;
  private readonly timeoutMs: number;
  private readonly notifier: WatchNotifier;
  private client: Etcd3 | undefined;
  private stream: EtcdEventStream | undefined;
  private state: 'new' | 'starting' | 'open' | 'closed' = 'new';
  private closing: Promise<void> | undefined;
  /** Writes go to etcd one after the other: the txn of the last one queued. */
  private writeTail: Promise<unknown> = Promise.resolve();
  /** etcd revision of the last write this backend made. */
  private lastWrite = 0;
  /** The compact revision as far as this process knows; etcd is asked when it says otherwise. */
  private compactRevision = 0;

  constructor(private readonly opts: EtcdBackendOptions) {
    if (opts.endpoints.length === 0) throw new Error('etcd backend needs at least one endpoint');
    const tls = opts.endpoints.find((e) => !e.startsWith('http://'));
    if (tls) throw new Error(`etcd endpoint ${tls}: only http:// endpoints are supported`);
    this.layout = new EtcdKeyLayout(opts.prefix ?? '/kplane');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.notifier = new WatchNotifier(opts.onListenerError);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`storage backend cannot start: it is ${this.state}`);
    this.state = 'starting';
    const { Etcd3 } = await import('etcd3');
    const client = new Etcd3({
      hosts: this.opts.endpoints,
      faultHandling: { global: runOnce },
      // Unary calls get a deadline; the watch streams live until cancelled.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
      // Lists of a whole store can exceed gRPC's default 4 MiB.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
    });
    try {
      const initial = await client.kv.txn({ success: [this.markerRead()] });
      const startRevision = Number(initial.header.revision);
      const stream = new EtcdEventStream(
        {
          watchClient: client.watchClient,
          layout: this.layout,
          dispatch: (e) => this.notifier.publish(e),
          deliveryTimeoutMs: this.timeoutMs,
        },
        startRevision,
        markerRevision(initial.responses[0].response_range),
      );
      await stream.start();
      // close() was called while starting.
      if (this.closing) {
        stream.stop(closedError());
        throw closedError();
      }
      this.client = client;
      this.stream = stream;
      this.state = 'open';
    } catch (err) {
      this.state = 'closed';
      client.close();
      throw err;
    }
  }

  async currentRevision(): Promise<number> {
    return (await this.read([])).revision;
  }

  async get(key: string): Promise<{ revision: number; kv?: KeyValue }> {
    const { revision, ranges } = await this.read([{ request_range: { key: this.layout.dataKey(key) } }]);
    const found = ranges[0].kvs[0];
    return found ? { revision, kv: this.layout.decodeKv(found) } : { revision };
  }

  async list(prefix: string, opts: { startKey?: string; limit?: number } = {}): Promise<ListResult> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const { revision, ranges } = await this.read([
      { request_range: { ...this.layout.listRange(prefix, opts.startKey), limit } },
    ]);
    return { revision, kvs: ranges[0].kvs.map((kv) => this.layout.decodeKv(kv)), more: ranges[0].more };
  }

  async create(key: string, value: string): Promise<number> {
    const etcdKey = this.layout.dataKey(key);
    const res = await this.write({
      compare: [{ key: etcdKey, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: etcdKey, value: Buffer.from(value) } }, this.markerWrite()],
      failure: [this.markerRead()],
    });
    if (!res.succeeded) {
      await this.settle(res.responses[0].response_range);
      throw new KeyExistsError(key);
    }
    return this.committed(res);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    const etcdKey = this.layout.dataKey(key);
    const res = await this.write({
      compare: [
        { key: etcdKey, target: 'Mod', result: 'Equal', mod_revision: expectedEtcdRevision(expectedModRevision) },
      ],
      success: [{ request_put: { key: etcdKey, value: Buffer.from(value), prev_kv: true } }, this.markerWrite()],
      failure: [{ request_range: { key: etcdKey } }, this.markerRead()],
    });
    if (!res.succeeded) return this.refused(res);
    const prev = this.layout.decodeKv(res.responses[0].response_put.prev_kv);
    const revision = await this.committed(res);
    return {
      ok: true,
      revision,
      kv: Object.freeze({ key, value, createRevision: prev.createRevision, modRevision: revision }),
    };
  }

  async delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    const etcdKey = this.layout.dataKey(key);
    const condition =
      expectedModRevision === undefined
        ? { key: etcdKey, target: 'Create' as const, result: 'Greater' as const, create_revision: 0 }
        : {
            key: etcdKey,
            target: 'Mod' as const,
            result: 'Equal' as const,
            mod_revision: expectedEtcdRevision(expectedModRevision),
          };
    const res = await this.write({
      compare: [condition],
      success: [{ request_delete_range: { key: etcdKey, prev_kv: true } }, this.markerWrite()],
      failure: [{ request_range: { key: etcdKey } }, this.markerRead()],
    });
    if (!res.succeeded) return this.refused(res);
    const prev = this.layout.decodeKv(res.responses[0].response_delete_range.prev_kvs[0]);
    const revision = await this.committed(res);
    return {
      ok: true,
      revision,
      kv: Object.freeze({ key, value: prev.value, createRevision: prev.createRevision, modRevision: revision }),
    };
  }

  async watch(prefix: string, afterRevision: number, listener: WatchListener, signal: AbortSignal): Promise<void> {
    const { client, stream } = this.open();
    await this.notifier.watch(prefix, afterRevision, listener, signal, (sink) => {
      // Live events above the stream's position reach the watcher directly; replay covers the rest.
      const upTo = fromEtcdRevision(stream.revision);
      if (afterRevision >= upTo) return;
      return replayHistory(client.watchClient, this.layout, { afterRevision, upTo }, sink, signal);
    });
  }

  /** Compacts etcd at the revision of `revision` (clamped to the current one), which keeps it readable. */
  async compact(revision: number): Promise<number> {
    const { client } = this.open();
    const target = Math.min(revision, await this.currentRevision());
    if (target <= this.compactRevision) return this.compactRevision;
    try {
      await client.kv.compact({ revision: toEtcdRevision(target), physical: true });
      this.compactRevision = Math.max(this.compactRevision, target);
    } catch (err) {
      // Someone (another kplane on this etcd) compacted further already.
      if (!(err instanceof Error && /compacted/.test(err.message))) throw err;
      const compacted = fromEtcdRevision(await probeCompactRevision(client.watchClient, this.layout, this.timeoutMs));
      this.compactRevision = Math.max(this.compactRevision, compacted);
    }
    return this.compactRevision;
  }

  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (!wasOpen) return;
    // Writes already sent still resolve once their events are dispatched.
    await this.writeTail;
    await this.stream!.waitFor(this.lastWrite).catch(() => {});
    this.notifier.stopAll();
    this.stream!.stop(closedError());
    this.client!.close();
  }

  /** A read-only txn of `ops` plus the marker; resolves once the stream has dispatched the marker's revision. */
  private async read(ops: IRequestOp[]): Promise<{ revision: number; ranges: IRangeResponse[] }> {
    const { client } = this.open();
    const res = await client.kv.txn({ success: [...ops, this.markerRead()] });
    const ranges = res.responses.map((r) => r.response_range);
    const revision = await this.settle(ranges[ranges.length - 1]);
    return { revision, ranges: ranges.slice(0, -1) };
  }

  /** Sends a write txn after every write queued before it has been answered. */
  private write(txn: ITxnRequest): Promise<ITxnResponse> {
    const { client } = this.open();
    const sent = this.writeTail.then(async () => {
      const res = await client.kv.txn(txn);
      // Recorded before anyone awaits the txn, so close() knows which event to wait for.
      if (res.succeeded) this.lastWrite = Math.max(this.lastWrite, Number(res.header.revision));
      return res;
    });
    this.writeTail = sent.catch(() => {});
    return sent;
  }

  /** The backend revision of a successful write, once its event has been dispatched. */
  private async committed(res: ITxnResponse): Promise<number> {
    const revision = Number(res.header.revision);
    await this.stream!.waitFor(revision);
    return fromEtcdRevision(revision);
  }

  /** A refused update or delete: the key as the txn saw it, answered once the stream has caught up with it. */
  private async refused(res: ITxnResponse): Promise<WriteResult> {
    const [current, marker] = res.responses.map((r) => r.response_range);
    const revision = await this.settle(marker);
    const found = current.kvs[0];
    return found ? { ok: false, revision, kv: this.layout.decodeKv(found) } : { ok: false, revision };
  }

  /** Waits until the stream has dispatched the last write a txn saw (via the marker); returns its backend revision. */
  private async settle(marker: IRangeResponse): Promise<number> {
    const revision = markerRevision(marker);
    await this.stream!.waitFor(revision);
    return fromEtcdRevision(revision);
  }

  private markerRead(): IRequestOp {
    return { request_range: { key: this.layout.marker } };
  }

  private markerWrite(): IRequestOp {
    return { request_put: { key: this.layout.marker, value: Buffer.alloc(0) } };
  }

  private open(): { client: Etcd3; stream: EtcdEventStream } {
    if (this.state !== 'open' || !this.client || !this.stream) {
      throw this.state === 'closed' ? closedError() : new Error('storage backend is not started');
    }
    return { client: this.client, stream: this.stream };
  }
}

/**
 * The etcd modRevision a compare expects. No key has etcd revision 1 (nothing is written at it),
 * so an expected revision at or below 0 compares against 1 and never matches, not even an absent key.
 */
function expectedEtcdRevision(expectedModRevision: number): number {
  return Math.max(toEtcdRevision(expectedModRevision), 1);
}

function closedError(): Error {
  return new Error('storage backend is closed');
}
