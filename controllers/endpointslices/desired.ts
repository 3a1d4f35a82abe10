/**
 * What the EndpointSlice controller writes for a Service (staging/src/k8s.io/endpointslice,
 * `Reconciler.reconcileByAddressType` and `reconcileByPortMapping`): the desired endpoints grouped
 * by port list, then a plan of slice creates, updates and deletes that reuses existing slices so
 * that nothing is written when nothing changed. Pure: no I/O and no clock. IPv4 only.
 */
import type { Endpoint, EndpointSlice, EndpointSlicePort } from '../../src/registry/kinds/endpointslice/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { jsonEqual } from '../../src/apimachinery/equal.js';
import {
  HEADLESS_LABEL,
  TRIGGER_TIME_ANNOTATION,
  findPort,
  hasManagedEndpoints,
  isPodReady,
  isServiceIPSet,
  lastChangeTriggerTime,
  podIPv4,
  serviceSelectsPod,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../endpoints/desired.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** The `managed-by` value of this controller's slices. */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Upstream's `--max-endpoints-per-slice` default. */
const MAX_ENDPOINTS_PER_SLICE = 100;
/** Node label giving an endpoint its `zone`. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
const ADDRESS_TYPE = 'IPv4';
const RESERVED_LABELS = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);

/** Endpoints that serve the same port list, keyed by endpoint identity (`endpointKey`). */
interface EndpointGroup {
  ports: EndpointSlicePort[];
  endpoints: Map<string, Endpoint>;
}

/** What to write: `update` entries carry the name and resourceVersion of the slice they replace. */
export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface PlanOptions {
  maxEndpointsPerSlice?: number;
  /** The zone of a node (its `topology.kubernetes.io/zone` label), when known. */
  zoneOfNode?: (nodeName: string) => string | undefined;
}

/** Identity of an endpoint within a slice (upstream `hashEndpoint`): addresses, hostname, target. */
function endpointKey(ep: Endpoint): string {
  return JSON.stringify([
    [...ep.addresses].sort(),
    ep.hostname ?? '',
    ep.targetRef?.namespace ?? '',
    ep.targetRef?.name ?? '',
  ]);
}

/** Identity of a port list, order-insensitive (upstream `NewPortMapKey`). */
function portListKey(ports: readonly EndpointSlicePort[] | undefined): string {
  return JSON.stringify(
    (ports ?? [])
      .map((p) => JSON.stringify([p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? '']))
      .sort(),
  );
}

/** Upstream `EndpointsEqualBeyondHash`: what an in-place update of a known endpoint compares. */
function sameBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const comparable = (ep: Endpoint) => ({
    nodeName: ep.nodeName,
    zone: ep.zone,
    conditions: ep.conditions ?? {},
    targetRef: ep.targetRef && { ...ep.targetRef, resourceVersion: undefined },
  });
  return jsonEqual(comparable(a), comparable(b));
}

/** Upstream `podToEndpoint`: serving = Ready, terminating = being deleted, ready = publish || (serving && !terminating). */
function podEndpoint(svc: Service, pod: Pod, ip: string, zone: string | undefined): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const { namespace, name, uid } = pod.metadata;
  const ep: Endpoint = {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace, name, uid },
  };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  return ep;
}

/**
 * Upstream `getEndpointPorts`: one slice port per Service port whose targetPort resolves on the
 * Pod (unlike Endpoints, a Pod missing a named port still appears, with fewer ports).
 */
function podSlicePorts(svc: Service, pod: Pod): EndpointSlicePort[] {
  return (svc.spec.ports ?? []).flatMap((sp) => {
    const port = findPort(pod, sp);
    if (port === undefined) return [];
    const out: EndpointSlicePort = { name: sp.name ?? '', port, protocol: sp.protocol };
    if (sp.appProtocol) out.appProtocol = sp.appProtocol;
    return [out];
  });
}

/**
 * The desired endpoints of `svc`, grouped by port list, keyed by `portListKey`. Pods are taken in
 * name order so the plan is deterministic; terminating Pods are always included (with
 * `terminating: true`).
 */
