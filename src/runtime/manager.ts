import { setMaxListeners } from 'node:events';
import type { Client, Clock, Kind, Listers, Logger, Reconciler } from './api.js';
import { realClock } from './clock.js';
import { Controller } from './controller.js';
import type { IndexFunc } from '../registry/resource.js';
import { storedKindNames, storedKinds } from '../registry/kinds/index.js';
import { Informer, type ListWatchSource } from './informer.js';
import { LeaderElector, type LeaderElectionConfig } from './leader.js';
import type { RateLimiter } from './workqueue.js';

/** Every kind a controller can read through `ctx.listers`. */
export const allKinds: readonly Kind[] = storedKindNames;

/** Indexes every informer of a kind gets besides `namespace`: those the kind declares. */
export const defaultIndexes: Partial<Record<Kind, Readonly<Record<string, IndexFunc>>>> = Object.fromEntries(
  storedKinds.flatMap((rt) => (rt.informerIndexes ? [[rt.kind, rt.informerIndexes]] : [])),
);

export interface ManagerOptions {
  controllers: readonly Reconciler[];
  /** Where informers list and watch (in process: the watch cache; out of process: HTTP). */
  source: (kind: Kind) => ListWatchSource;
  client: Client;
  clock?: Clock;
  log?: Logger;
  /** Only one manager with the same Lease runs controllers at a time. Off when absent. */
  leaderElection?: LeaderElectionConfig;
  rateLimiter?: () => RateLimiter;
}

/** One waiter per informer listens on the manager's signal; Node warns past 10 listeners by default. */
function abortWithRoomFor(listeners: number): AbortController {
  const controller = new AbortController();
  setMaxListeners(listeners, controller.signal);
  return controller;
}

/** Retries due later than this do not keep `settle()` waiting. */
const settleHorizonMs = 1000;

export const silentLogger: Logger = { info() {}, error() {}, debug() {} };

/**
 * Runs a set of controllers (controller-runtime's Manager): one shared informer per kind, started
 * and synced before any controller works; optional Lease leader election, so that of several
 * managers only the leader reconciles; clean shutdown that drains workers.
 */
export class Manager {
  readonly listers: Listers;
  private readonly informers = new Map<Kind, Informer>();
  private readonly controllers: Controller[];
  /** The controllers' time source (the dataplane's conntrack and `recent` lists expire by it too). */
  readonly clock: Clock;
  private readonly log: Logger;
  private readonly abort = abortWithRoomFor(allKinds.length + 1);
  private leading = false;
  private synced = false;
  private leadership?: Promise<void>;

  constructor(private readonly opts: ManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? silentLogger;
    for (const kind of allKinds) {
      this.informers.set(
        kind,
        new Informer(kind, opts.source(kind), {
          clock: this.clock,
          indexes: defaultIndexes[kind],
          onError: (err) => this.log.error('informer error', { kind, err: String(err) }),
        }),
      );
    }
    this.listers = Object.fromEntries(allKinds.map((k) => [k, this.informers.get(k)!.store])) as unknown as Listers;
    this.controllers = opts.controllers.map(
      (r) =>
        new Controller(r, {
          informers: (k) => this.informers.get(k)!,
          listers: this.listers,
          client: opts.client,
          clock: this.clock,
          log: this.log,
          rateLimiter: opts.rateLimiter?.(),
        }),
    );
  }

  /** True once every informer has synced (the server's /readyz waits for this). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The shared informer of a kind, for components that react to events beside the controllers (cluster DNS). */
  informer(kind: Kind): Informer {
    return this.informers.get(kind)!;
  }

  /** True while this manager's controllers run (always, without leader election). */
  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Starts informers and waits for them to sync, then (after winning the election, when
   * configured) starts the controllers. Resolves once synced; leadership may come later.
   */
  async start(): Promise<void> {
    for (const inf of this.informers.values()) inf.start();
    await Promise.all([...this.informers.values()].map((inf) => inf.waitForSync(this.abort.signal)));
    this.synced = true;
    if (!this.opts.leaderElection) {
      await this.startControllers();
      return;
    }
    this.leadership = this.lead(new LeaderElector(this.opts.leaderElection, this.opts.client, this.clock));
  }

  /** Resolves when this manager leads (immediately without election). */
  async waitForLeadership(): Promise<void> {
    while (!this.leading && !this.abort.signal.aborted) await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * Resolves when every controller's queue is idle: nothing queued or processing, and no retry due
   * within a second (periodic resyncs minutes away do not count). Gives up after `timeoutMs`.
   */
  async settle(timeoutMs = 30_000): Promise<void> {
    const idle = () => this.controllers.every((c) => c.queue.isIdle(settleHorizonMs));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
      if (idle()) {
        await new Promise((r) => setTimeout(r, 10));
        if (idle()) return;
      }
    }
    throw new Error('controllers did not settle');
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.leadership;
    await this.stopControllers();
    await Promise.all([...this.informers.values()].map((inf) => inf.stop()));
  }

  /**
   * Waits to win the election, runs the controllers while leading, and stops them for good when
   * leadership is lost (client-go's OnStoppedLeading: the process is expected to restart).
   */
  private async lead(elector: LeaderElector): Promise<void> {
    const signal = this.abort.signal;
    try {
      await elector.acquire(signal);
    } catch {
      return;
    }
    this.log.info('became leader', { identity: this.opts.leaderElection!.identity });
    await this.startControllers();
    await elector.holdUntilLost(signal);
    await this.stopControllers();
    if (!signal.aborted)
      this.log.error('lost leadership; controllers stopped', { identity: this.opts.leaderElection!.identity });
  }

  private async startControllers(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    for (const c of this.controllers) await c.start();
  }

  private async stopControllers(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    await Promise.all(this.controllers.map((c) => c.stop()));
  }
}
