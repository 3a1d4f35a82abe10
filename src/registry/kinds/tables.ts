/**
 * kubectl's columns for each built-in kind (`kubectl get` asks for `as=Table`), with the names,
 * priorities and cell formats of kube-apiserver's printers (pkg/printers/internalversion/printers.go).
 * Like kube-apiserver, every cell is generated, wide ones included: kubectl hides the columns of
 * priority > 0 unless asked for `-o wide`.
 */
import type { KubeObject } from '../../apimachinery/object.js';
import type { EndpointSlice } from './endpointslice/schema.js';
import type { Endpoints } from './endpoints/schema.js';
import type { Event } from './event/schema.js';
import type { Firewall } from './firewall/schema.js';
import type { ForwardingRule } from './forwardingrule/schema.js';
import type { Ingress, IngressStatus } from './ingress/schema.js';
import type { IngressClass } from './ingressclass/schema.js';
import type { Lease } from './lease/schema.js';
import type { Namespace } from './namespace/schema.js';
import type { Node } from './node/schema.js';
import type { Pod, PodStatus } from './pod/schema.js';
import type { Route } from './route/schema.js';
import type { Service } from './service/schema.js';

/** One cell: a JSON scalar. */
export type TableCell = string | number | boolean;

/** `meta.k8s.io/v1` TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0: always shown; above 0: shown by `kubectl get -o wide` only. */
  priority: number;
}

/**
 * How a kind prints as a Table: its columns, and the cells of one object's row. `cells` returns one
 * cell per column, in order, and never mutates `obj` (objects are shared with the watch cache).
 */
export interface TableConvertor<T extends KubeObject = KubeObject> {
  columns: readonly TableColumnDefinition[];
  /** The row of `obj`, ages measured at `nowMs`. */
  cells(obj: T, nowMs: number): TableCell[];
}

/** A column; `wide` ones have priority 1. */
export function column(
  name: string,
  description: string,
  opts: { type?: TableColumnDefinition['type']; format?: string; wide?: boolean } = {},
): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

/** ObjectMeta's own descriptions of `name` and `creationTimestamp`, as upstream's columns carry them. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const nameColumn = (wide = false) => column('Name', NAME_DESCRIPTION, { format: 'name', wide });
const ageColumn = column('Age', CREATION_TIMESTAMP_DESCRIPTION);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** `n` and, when not zero, the remainder `rest` of the next smaller unit: `3m2s`, `2d`. */
function withRest(n: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${n}${unit}` : `${n}${unit}${rest}${restUnit}`;
}

/**
 * apimachinery's `duration.HumanDuration`: about two significant figures (`45s`, `3m2s`, `14m`,
 * `5h3m`, `20h`, `2d3h`, `60d`, `2y30d`); slightly negative ages (clock skew) are `0s`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(ms / DAY);
  if (hours < 8 * 24) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.floor(ms / YEAR);
  if (hours < 8 * 365 * 24) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** Upstream `translateTimestampSince`: the age of an RFC 3339 time, `<unknown>` when unset. */
export function timeSince(timestamp: string | undefined, nowMs: number): string {
  const at = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(at) ? '<unknown>' : humanDuration(nowMs - at);
}

function age(obj: KubeObject, nowMs: number): string {
  return timeSince(obj.metadata.creationTimestamp, nowMs);
}

/** `labels.FormatLabels`: sorted `k=v` pairs, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const pairs = Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels![k]}`);
  return pairs.length ? pairs.join(',') : '<none>';
}

/** `a,b,c + 2 more...`: the first `max` entries, then how many were left out. */
function joinWithMore(entries: readonly string[], max = 3): string {
  const shown = entries.slice(0, max).join(',');
  return entries.length > max ? `${shown} + ${entries.length - max} more...` : shown;
}

/** `net.JoinHostPort`: IPv6 addresses are bracketed. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Distinct load-balancer ingress points, IP else hostname, sorted (upstream's string set). */
function loadBalancerPoints(ingress: readonly { ip?: string; hostname?: string }[] | undefined): string {
  const points = new Set((ingress ?? []).map((i) => i.ip || i.hostname || '').filter((p) => p !== ''));
  return [...points].sort().join(',');
}

