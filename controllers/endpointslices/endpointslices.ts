/**
 * The EndpointSlice controller (pkg/controller/endpointslice): keeps the `discovery.k8s.io/v1`
 * slices of each selecting Service in step with its Pods. The plan is `planEndpointSlices`; this
 * file reads the caches, guards against a stale slice cache, writes the plan and decides what to
 * requeue.
 */
import type { EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import {
  defineController,
  keyOf,
  keyString,
  watchKind,
  type Listers,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
} from '../../src/runtime/api.js';
import { hasManagedEndpoints, serviceSelectsPod } from '../endpoints/desired.js';
import { isNamespaceTerminating } from '../endpoints/endpoints.js';
import {
  CONTROLLER_NAME,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  ZONE_LABEL,
  planEndpointSlices,
  type SlicePlan,
} from './desired.js';

/** How long an unmet write expectation blocks a Service (upstream ControllerExpectations' 5 minutes). */
const EXPECTATION_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  /** The generation the cache must reach, or `deleted` when the slice must be gone from it. */
  generation: number | 'deleted';
  recordedAt: number;
}

/**
 * Upstream `EndpointSliceTracker`: the slice writes not yet seen in the cache, per Service UID.
 * Slices are named by the server, so planning on a cache that misses a just-created slice would
 * create a duplicate; a stale cache makes the reconcile fail and retry instead.
 */
class SliceWriteTracker {
  private readonly byService = new Map<string, Map<string, Expectation>>();

  expect(serviceUID: string, sliceName: string, generation: number | 'deleted', now: number): void {
    const slices = this.byService.get(serviceUID) ?? new Map<string, Expectation>();
    this.byService.set(serviceUID, slices);
    slices.set(sliceName, { generation, recordedAt: now });
  }

  /** Whether `cached` lags behind a write; expectations that are met (or expired) are dropped. */
  isStale(serviceUID: string, cached: readonly EndpointSlice[], now: number): boolean {
    const slices = this.byService.get(serviceUID);
    if (!slices) return false;
    const byName = new Map(cached.map((s) => [s.metadata.name!, s]));
    for (const [name, want] of slices) {
      const seen = byName.get(name);
      const met = want.generation === 'deleted' ? !seen : !!seen && (seen.metadata.generation ?? 0) >= want.generation;
      if (met || now - want.recordedAt > EXPECTATION_TTL_MS) slices.delete(name);
    }
    if (slices.size === 0) this.byService.delete(serviceUID);
    return slices.size > 0;
  }

  forget(serviceUIDs: Iterable<string>): void {
    for (const uid of serviceUIDs) this.byService.delete(uid);
  }
}

function referencesPod(slice: EndpointSlice, pod: Pod): boolean {
  return slice.endpoints.some((e) => e.targetRef?.kind === 'Pod' && e.targetRef.name === pod.metadata.name);
}

/**
 * The Services to resync when a Pod changes: those whose selector matches it now, plus those
 * whose managed slices still reference it (a Pod whose labels stopped matching; the map sees only
 * the new state).
 */
export function servicesForPodSlices(pod: Pod, listers: Pick<Listers, 'Service' | 'EndpointSlice'>): ObjectKey[] {
  const namespace = pod.metadata.namespace;
  const names = new Set<string>();
  for (const svc of listers.Service.list({ namespace })) if (serviceSelectsPod(svc, pod)) names.add(svc.metadata.name!);
  for (const slice of listers.EndpointSlice.list({ namespace, labels: { [MANAGED_BY_LABEL]: CONTROLLER_NAME } })) {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service && referencesPod(slice, pod)) names.add(service);
  }
  return [...names].map((name) => ({ namespace, name }));
}

/** The Service a slice belongs to, when this controller manages it. */
function serviceOfSlice(slice: EndpointSlice): ObjectKey[] {
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return service && slice.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME
    ? [{ namespace: slice.metadata.namespace, name: service }]
    : [];
}

function ownerUIDs(slices: readonly EndpointSlice[]): string[] {
  return slices.flatMap((s) => (s.metadata.ownerReferences ?? []).map((o) => o.uid));
}

/** Creates, updates, then deletes (upstream `finalize` order), recording each write in `tracker`. */
async function writePlan(
  ctx: ReconcileContext,
  tracker: SliceWriteTracker,
  uid: string,
  plan: SlicePlan,
): Promise<void> {
  for (const slice of plan.create) {
    try {
      const created = await ctx.client.create('EndpointSlice', slice);
      tracker.expect(uid, created.metadata.name!, created.metadata.generation ?? 0, ctx.now());
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      throw err;
    }
  }
  for (const slice of plan.update) {
    const updated = await ctx.client.update('EndpointSlice', slice);
    tracker.expect(uid, updated.metadata.name!, updated.metadata.generation ?? 0, ctx.now());
  }
  for (const slice of plan.delete) {
    await ctx.client.delete('EndpointSlice', keyOf(slice));
    tracker.expect(uid, slice.metadata.name!, 'deleted', ctx.now());
  }
}

async function reconcileSlices(ctx: ReconcileContext, tracker: SliceWriteTracker, key: ObjectKey): Promise<void> {
  const existing = ctx.listers.EndpointSlice.list({
    namespace: key.namespace,
    labels: { [SERVICE_NAME_LABEL]: key.name, [MANAGED_BY_LABEL]: CONTROLLER_NAME },
  });
  const svc = ctx.listers.Service.get(key);
  if (!svc) {
    // Upstream leaves this to the garbage collector (ownerReferences); kplane has none.
    tracker.forget(ownerUIDs(existing));
    for (const slice of existing) await ctx.client.delete('EndpointSlice', keyOf(slice));
    return;
  }
  const uid = svc.metadata.uid ?? '';
  if (tracker.isStale(uid, existing, ctx.now()))
    throw new Error(`EndpointSlice cache is out of date for Service ${keyString(key)}`);
  const pods = hasManagedEndpoints(svc)
    ? ctx.listers.Pod.list({ namespace: key.namespace, labels: svc.spec.selector })
    : [];
  const zoneOfNode = (name: string) => ctx.listers.Node.get({ name })?.metadata.labels?.[ZONE_LABEL];
  const plan = planEndpointSlices(svc, pods, existing, { zoneOfNode });
  if (plan) await writePlan(ctx, tracker, uid, plan); // no plan: ExternalName or no selector, not ours
}

/**
 * A fresh EndpointSlice controller with its own write tracker (tests that want isolation build
 * their own; `endpointSliceController` is the default instance).
 */
export function createEndpointSliceController(): Reconciler<'Service'> {
  const tracker = new SliceWriteTracker();
  return defineController({
    name: 'endpointslice',
    for: 'Service',
    watches: [
      watchKind('Pod', (pod, { listers }) => servicesForPodSlices(pod, listers)),
      watchKind('EndpointSlice', (slice) => serviceOfSlice(slice)),
    ],
    reconcile: (ctx, key) => reconcileSlices(ctx, tracker, key),
  });
}

/** Service → EndpointSlices (`managed-by: endpointslice-controller.k8s.io`). */
export const endpointSliceController = createEndpointSliceController();
