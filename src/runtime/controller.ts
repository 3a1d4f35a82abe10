import type { KubeObject } from '../apimachinery/object.js';
import {
  keyOf,
  keyString,
  parseKey,
  TerminalError,
  type Clock,
  type Kind,
  type Listers,
  type Logger,
  type ReconcileContext,
  type Reconciler,
} from './api.js';
import type { Informer } from './informer.js';
import { WorkQueue, defaultControllerRateLimiter, type RateLimiter } from './workqueue.js';

export interface ControllerDeps {
  informers: (kind: Kind) => Informer;
  listers: Listers;
  client: ReconcileContext['client'];
  clock: Clock;
  log: Logger;
  rateLimiter?: RateLimiter;
}

/**
 * Runs one Reconciler: queues keys from its informers' events and feeds them to `workers`
 * concurrent loops (controller-runtime's reconcileHandler): error → rate-limited requeue,
 * TerminalError → logged and forgotten, `requeueAfterMs` → forget + requeue later, success → forget.
 */
export class Controller {
  readonly queue: WorkQueue;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];

  constructor(
    readonly reconciler: Reconciler,
    private readonly deps: ControllerDeps,
  ) {
    this.queue = new WorkQueue({
      clock: deps.clock,
      name: reconciler.name,
      rateLimiter: deps.rateLimiter ?? defaultControllerRateLimiter(deps.clock),
    });
    const enqueueOwn = (obj: KubeObject) => this.queue.add(keyString(keyOf(obj)));
    deps
      .informers(reconciler.for)
      .addHandler({ onAdd: enqueueOwn, onUpdate: (_o, n) => enqueueOwn(n), onDelete: enqueueOwn });
    for (const watch of reconciler.watches ?? []) {
      const enqueueMapped = (obj: KubeObject) => {
        for (const key of watch.map(obj as never, { listers: deps.listers })) this.queue.add(keyString(key));
      };
      deps.informers(watch.kind).addHandler({
        onAdd: enqueueMapped,
        onUpdate: (o, n) => {
          enqueueMapped(o);
          enqueueMapped(n);
        },
        onDelete: enqueueMapped,
      });
    }
  }

  get name(): string {
    return this.reconciler.name;
  }

  /** Runs the reconciler's one-time `start` hook, then the workers. */
  async start(): Promise<void> {
    await this.reconciler.start?.({ ...this.context(), signal: this.abort.signal });
    const n = Math.max(1, this.reconciler.workers ?? 1);
    this.workers = Array.from({ length: n }, () => this.work());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private context(): ReconcileContext {
    return {
      signal: this.abort.signal,
      log: this.deps.log,
      now: () => this.deps.clock.now(),
      listers: this.deps.listers,
      client: this.deps.client,
    };
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.reconcileOne(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async reconcileOne(key: string): Promise<void> {
    try {
      const result = await this.reconciler.reconcile(this.context(), parseKey(key));
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      if (err instanceof TerminalError) {
        this.deps.log.error('reconcile failed permanently', { controller: this.name, key, err: String(err) });
        this.queue.forget(key);
        return;
      }
      this.deps.log.debug('reconcile failed, will retry', {
        controller: this.name,
        key,
        err: String(err),
        requeues: this.queue.numRequeues(key),
      });
      this.queue.addRateLimited(key);
    }
  }
}