// ---------------------------------------------------------------------------------------------
// Pods

type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];

/** What the container statuses add up to: ready count, restarts, last restart and the STATUS reason. */
interface PodSummary {
  ready: number;
  restarts: number;
  /** Latest `lastState.terminated.finishedAt` among the counted containers (ms; 0 = none). */
  lastRestartMs: number;
  reason: string;
}

function finishedAtMs(cs: ContainerStatus): number {
  const at = cs.lastState?.terminated?.finishedAt;
  return at ? Date.parse(at) : 0;
}

function conditionIs(pod: Pod, type: string, status = 'True'): boolean {
  return (pod.status?.conditions ?? []).find((c) => c.type === type)?.status === status;
}

/** Why a terminated container stopped: its reason, else `Signal:N` / `ExitCode:N` (with `prefix`). */
function terminationReason(
  t: NonNullable<NonNullable<ContainerStatus['state']>['terminated']>,
  prefix: string,
): string {
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

/**
 * Walks the init containers in order. Returns the STATUS reason while one is still initializing
 * (`Init:0/2`, `Init:CrashLoopBackOff`), plus the restarts of all of them and of the sidecars.
 */
function initContainersSummary(pod: Pod, summary: PodSummary) {
  const specs = pod.spec.initContainers ?? [];
  const isSidecar = (name: string) => specs.find((c) => c.name === name)?.restartPolicy === 'Always';
  const sidecars = { restarts: 0, lastRestartMs: 0 };
  let initializing = false;
  for (const [i, cs] of (pod.status?.initContainerStatuses ?? []).entries()) {
    summary.restarts += cs.restartCount;
    summary.lastRestartMs = Math.max(summary.lastRestartMs, finishedAtMs(cs));
    if (isSidecar(cs.name)) {
      sidecars.restarts += cs.restartCount;
      sidecars.lastRestartMs = Math.max(sidecars.lastRestartMs, finishedAtMs(cs));
    }
    const state = cs.state ?? {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    if (isSidecar(cs.name) && cs.started) {
      if (cs.ready) summary.ready++;
      continue;
    }
    initializing = true;
    if (state.terminated) summary.reason = terminationReason(state.terminated, 'Init:');
    else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing')
      summary.reason = `Init:${state.waiting.reason}`;
    else summary.reason = `Init:${i}/${specs.length}`;
    break;
  }
  return { initializing, sidecars };
}

/** Regular containers, last first as upstream walks them, so the first container's state wins. */
function containersSummary(pod: Pod, summary: PodSummary): void {
  let hasRunning = false;
  for (const cs of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    summary.restarts += cs.restartCount;
    summary.lastRestartMs = Math.max(summary.lastRestartMs, finishedAtMs(cs));
    const state = cs.state ?? {};
    if (state.waiting?.reason) summary.reason = state.waiting.reason;
    else if (state.terminated) summary.reason = terminationReason(state.terminated, '');
    else if (cs.ready && state.running) {
      hasRunning = true;
      summary.ready++;
    }
  }
  if (summary.reason === 'Completed' && hasRunning) summary.reason = conditionIs(pod, 'Ready') ? 'Running' : 'NotReady';
}

function summarizePod(pod: Pod): PodSummary {
  const phase = pod.status?.phase ?? '';
  const gated = (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated');
  const summary: PodSummary = {
    ready: 0,
    restarts: 0,
    lastRestartMs: 0,
    reason: gated ? 'SchedulingGated' : pod.status?.reason || phase,
  };
  const { initializing, sidecars } = initContainersSummary(pod, summary);
  if (!initializing || conditionIs(pod, 'Initialized')) {
    summary.restarts = sidecars.restarts;
    summary.lastRestartMs = sidecars.lastRestartMs;
    containersSummary(pod, summary);
  }
  if (pod.metadata.deletionTimestamp) {
    if (pod.status?.reason === 'NodeLost') summary.reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') summary.reason = 'Terminating';
  }
  return summary;
}

/** `2/3`: readiness gates whose condition is True, or `<none>`. */
function readinessGates(pod: Pod): string {
  const gates = pod.spec.readinessGates ?? [];
  if (!gates.length) return '<none>';
  const passed = gates.filter(
    (g) => (pod.status?.conditions ?? []).find((c) => c.type === g.conditionType)?.status === 'True',
  );
  return `${passed.length}/${gates.length}`;
}

/** Sidecar init containers count among a pod's containers. */
function containerCount(pod: Pod): number {
  return (
    pod.spec.containers.length + (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').length
  );
}

export const podTable: TableConvertor<Pod> = {
  columns: [
    nameColumn(),
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn,
    column('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', {
      wide: true,
    }),
    column('Node', 'The node the pod is bound to.', { wide: true }),
    column('Nominated Node', 'The node on which preemption made room for the pod.', { wide: true }),
    column('Readiness Gates', 'Pod readiness gates: conditions that must also be True for the pod to be ready.', {
      wide: true,
    }),
  ],
  cells(pod, nowMs) {
    const s = summarizePod(pod);
    const restarts =
      s.restarts !== 0 && s.lastRestartMs
        ? `${s.restarts} (${humanDuration(nowMs - s.lastRestartMs)} ago)`
        : String(s.restarts);
    return [
      pod.metadata.name ?? '',
      `${s.ready}/${containerCount(pod)}`,
      s.reason,
      restarts,
      age(pod, nowMs),
      pod.status?.podIPs?.[0]?.ip || '<none>',
      pod.spec.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Services, Endpoints, EndpointSlices

/** EXTERNAL-IP: external IPs, load-balancer points (`<pending>` while there are none) or the external name. */
function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec.externalIPs ?? [];
  switch (svc.spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const points = loadBalancerPoints(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length) return [...(points ? points.split(',') : []), ...externalIPs].join(',');
      return points || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** PORT(S): `80/TCP`, `80:30080/TCP` with a node port. */
function servicePorts(svc: Service): string {
  const ports = (svc.spec.ports ?? []).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`,
  );
  return ports.length ? ports.join(',') : '<none>';
}

export const serviceTable: TableConvertor<Service> = {
  columns: [
    nameColumn(),
    column('Type', 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'The IP address of the service, allocated by the master.'),
    column('External-IP', 'IP addresses for which nodes in the cluster also accept traffic for this service.'),
    column('Port(s)', 'The ports exposed by this service.'),
    ageColumn,
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', {
      wide: true,
    }),
  ],
  cells: (svc, nowMs) => [
    svc.metadata.name ?? '',
    svc.spec.type,
    svc.spec.clusterIPs?.[0] ?? '<none>',
    serviceExternalIP(svc),
    servicePorts(svc),
    age(svc, nowMs),
    formatLabels(svc.spec.selector),
  ],
};

/** ENDPOINTS: `ip:port` for every ready address and port (bare IPs for port-less subsets), three at most. */
function formatEndpoints(ep: Endpoints): string {
  if (!ep.subsets?.length) return '<none>';
  const entries = ep.subsets.flatMap((ss) => {
    const ips = (ss.addresses ?? []).map((a) => a.ip);
    return ss.ports?.length ? ss.ports.flatMap((p) => ips.map((ip) => joinHostPort(ip, p.port))) : ips;
  });
  return joinWithMore(entries);
}

export const endpointsTable: TableConvertor<Endpoints> = {
  columns: [nameColumn(), column('Endpoints', 'The set of all endpoints is the union of all subsets.'), ageColumn],
  cells: (ep, nowMs) => [ep.metadata.name ?? '', formatEndpoints(ep), age(ep, nowMs)],
};

/** upstream's `listWithMoreString`: `<unset>` when empty. */
function listOrUnset(entries: readonly string[]): string {
  return joinWithMore(entries) || '<unset>';
}

export const endpointSliceTable: TableConvertor<EndpointSlice> = {
  columns: [
    nameColumn(),
    column('AddressType', 'The type of address carried by this EndpointSlice.'),
    column('Ports', 'The network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'The unique endpoints in this slice.'),
    ageColumn,
  ],
  cells: (slice, nowMs) => [
    slice.metadata.name ?? '',
    slice.addressType,
    listOrUnset((slice.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name))),
    listOrUnset(slice.endpoints.flatMap((e) => e.addresses)),
    age(slice, nowMs),
  ],
};

// ---------------------------------------------------------------------------------------------
// Nodes and Namespaces

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** ROLES from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX) && k.length > NODE_ROLE_PREFIX.length)
      roles.add(k.slice(NODE_ROLE_PREFIX.length));
    else if (k === NODE_ROLE_LABEL && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

/** STATUS: `Ready`, `NotReady` or `Unknown`, then `SchedulingDisabled` when cordoned. */
function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

function nodeInfo(node: Node, field: string): string {
  const value = node.status?.nodeInfo?.[field];
  return typeof value === 'string' ? value : '';
}

export const nodeTable: TableConvertor<Node> = {
  columns: [
    nameColumn(),
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'The node address of type InternalIP.', { wide: true }),
    column('External-IP', 'The node address of type ExternalIP.', { wide: true }),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release.', { wide: true }),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r'.", { wide: true }),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API.', {
      wide: true,
    }),
  ],
  cells: (node, nowMs) => [
    node.metadata.name ?? '',
    nodeStatus(node),
    nodeRoles(node),
    age(node, nowMs),
    nodeInfo(node, 'kubeletVersion'),
    nodeAddress(node, 'InternalIP'),
    nodeAddress(node, 'ExternalIP'),
    nodeInfo(node, 'osImage') || '<unknown>',
    nodeInfo(node, 'kernelVersion') || '<unknown>',
    nodeInfo(node, 'containerRuntimeVersion') || '<unknown>',
  ],
};

export const namespaceTable: TableConvertor<Namespace> = {
  columns: [nameColumn(), column('Status', 'The status of the namespace'), ageColumn],
  cells: (ns, nowMs) => [ns.metadata.name ?? '', ns.status.phase, age(ns, nowMs)],
};

// ---------------------------------------------------------------------------------------------
// Ingresses and IngressClasses

/** HOSTS: the rules' hosts, three at most; `*` when no rule names one. */
function ingressHosts(ingress: Ingress): string {
  const rules = ingress.spec.rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (!hosts.length) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

function ingressAddress(status: IngressStatus | undefined): string {
  return loadBalancerPoints(status?.loadBalancer?.ingress);
}

export const ingressTable: TableConvertor<Ingress> = {
  columns: [
    nameColumn(),
    column('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells: (ingress, nowMs) => [
    ingress.metadata.name ?? '',
    ingress.spec.ingressClassName ?? '<none>',
    ingressHosts(ingress),
    ingressAddress(ingress.status),
    ingress.spec.tls?.length ? '80, 443' : '80',
    age(ingress, nowMs),
  ],
};

/** PARAMETERS: `Kind[.group]/name`, or `<none>`. */
function ingressClassParameters(ic: IngressClass): string {
  const p = ic.spec.parameters;
  if (!p) return '<none>';
  return `${p.kind}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name}`;
}

export const ingressClassTable: TableConvertor<IngressClass> = {
  columns: [
    nameColumn(),
    column('Controller', 'Controller that is responsible for handling this class'),
    column('Parameters', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  cells: (ic, nowMs) => [ic.metadata.name ?? '', ic.spec.controller ?? '', ingressClassParameters(ic), age(ic, nowMs)],
};

// ---------------------------------------------------------------------------------------------
// Leases and Events

export const leaseTable: TableConvertor<Lease> = {
  columns: [nameColumn(), column('Holder', 'The identity of the holder of the current lease.'), ageColumn],
  cells: (lease, nowMs) => [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', age(lease, nowMs)],
};

/** SOURCE: `component, host`, each falling back to the reporting controller and instance. */
function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingComponent;
  const instance = event.source?.host || event.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

/** LAST SEEN, FIRST SEEN and COUNT, from the old fields or the series of the events.k8s.io API. */
function eventTimes(event: Event, nowMs: number): { last: string; first: string; count: number } {
  const first = event.firstTimestamp ? timeSince(event.firstTimestamp, nowMs) : timeSince(event.eventTime, nowMs);
  if (event.series)
    return { first, last: timeSince(event.series.lastObservedTime, nowMs), count: event.series.count ?? 0 };
  const last = event.lastTimestamp ? timeSince(event.lastTimestamp, nowMs) : first;
  return { first, last, count: event.count || 1 };
}

export const eventTable: TableConvertor<Event> = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning).'),
    column(
      'Reason',
      "A short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'The part of the object the event is about, such as a container.', { wide: true }),
    column('Source', 'The component reporting this event.', { wide: true }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded.', { wide: true }),
    column('Count', 'The number of times this event has occurred.', { wide: true }),
    nameColumn(true),
  ],
  cells(event, nowMs) {
    const { last, first, count } = eventTimes(event, nowMs);
    const kind = (event.involvedObject.kind ?? '').toLowerCase();
    const target = event.involvedObject.name ? `${kind}/${event.involvedObject.name}` : kind;
    return [
      last,
      event.type ?? '',
      event.reason ?? '',
      target,
      event.involvedObject.fieldPath ?? '',
      eventSource(event),
      (event.message ?? '').trim(),
      first,
      count,
      event.metadata.name ?? '',
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Simulated cloud (compute.kplane.io): gcloud's column names, so the output reads like `gcloud compute … list`

const priorityColumn = column('Priority', 'Lower values take precedence.', { type: 'integer' });

export const routeTable: TableConvertor<Route> = {
  columns: [
    nameColumn(),
    column('Dest_Range', 'The destination range of the packets this route applies to.'),
    column('Next_Hop', 'The node that receives the packets.'),
    priorityColumn,
    ageColumn,
  ],
  cells: (route, nowMs) => [
    route.metadata.name ?? '',
    route.spec.destRange,
    route.spec.nextHopInstance,
    route.spec.priority,
    age(route, nowMs),
  ],
};

/** ALLOW as gcloud prints it: `tcp:80,tcp:30000-32767,icmp`, a protocol alone when it has no ports. */
function firewallAllow(fw: Firewall): string {
  return (fw.spec.allowed ?? [])
    .flatMap((a) => (a.ports?.length ? a.ports.map((p) => `${a.protocol}:${p}`) : [a.protocol]))
    .join(',');
}

export const firewallTable: TableConvertor<Firewall> = {
  columns: [
    nameColumn(),
    column('Src_Ranges', 'The source ranges the rule admits.'),
    column('Allow', 'The protocols and ports the rule admits.'),
    column('Targets', 'The nodes the rule applies to.'),
    priorityColumn,
    ageColumn,
  ],
  cells: (fw, nowMs) => [
    fw.metadata.name ?? '',
    (fw.spec.sourceRanges ?? []).join(','),
    firewallAllow(fw),
    fw.spec.targetNodes?.length ? joinWithMore(fw.spec.targetNodes) : '<all>',
    fw.spec.priority,
    age(fw, nowMs),
  ],
};

/** TARGET: `nodes:vm1,vm2` for a network LB, `urlMap` for an HTTP(S) LB. */
function forwardingRuleTarget(fr: ForwardingRule): string {
  const { nodes, urlMap } = fr.spec.target;
  if (nodes !== undefined) return `nodes:${joinWithMore(nodes) || '<none>'}`;
  return urlMap !== undefined ? 'urlMap' : '<none>';
}

export const forwardingRuleTable: TableConvertor<ForwardingRule> = {
  columns: [
    nameColumn(),
    column('IP', 'The address the load balancer serves.'),
    column('Protocol', 'The protocol the rule forwards.'),
    column('Ports', 'The ports the rule forwards.'),
    column('Target', 'Where matching packets go: backend nodes, or a URL map.'),
    ageColumn,
  ],
  cells: (fr, nowMs) => [
    fr.metadata.name ?? '',
    fr.spec.ipAddress,
    fr.spec.protocol,
    fr.spec.ports?.length ? fr.spec.ports.join(',') : '<all>',
    forwardingRuleTarget(fr),
    age(fr, nowMs),
  ],
};
