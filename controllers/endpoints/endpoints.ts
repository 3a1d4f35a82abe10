/**
 * The Endpoints controller (pkg/controller/endpoint): one Endpoints object per selecting Service,
 * kept in step with the Pods it selects. What the object should hold is `desiredEndpoints`; this
 * file only reads the caches, writes the difference and decides what to requeue.
 */
import type { Endpoints } from '../../src/registry/kinds/endpoints/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import { StatusError } from '../../src/apimachinery/errors.js';
import {
  defineController,
  keyOf,
  watchKind,
  type Listers,
  type ObjectKey,
  type ReconcileContext,
} from '../../src/runtime/api.js';
import { endpointsPodIndex } from '../../src/registry/kinds/endpoints/index.js';
import { serviceSelectorIndex } from '../../src/registry/kinds/service/index.js';
import {
  OVER_CAPACITY_ANNOTATION,
  TRIGGER_TIME_ANNOTATION,
  desiredEndpoints,
  hasManagedEndpoints,
  sameEndpoints,
  serviceSelectsPod,
} from './desired.js';

/** Whether `err` is the 403 refusing new objects in a terminating namespace (retrying cannot help). */
export function isNamespaceTerminating(err: unknown): boolean {
  return (
    err instanceof StatusError &&
    err.code === 403 &&
    (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
  );
}

/**
 * The Services to resync when a Pod changes: those whose selector matches it now, plus those
 * whose Endpoints still list it. The map only sees the Pod's new state (upstream compares old and
 * new labels), so a Pod whose labels stopped matching is found through the Endpoints that still
 * reference it by targetRef name; a Pod that was never listed needs no removal.
 */
export function servicesForPod(pod: Pod, listers: Pick<Listers, 'Service' | 'Endpoints'>): ObjectKey[] {
  const namespace = pod.metadata.namespace;
  const keys = new Map<string, ObjectKey>();
  for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
    for (const svc of listers.Service.byIndex(serviceSelectorIndex, `${namespace}/${k}=${v}`))
      if (serviceSelectsPod(svc, pod)) keys.set(svc.metadata.name!, keyOf(svc));
  }
  for (const ep of listers.Endpoints.byIndex(endpointsPodIndex, `${namespace}/${pod.metadata.name}`))
    keys.set(ep.metadata.name!, keyOf(ep));
  return [...keys.values()];
}

/** `desired` written over `current`: keeps its identity, resourceVersion and foreign annotations. */
function updateOf(current: Endpoints, desired: Endpoints): Endpoints {
  const foreign = Object.entries(current.metadata.annotations ?? {}).filter(
    ([k]) => k !== TRIGGER_TIME_ANNOTATION && k !== OVER_CAPACITY_ANNOTATION,
  );
  const annotations = { ...Object.fromEntries(foreign), ...desired.metadata.annotations };
  return {
    ...current,
    metadata: { ...current.metadata, labels: desired.metadata.labels, annotations },
    subsets: desired.subsets,
  };
}

async function reconcileEndpoints(ctx: ReconcileContext, key: ObjectKey): Promise<void> {
  const svc = ctx.listers.Service.get(key);
  if (!svc) {
    // As upstream: the Endpoints go with their Service, whoever wrote them; already gone is fine.
    await ctx.client.delete('Endpoints', key);
    return;
  }
  const pods = hasManagedEndpoints(svc)
    ? ctx.listers.Pod.list({ namespace: key.namespace, labels: svc.spec.selector })
    : [];
  const desired = desiredEndpoints(svc, pods);
  if (!desired) return; // ExternalName or no selector: the Endpoints are the user's.
  const current = ctx.listers.Endpoints.get(key);
  if (!current) {
    try {
      await ctx.client.create('Endpoints', desired);
    } catch (err) {
      if (!isNamespaceTerminating(err)) throw err; // 409 from a stale cache: retried.
    }
    return;
  }
  const next = updateOf(current, desired);
  if (sameEndpoints(current, next)) return;
  await ctx.client.update('Endpoints', next); // a 409 propagates and the key is retried
}

/**
 * The Service to resync when its Endpoints change. Upstream resyncs on deletion only; any change
 * is mapped here (also undoing hand edits of a managed object; a no-op when nothing differs), but
 * only while the Service exists, so Endpoints created ahead of their Service are not deleted.
 */
export function serviceOfEndpoints(ep: Endpoints, listers: Pick<Listers, 'Service'>): ObjectKey[] {
  const key = keyOf(ep);
  return listers.Service.get(key) ? [key] : [];
}

/** Service → Endpoints, requeued by its Service, by Pods (`servicesForPod`) and by its Endpoints. */
export const endpointsController = defineController({
  name: 'endpoints',
  workers: 4,
  for: 'Service',
  watches: [
    watchKind('Pod', (pod, { listers }) => servicesForPod(pod, listers)),
    watchKind('Endpoints', (ep, { listers }) => serviceOfEndpoints(ep, listers)),
  ],
  reconcile: reconcileEndpoints,
});
