/**
 * Events about LoadBalancer Services, as upstream's service controller records them (component
 * `service-controller`). Normal events mark a load balancer's creation and removal; a Warning is
 * recorded once per problem: kplane resyncs the Services on every Node heartbeat, so a repeat would
 * only grow `count`. A Warning already in the Event cache (recorded before a restart) is not
 * recorded again either. Both go through one {@link EventRecorder} per controller.
 */
import type { ReconcileContext } from '../../src/runtime/api.js';
import { EventRecorder } from '../../src/runtime/events.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';

/** The event source of upstream's service controller. */
const SERVICE_EVENT_COMPONENT = 'service-controller';
/** Warning: the Service gets no (new) address: the one it asks for is taken or outside the pool, or the pool is full. */
export const IP_NOT_AVAILABLE_REASON = 'LoadBalancerIPNotAvailable';
/** Warning: the Service has no TCP or UDP port, the only protocols a network load balancer carries. */
export const UNSUPPORTED_PROTOCOL_REASON = 'UnsupportedLoadBalancerProtocol';
export const ENSURED_REASON = 'EnsuredLoadBalancer';
export const DELETED_REASON = 'DeletedLoadBalancer';

type EventContext = Pick<ReconcileContext, 'client' | 'listers' | 'log' | 'now'>;

function involved(svc: Service) {
  return { kind: 'Service', apiVersion: 'v1', object: svc };
}

/** The recorder of one service controller: its Normal events and its {@link ServiceWarnings} share it. */
export function serviceEventRecorder(): EventRecorder {
  return new EventRecorder(SERVICE_EVENT_COMPONENT);
}

/** Records a Normal event about `svc`. Never throws. */
export async function recordNormal(
  recorder: EventRecorder,
  ctx: EventContext,
  svc: Service,
  reason: string,
  message: string,
): Promise<void> {
  await recorder.record(ctx, involved(svc), { type: 'Normal', reason, message });
}

/** A problem that keeps a Service from its load balancer (or from a change to it). */
export interface ServiceWarning {
  reason: string;
  message: string;
}

/** The Warnings of each Service, recorded once per problem (module comment). */
export class ServiceWarnings {
  /** The uid and problem recorded last, by Service key `namespace/name`. */
  private readonly recorded = new Map<string, string>();

  constructor(private readonly recorder: EventRecorder) {}

  /** Records `problem` about `svc` unless already recorded; no problem forgets the last one. Never throws. */
  async report(ctx: EventContext, svc: Service, problem: ServiceWarning | undefined): Promise<void> {
    const uid = svc.metadata.uid ?? '';
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    if (!problem) {
      this.recorded.delete(key);
      return;
    }
    const identity = `${uid}\u0000${problem.reason}\u0000${problem.message}`;
    if (this.recorded.get(key) === identity) return;
    this.recorded.set(key, identity);
    const stored = ctx.listers.Event.list({ namespace: svc.metadata.namespace }).some(
      (e) =>
        e.involvedObject.uid === uid &&
        e.reason === problem.reason &&
        e.message === problem.message &&
        e.source?.component === SERVICE_EVENT_COMPONENT,
    );
    if (!stored) await this.recorder.record(ctx, involved(svc), { type: 'Warning', ...problem });
  }

  /** Forgets what was recorded about the Service `namespace/name` (it is gone or no longer has a load balancer). */
  forget(key: string): void {
    this.recorded.delete(key);
  }
}
