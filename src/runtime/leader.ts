import { StatusError } from '../apimachinery/errors.js';
import type { Lease } from '../registry/kinds/lease/schema.js';
import type { Client, Clock } from './api.js';
import { sleep } from './sleep.js';

export interface LeaderElectionConfig {
  /** The Lease (`coordination.k8s.io/v1`) all candidates compete for. */
  namespace: string;
  name: string;
  /** This candidate's identity, written to `spec.holderIdentity`. */
  identity: string;
  /** client-go defaults: 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/**
 * Lease-based leader election (client-go tools/leaderelection): a candidate becomes leader when
 * the Lease is absent, already its own, or expired (renewTime + leaseDuration in the past), by a
 * compare-and-swap write; the leader renews every retry period and steps down when it could not
 * renew within the renew deadline. Only one candidate holds the Lease at a time because every
 * write is conditional on the resourceVersion it read.
 */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private lastRenewed = 0;

  constructor(
    private readonly cfg: LeaderElectionConfig,
    private readonly client: Client,
    private readonly clock: Clock,
  ) {
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
  }

  /** Resolves once this candidate holds the Lease (retrying every retry period), or rejects when `signal` aborts. */
  async acquire(signal: AbortSignal): Promise<void> {
    while (!(await this.tryAcquireOrRenew())) {
      await sleep(this.clock, this.retryPeriodMs, signal);
    }
  }

  /** Renews until leadership is lost (resolves) or `signal` aborts (releases the Lease, then resolves). */
  async holdUntilLost(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, signal).catch(() => undefined);
      if (signal.aborted) break;
      const renewed = await this.tryAcquireOrRenew().catch(() => false);
      if (!renewed && this.clock.now() - this.lastRenewed > this.renewDeadlineMs) return;
    }
    await this.release();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const spec = {
      holderIdentity: this.cfg.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      renewTime: microTime(now),
    };
    let current: Lease;
    try {
      current = await this.client.get('Lease', { namespace: this.cfg.namespace, name: this.cfg.name });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
      return this.write(() =>
        this.client.create('Lease', {
          metadata: { name: this.cfg.name, namespace: this.cfg.namespace },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
        }),
      );
    }
    const held = current.spec?.holderIdentity;
    const mine = held === this.cfg.identity;
    const renewedAt = current.spec?.renewTime ? Date.parse(current.spec.renewTime) : 0;
    const expired = renewedAt + (current.spec?.leaseDurationSeconds ?? 0) * 1000 < now;
    if (held && !mine && !expired) return false;
    const transitions = (current.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1);
    const acquireTime = mine ? current.spec?.acquireTime : microTime(now);
    return this.write(() =>
      this.client.update('Lease', {
        ...current,
        spec: { ...current.spec, ...spec, acquireTime, leaseTransitions: transitions },
      }),
    );
  }

  private async write(op: () => Promise<unknown>): Promise<boolean> {
    try {
      await op();
      this.lastRenewed = this.clock.now();
      return true;
    } catch (err) {
      if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return false;
      throw err;
    }
  }

  /** Gives the Lease up so another candidate need not wait for it to expire (ReleaseOnCancel). */
  private async release(): Promise<void> {
    try {
      const current = await this.client.get('Lease', { namespace: this.cfg.namespace, name: this.cfg.name });
      if (current.spec?.holderIdentity !== this.cfg.identity) return;
      await this.client.update('Lease', {
        ...current,
        spec: { ...current.spec, holderIdentity: undefined, renewTime: undefined, leaseDurationSeconds: 1 },
      });
    } catch {
      // Best effort: the Lease expires on its own.
    }
  }
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
