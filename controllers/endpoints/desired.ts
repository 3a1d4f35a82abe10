/**
 * The Endpoints object a Service should have, computed from the Service and the Pods it selects
 * (pkg/controller/endpoint `syncService`, after the cache lookups). Pure: no I/O and no clock.
 *
 * The Pod helpers (`shouldPodBeInEndpoints`, `findPort`, …) are upstream's
 * staging/src/k8s.io/endpointslice/util and pkg/api/v1/pod, shared with the EndpointSlice controller.
 */
import { isIPv4 } from '../../src/net/ipv4.js';
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Endpoints,
} from '../../src/registry/kinds/endpoints/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import { isHeadless, type Service, type ServicePort } from '../../src/registry/kinds/service/schema.js';
import { jsonEqual } from '../../src/apimachinery/equal.js';
import { labelSelectorFromSet, matchesLabels } from '../../src/apimachinery/selectors.js';
import { repackSubsets } from '../../src/registry/kinds/endpoints/index.js';

/** Label marking the Endpoints (and EndpointSlices) of a Service without a cluster IP. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** When the last Pod or Service change reflected in the object happened. */
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Set to `truncated` when more than `MAX_ENDPOINTS_ADDRESSES` addresses had to be dropped. */
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
/** Upstream `maxCapacity`: the most addresses (ready + not ready, over all subsets) one Endpoints keeps. */
const MAX_ENDPOINTS_ADDRESSES = 1000;

/** Whether the Pod's `Ready` condition is `True` (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Upstream `ShouldPodBeInEndpoints`: not Succeeded/Failed, has an IP, and (unless
 * `includeTerminating`) is not being deleted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** Upstream `ShouldSetHostname`: the Pod names a hostname and sits in the Service's subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (
    !!pod.spec.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace
  );
}

/**
 * Upstream `FindPort`: a numeric targetPort is used as is (the Pod's ports are not consulted); a
 * named one resolves to the first container port with that name and the Service port's protocol,
 * in containers and then in restartable (sidecar) init containers. `undefined` = no such port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...pod.spec.containers, ...sidecars]) {
    const match = container.ports?.find((p) => p.name === target && p.protocol === servicePort.protocol);
    if (match) return match.containerPort;
  }
  return undefined;
}

/** Upstream `IsServiceIPSet`: the Service has a real cluster IP (neither empty nor `None`). */
export function isServiceIPSet(svc: Service): boolean {
  return !!svc.spec.clusterIP && svc.spec.clusterIP !== 'None';
}

/**
 * Whether the endpoint controllers manage this Service's endpoints: not ExternalName and a
 * non-empty selector (an empty selector does not survive the API round trip upstream, so it
 * counts as none: user-managed endpoints).
 */
export function hasManagedEndpoints(svc: Service): boolean {
  return svc.spec.type !== 'ExternalName' && Object.keys(svc.spec.selector ?? {}).length > 0;
}

/** Whether the Service selects the Pod: same namespace and the Pod's labels include the selector. */
export function serviceSelectsPod(svc: Service, pod: Pod): boolean {
  return (
    hasManagedEndpoints(svc) &&
    svc.metadata.namespace === pod.metadata.namespace &&
    matchesLabels(labelSelectorFromSet(svc.spec.selector), pod.metadata.labels)
  );
}

/** The Pod's IPv4 address (kplane is single-stack IPv4), or undefined when it has none. */
export function podIPv4(pod: Pod): string | undefined {
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? [];
  if (pod.status?.podIP) ips.unshift(pod.status.podIP);
  return ips.find((ip) => isIPv4(ip));
}

/**
 * A stateless stand-in for upstream's TriggerTimeTracker: the latest of the Service's creation
 * and the selected Pods' creation and Ready-condition transitions. Upstream reports the earliest
 * change not yet written; with one change per sync both are the same instant.
 */
export function lastChangeTriggerTime(svc: Service, pods: readonly Pod[]): string | undefined {
  const stamps = [svc.metadata.creationTimestamp];
  for (const pod of pods) {
    stamps.push(
      pod.metadata.creationTimestamp,
      pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime,
    );
  }
  let latest: string | undefined;
  for (const stamp of stamps) if (stamp && (!latest || Date.parse(stamp) > Date.parse(latest))) latest = stamp;
  return latest;
}

/** The Endpoints/EndpointSlice labels: the Service's, plus the headless marker when it has no cluster IP. */
function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata.labels };
  if (isServiceIPSet(svc)) delete labels[HEADLESS_LABEL];
  else labels[HEADLESS_LABEL] = '';
  return labels;
}

function endpointAddress(svc: Service, pod: Pod, ip: string): EndpointAddress {
  const { namespace, name, uid } = pod.metadata;
  const address: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace, name, uid } };
  // Upstream writes `nodeName: ""` for an unscheduled Pod; such a Pod has no IP in practice.
  if (pod.spec.nodeName) address.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) address.hostname = pod.spec.hostname;
  return address;
}

function endpointPort(servicePort: ServicePort, port: number): EndpointPort {
  const ep: EndpointPort = { port, protocol: servicePort.protocol };
  if (servicePort.name) ep.name = servicePort.name;
  if (servicePort.appProtocol) ep.appProtocol = servicePort.appProtocol;
  return ep;
}

