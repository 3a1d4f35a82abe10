/**
 * Warning Events about Ingresses, each recorded once: ingress-gce emits its translation errors on
 * every sync, but kplane resyncs on every Node heartbeat, so a repeat would only grow `count`.
 * A warning is recorded when neither this process has recorded it for that Ingress (uid) nor the
 * Event cache already holds it (an earlier process did); the first check covers a cache that has
 * not seen our own Event yet, the second a restart.
 */
import type { Event } from '../../src/registry/kinds/event/schema.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import type { ReconcileContext } from '../../src/runtime/api.js';
import { EventRecorder } from '../../src/runtime/events.js';

/** ingress-gce's event source. */
const INGRESS_EVENT_COMPONENT = 'loadbalancer-controller';

/** A Warning to record about an Ingress. */
export interface IngressWarning {
  reason: string;
  message: string;
}

function identity(uid: string, w: IngressWarning): string {
  return `${uid}\u0000${w.reason}\u0000${w.message}`;
}

function alreadyStored(events: readonly Event[], uid: string, w: IngressWarning): boolean {
  return events.some(
    (e) =>
      e.involvedObject.uid === uid &&
      e.type === 'Warning' &&
      e.reason === w.reason &&
      e.message === w.message &&
      e.source?.component === INGRESS_EVENT_COMPONENT,
  );
}

/** Records Warning Events about Ingresses without repeating one (module comment). */
export class IngressWarnings {
  /** Warnings recorded by this process, by Ingress key `namespace/name`. */
  private readonly recorded = new Map<string, Set<string>>();
  private readonly recorder = new EventRecorder(INGRESS_EVENT_COMPONENT);

  /** Records each of `warnings` about `ing` that was not recorded before. Never throws. */
  async report(
    ctx: Pick<ReconcileContext, 'client' | 'listers' | 'log' | 'now'>,
    ing: Ingress,
    warnings: readonly IngressWarning[],
  ): Promise<void> {
    const { namespace = 'default', name = '', uid = '' } = ing.metadata;
    const key = `${namespace}/${name}`;
    const mine = this.recorded.get(key) ?? new Set<string>();
    this.recorded.set(key, mine);
    const stored = warnings.length ? ctx.listers.Event.list({ namespace }) : [];
    for (const w of warnings) {
      const id = identity(uid, w);
      if (mine.has(id)) continue;
      mine.add(id);
      if (alreadyStored(stored, uid, w)) continue;
      await this.recorder.record(
        ctx,
        { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', object: ing },
        { type: 'Warning', ...w },
      );
    }
  }

  /** Forgets what was recorded about the Ingress `namespace/name` (it is gone or no longer ours). */
  forget(key: string): void {
    this.recorded.delete(key);
  }
}