function desiredEndpointGroups(
  svc: Service,
  pods: readonly Pod[],
  zoneOfNode?: PlanOptions['zoneOfNode'],
): Map<string, EndpointGroup> {
  const groups = new Map<string, EndpointGroup>();
  const eligible = pods.filter((pod) => serviceSelectsPod(svc, pod) && shouldPodBeInEndpoints(pod, true));
  for (const pod of [...eligible].sort((a, b) =>
    a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0,
  )) {
    const ip = podIPv4(pod);
    if (!ip) continue;
    const ports = podSlicePorts(svc, pod);
    const key = portListKey(ports);
    const group = groups.get(key) ?? { ports, endpoints: new Map<string, Endpoint>() };
    groups.set(key, group);
    const endpoint = podEndpoint(svc, pod, ip, pod.spec.nodeName ? zoneOfNode?.(pod.spec.nodeName) : undefined);
    group.endpoints.set(endpointKey(endpoint), endpoint);
  }
  return groups;
}

/**
 * Upstream `setEndpointSliceLabels`: the Service's labels minus the reserved ones, the headless
 * marker, the service name and `managed-by`; `changed` when the slice's non-reserved labels differ
 * from the Service's.
 */
function sliceLabels(
  svc: Service,
  current: Readonly<Record<string, string>> = {},
): { labels: Record<string, string>; changed: boolean } {
  const unreserved = (labels: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(labels).filter(([k]) => !RESERVED_LABELS.has(k)));
  const fromService = unreserved(svc.metadata.labels ?? {});
  const changed = !jsonEqual(unreserved(current), fromService);
  const labels: Record<string, string> = {
    ...fromService,
    [SERVICE_NAME_LABEL]: svc.metadata.name!,
    [MANAGED_BY_LABEL]: CONTROLLER_NAME,
  };
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  return { labels, changed };
}

/** Upstream `ownedBy`: the slice's ownerReferences name this Service (by UID). */
function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some(
    (o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1',
  );
}