/**
 * The ports a Pod serves for the Service: one per Service port whose targetPort resolves on it.
 * A headless Service without ports yields one port-less entry (`undefined`); any other Service
 * without ports yields none.
 */
function podEndpointPorts(svc: Service, pod: Pod): (EndpointPort | undefined)[] {
  const ports = svc.spec.ports ?? [];
  if (ports.length === 0) return isHeadless(svc.spec) ? [undefined] : [];
  return ports.flatMap((sp) => {
    const resolved = findPort(pod, sp);
    return resolved === undefined ? [] : [endpointPort(sp, resolved)];
  });
}

/** One single-address subset per (Pod, port), as upstream `addEndpointSubset`; repacking merges them. */
function podSubsets(svc: Service, pod: Pod): EndpointSubset[] {
  const ip = podIPv4(pod);
  if (!ip) return [];
  const address = endpointAddress(svc, pod, ip);
  const ready = svc.spec.publishNotReadyAddresses === true || isPodReady(pod);
  return podEndpointPorts(svc, pod).map((port) => {
    const subset: EndpointSubset = ready ? { addresses: [address] } : { notReadyAddresses: [address] };
    if (port) subset.ports = [port];
    return subset;
  });
}

const countOf = (list: readonly unknown[] | undefined) => list?.length ?? 0;

/**
 * Upstream `truncateEndpoints`: when over `max` addresses, keeps every ready address and shares
 * the rest among the subsets' not-ready ones in proportion (or, with more than `max` ready
 * addresses, shares `max` among the ready ones and drops all not-ready). `undefined` = fits.
 */
function truncateSubsets(subsets: readonly EndpointSubset[], max: number): EndpointSubset[] | undefined {
  const totalReady = subsets.reduce((n, s) => n + countOf(s.addresses), 0);
  const totalNotReady = subsets.reduce((n, s) => n + countOf(s.notReadyAddresses), 0);
  if (totalReady + totalNotReady <= max) return undefined;
  const truncateReady = totalReady > max;
  const budget = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let remaining = budget;
  const truncated = subsets.map((subset) => {
    const list = (truncateReady ? subset.addresses : subset.notReadyAddresses) ?? [];
    const kept = list.slice(0, Math.min(Math.ceil((list.length / total) * budget), remaining));
    remaining -= kept.length;
    return truncateReady
      ? { ...subset, addresses: kept, notReadyAddresses: [] }
      : { ...subset, notReadyAddresses: kept };
  });
  // Repacking drops the emptied lists and subsets, which validation would reject.
  return repackSubsets(truncated.map(withoutEmptyLists));
}

function withoutEmptyLists(subset: EndpointSubset): EndpointSubset {
  const out: EndpointSubset = { ...subset };
  if (!out.addresses?.length) delete out.addresses;
  if (!out.notReadyAddresses?.length) delete out.notReadyAddresses;
  return out;
}

/**
 * The Endpoints the controller wants for `svc` given the Pods of its namespace (as upstream's
 * `endpoints_controller.go` `syncService` computes them): selected, eligible Pods; ports resolved
 * per Pod; ready vs not-ready; repacked and capped at 1000 addresses. `undefined` means the
 * controller leaves the Service's Endpoints alone (ExternalName, no selector). Metadata holds only
 * what the controller owns: name, namespace, labels and its two annotations.
 */
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): Endpoints | undefined {
  if (!hasManagedEndpoints(svc)) return undefined;
  const selected = pods.filter((pod) => serviceSelectsPod(svc, pod));
  const eligible = selected.filter((pod) => shouldPodBeInEndpoints(pod, svc.spec.publishNotReadyAddresses === true));
  const repacked = repackSubsets(eligible.flatMap((pod) => podSubsets(svc, pod)));
  const truncated = truncateSubsets(repacked, MAX_ENDPOINTS_ADDRESSES);
  const annotations: Record<string, string> = {};
  const triggerTime = lastChangeTriggerTime(svc, selected);
  if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = triggerTime;
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels: endpointsLabels(svc), annotations },
    subsets: truncated ?? repacked,
  };
}

/** Subsets as compared: a Pod's resourceVersion in a targetRef is noise (upstream ignores it too). */
function comparableSubsets(ep: Endpoints): unknown {
  const strip = (a: EndpointAddress) =>
    a.targetRef ? { ...a, targetRef: { ...a.targetRef, resourceVersion: undefined } } : a;
  return (ep.subsets ?? []).map((s) => ({
    ...s,
    addresses: s.addresses?.map(strip),
    notReadyAddresses: s.notReadyAddresses?.map(strip),
  }));
}

function comparableAnnotations(ep: Endpoints): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ep.metadata.annotations ?? {}).filter(([key]) => key !== TRIGGER_TIME_ANNOTATION),
  );
}

/**
 * Whether writing `b` over `a` would change anything that matters: subsets (ignoring targetRef
 * resourceVersions), labels and annotations other than the trigger time, which alone never
 * justifies a write.
 */
export function sameEndpoints(a: Endpoints, b: Endpoints): boolean {
  return (
    jsonEqual(comparableSubsets(a), comparableSubsets(b)) &&
    jsonEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {}) &&
    jsonEqual(comparableAnnotations(a), comparableAnnotations(b))
  );
}