/** Upstream `newEndpointSlice`: an empty slice for `ports`, named by the server from `<svc>-`. */
function newEndpointSlice(svc: Service, ports: EndpointSlicePort[]): EndpointSlice {
  const { name, namespace, uid } = svc.metadata;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${name}-`,
      namespace,
      labels: sliceLabels(svc).labels,
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: name!, uid: uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType: ADDRESS_TYPE,
    endpoints: [],
    ports,
  };
}

/** Upstream `placeholderSliceCompare`: namespace, labels, owners, type, and no ports or endpoints. */
function isPlaceholderFor(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    jsonEqual(slice.metadata.labels ?? {}, placeholder.metadata.labels) &&
    jsonEqual(slice.metadata.ownerReferences ?? [], placeholder.metadata.ownerReferences) &&
    slice.addressType === placeholder.addressType &&
    (slice.ports ?? []).length === 0 &&
    slice.endpoints.length === 0
  );
}

/** A changed copy of a cached slice (cached objects are shared and never mutated). */
function revised(slice: EndpointSlice, endpoints: Endpoint[], labels: Record<string, string>): EndpointSlice {
  return { ...slice, metadata: { ...slice.metadata, labels }, endpoints };
}

/** Upstream `getSliceToFill`: the slice that ends up closest to full after taking `count` more. */
function sliceToFill(slices: readonly EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const slice of slices) {
    const room = max - (count + slice.endpoints.length);
    if (room >= 0 && room < bestRoom) [best, bestRoom] = [slice, room];
  }
  return best;
}

/** Moves endpoints from `pending` (in order) into `slice` until it holds `max`. */
function fill(slice: EndpointSlice, pending: Map<string, Endpoint>, max: number): void {
  for (const [key, ep] of pending) {
    if (slice.endpoints.length >= max) return;
    slice.endpoints.push(ep);
    pending.delete(key);
  }
}

/**
 * Upstream `reconcileByPortMapping` for one port list: (1) drop unwanted endpoints from existing
 * slices and refresh changed ones; (2) top up the slices already being updated, fullest first;
 * (3) put what is left into the unchanged slice it fills best, or into new slices.
 */
function planPortGroup(svc: Service, existing: readonly EndpointSlice[], group: EndpointGroup, max: number): SlicePlan {
  const pending = new Map(group.endpoints);
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const unchanged: EndpointSlice[] = [];
  for (const slice of existing) {
    const kept: Endpoint[] = [];
    let endpointChanged = false;
    for (const ep of slice.endpoints) {
      const want = pending.get(endpointKey(ep));
      if (!want) continue;
      kept.push(want);
      endpointChanged ||= !sameBeyondKey(want, ep);
      pending.delete(endpointKey(ep));
    }
    const { labels, changed: labelsChanged } = sliceLabels(svc, slice.metadata.labels);
    if (endpointChanged || kept.length !== slice.endpoints.length) {
      if (kept.length === 0) plan.delete.push(slice);
      else plan.update.push(revised(slice, kept, labels));
    } else if (labelsChanged) plan.update.push(revised(slice, [...slice.endpoints], labels));
    else unchanged.push(slice);
  }
  for (const slice of [...plan.update].sort((a, b) => b.endpoints.length - a.endpoints.length))
    fill(slice, pending, max);
  while (pending.size > 0) {
    const reuse = pending.size < max ? sliceToFill(unchanged, pending.size, max) : undefined;
    const target = reuse
      ? revised(reuse, [...reuse.endpoints], sliceLabels(svc, reuse.metadata.labels).labels)
      : newEndpointSlice(svc, group.ports);
    fill(target, pending, max);
    if (reuse) {
      unchanged.splice(unchanged.indexOf(reuse), 1);
      plan.update.push(target);
    } else plan.create.push(target);
  }
  return plan;
}

/**
 * Upstream `finalize`'s first step: a create paired with a delete becomes an update of the slice
 * that would have been deleted, so slices are recycled rather than churned.
 */
function recycleDeletes(svc: Service, plan: SlicePlan): SlicePlan {
  const create = [...plan.create];
  const update = [...plan.update];
  const remove: EndpointSlice[] = [];
  for (const old of plan.delete) {
    const fresh = create.at(-1);
    if (!fresh || old.addressType !== fresh.addressType || !ownedBy(old, svc)) {
      remove.push(old);
      continue;
    }
    create.pop();
    update.push({
      ...fresh,
      metadata: { ...fresh.metadata, name: old.metadata.name, resourceVersion: old.metadata.resourceVersion },
    });
  }
  return { create, update, delete: remove };
}

/** Upstream `addTriggerTimeAnnotation`, on the slices about to be written. */
function withTriggerTime(slice: EndpointSlice, triggerTime: string | undefined): EndpointSlice {
  const annotations = Object.fromEntries(
    Object.entries(slice.metadata.annotations ?? {}).filter(([k]) => k !== TRIGGER_TIME_ANNOTATION),
  );
  if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = triggerTime;
  return { ...slice, metadata: { ...slice.metadata, annotations } };
}

/**
 * The writes that bring `existing` (the slices labelled as this controller's for `svc`) to what
 * `pods` call for: at most `maxEndpointsPerSlice` endpoints a slice, one port list a slice, a
 * single empty placeholder slice when there are no endpoints, slices owned by another object (an
 * older Service of the same name) deleted, no creates while the Service is being deleted, and
 * nothing at all when nothing changed. `undefined`: the Service's slices are not ours to manage
 * (ExternalName, no selector).
 */
export function planEndpointSlices(
  svc: Service,
  pods: readonly Pod[],
  existing: readonly EndpointSlice[],
  opts: PlanOptions = {},
): SlicePlan | undefined {
  if (!hasManagedEndpoints(svc)) return undefined;
  const max = opts.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const groups = desiredEndpointGroups(svc, pods, opts.zoneOfNode);
  const ordered = [...existing].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const plan: SlicePlan = {
    create: [],
    update: [],
    delete: ordered.filter((s) => !ownedBy(s, svc) || s.addressType !== ADDRESS_TYPE),
  };
  const mine = ordered.filter((s) => !plan.delete.includes(s));
  for (const [key, group] of groups) {
    const part = planPortGroup(
      svc,
      mine.filter((s) => portListKey(s.ports) === key),
      group,
      max,
    );
    plan.create.push(...part.create);
    plan.update.push(...part.update);
    plan.delete.push(...part.delete);
  }
  plan.delete.push(...mine.filter((s) => !groups.has(portListKey(s.ports))));
  if (plan.delete.length === existing.length && plan.create.length === 0) {
    const placeholder = newEndpointSlice(svc, []);
    if (plan.delete.length === 1 && isPlaceholderFor(plan.delete[0], placeholder)) plan.delete = [];
    else plan.create.push(placeholder);
  }
  const recycled = recycleDeletes(svc, plan);
  const triggerTime = lastChangeTriggerTime(
    svc,
    pods.filter((pod) => serviceSelectsPod(svc, pod)),
  );
  return {
    create: svc.metadata.deletionTimestamp ? [] : recycled.create.map((s) => withTriggerTime(s, triggerTime)),
    update: recycled.update.map((s) => withTriggerTime(s, triggerTime)),
    delete: recycled.delete,
  };
}
