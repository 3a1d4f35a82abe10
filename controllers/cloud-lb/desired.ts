/**
 * What the network-LB controller wants in the simulated cloud for a `type: LoadBalancer` Service
 * (docs/network-model.md#loadbalancer-services), computed without side effects: which Services it handles, the
 * ForwardingRules (one per protocol), the firewall rules, and the labels that tie them to the
 * Service. Names follow cloud-provider-gcp (`src/dataplane/gce-names.ts`).
 */
import { semanticEqual } from '../../src/apimachinery/validation.js';
import {
  lbFirewallName,
  loadBalancerName,
  nodesHealthCheckFirewallName,
  serviceHealthCheckFirewallName,
} from '../../src/dataplane/gce-names.js';
import type { ObjectKey } from '../../src/runtime/api.js';
import type { FirewallSpec } from '../../src/registry/kinds/firewall/schema.js';
import type { ForwardingRuleSpec } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';

/** Labels naming the Service a ForwardingRule or Firewall was made for. */
const OWNER_NAMESPACE_LABEL = 'compute.kplane.io/service-namespace';
export const OWNER_NAME_LABEL = 'compute.kplane.io/service-name';
const OWNER_UID_LABEL = 'compute.kplane.io/service-uid';

/** Where GCE's legacy HTTP health checkers probe from (cloud-provider-gcp `L4LoadBalancerSrcRanges`). */
const HEALTH_CHECK_SOURCE_RANGES: readonly string[] = [
  '130.211.0.0/22',
  '35.191.0.0/16',
  '209.85.152.0/22',
  '209.85.204.0/22',
];
/** kube-proxy's `/healthz` port, probed by the shared node health check (`lbNodesHealthCheckPort`). */
const KUBE_PROXY_HEALTHZ_PORT = 10256;

const DEFAULT_SOURCE_RANGES = ['0.0.0.0/0'];
const FIREWALL_PRIORITY = 1000;

/** A ForwardingRule or Firewall as the controller writes it (a ForwardingRule's status is written separately). */
export type DesiredObject<S> = {
  metadata: { name: string; labels?: Record<string, string> };
  spec: S;
};

/** Everything one Service's load balancer is made of, in creation order. */
export interface LoadBalancerPlan {
  lbName: string;
  /** The first is named `lbName`; one more per further protocol (module `forwardingRuleName`). */
  forwardingRules: DesiredObject<ForwardingRuleSpec>[];
  /** `k8s-fw-<lbName>`, and `k8s-<lbName>-http-hc` under externalTrafficPolicy Local. */
  firewalls: DesiredObject<FirewallSpec>[];
}

/** A Service's ports of one protocol. */
export interface ProtocolPorts {
  /** As the Service spells it: `TCP`, `UDP`, `SCTP`. */
  protocol: string;
  /** Distinct service ports (not nodePorts: the network LB is a passthrough), in spec order. */
  ports: string[];
}

/**
 * Whether this controller makes a load balancer for `svc`: type LoadBalancer, no
 * `loadBalancerClass` (a class names another implementation, as upstream's service controller
 * skips it), and not being deleted.
 */
export function isHandled(svc: Service): boolean {
  return svc.spec.type === 'LoadBalancer' && !svc.spec.loadBalancerClass && !svc.metadata.deletionTimestamp;
}

/** Whether the load balancer health-checks the Service's `healthCheckNodePort` rather than kube-proxy. */
export function isLocalPolicy(svc: Service): boolean {
  return svc.spec.externalTrafficPolicy === 'Local';
}

/**
 * Whether `status.loadBalancer` is this controller's to write or clear: always, except on a
 * LoadBalancer Service of another `loadBalancerClass`, whose status its own controller writes.
 */
export function ownsStatus(svc: Service): boolean {
  return !(svc.spec.type === 'LoadBalancer' && svc.spec.loadBalancerClass);
}

/** The protocols a GCE network load balancer carries (no SCTP). */
const LB_PROTOCOLS = new Set(['TCP', 'UDP']);

/**
 * The Service's TCP and UDP ports grouped by protocol, protocols in the order they first appear
 * (other protocols' ports are not load-balanced).
 */
export function protocolGroups(svc: Service): ProtocolPorts[] {
  const groups = new Map<string, Set<string>>();
  for (const p of svc.spec.ports ?? []) {
    const protocol = p.protocol.toUpperCase();
    if (!LB_PROTOCOLS.has(protocol)) continue;
    const ports = groups.get(protocol) ?? new Set<string>();
    groups.set(protocol, ports.add(String(p.port)));
  }
  return [...groups].map(([protocol, ports]) => ({ protocol, ports: [...ports] }));
}

/**
 * The ForwardingRule of the `index`-th protocol: `lbName` for the first, `lbName-<protocol>` for
 * the others (GCE needs one rule per protocol; upstream's legacy target-pool LB refuses mixed
 * protocols, kplane models the per-protocol rules instead).
 */
export function forwardingRuleName(lbName: string, protocol: string, index: number): string {
  return index === 0 ? lbName : `${lbName}-${protocol.toLowerCase()}`;
}

/** The labels naming `svc` on its cloud objects. */
function ownerLabels(svc: Pick<Service, 'metadata'>): Record<string, string> {
  const { namespace = 'default', name = '', uid = '' } = svc.metadata;
  return { [OWNER_NAMESPACE_LABEL]: namespace, [OWNER_NAME_LABEL]: name, [OWNER_UID_LABEL]: uid };
}

/** The Service a cloud object's labels name (uid when labelled), if any. */
export function labelledOwner(obj: {
  metadata: { labels?: Record<string, string> };
}): (ObjectKey & { namespace: string; uid?: string }) | undefined {
  const labels = obj.metadata.labels ?? {};
  const namespace = labels[OWNER_NAMESPACE_LABEL];
  const name = labels[OWNER_NAME_LABEL];
  return namespace && name ? { namespace, name, uid: labels[OWNER_UID_LABEL] } : undefined;
}

/** Whether a cloud object carries the name of one of `svc`'s (derived from its uid), labelled or not. */
export function isNamedFor(svc: Service, kind: 'ForwardingRule' | 'Firewall', name: string): boolean {
  const lbName = loadBalancerName(svc.metadata.uid ?? '');
  if (kind === 'ForwardingRule') return name === lbName || name.startsWith(`${lbName}-`);
  return name === lbFirewallName(lbName) || name === serviceHealthCheckFirewallName(lbName);
}

/** `{"kubernetes.io/service-name":"ns/name"}`, upstream's `makeServiceDescription`. */
function serviceDescription(serviceName: string): string {
  return JSON.stringify({ 'kubernetes.io/service-name': serviceName });
}

/** Upstream's `makeFirewallDescription`, byte for byte. */
function firewallDescription(serviceName: string, ip: string): string {
  return `{"kubernetes.io/service-name":"${serviceName}", "kubernetes.io/service-ip":"${ip}"}`;
}

/** `spec.loadBalancerSourceRanges` (trimmed, as validation allows spaces), default everyone. */
function sourceRanges(svc: Service): string[] {
  const ranges = (svc.spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter(Boolean);
  return ranges.length ? ranges : [...DEFAULT_SOURCE_RANGES];
}

/**
 * The load balancer of `svc` at `ip` in front of `nodeNames` (sorted by the caller): per protocol a
 * ForwardingRule, the firewall opening the service ports to every node, and under eTP=Local the
 * firewall letting the health checkers reach `healthCheckNodePort` (none while it is unset).
 */
export function desiredLoadBalancer(svc: Service, ip: string, nodeNames: readonly string[]): LoadBalancerPlan {
  const lbName = loadBalancerName(svc.metadata.uid ?? '');
  const serviceName = `${svc.metadata.namespace}/${svc.metadata.name}`;
  const labels = ownerLabels(svc);
  const groups = protocolGroups(svc);
  const forwardingRules = groups.map((g, i) => ({
    metadata: { name: forwardingRuleName(lbName, g.protocol, i), labels },
    spec: {
      ipAddress: ip,
      protocol: g.protocol,
      ports: g.ports,
      target: { nodes: [...nodeNames] },
      description: serviceDescription(serviceName),
    },
  }));
  const firewalls: DesiredObject<FirewallSpec>[] = [
    {
      metadata: { name: lbFirewallName(lbName), labels },
      spec: {
        sourceRanges: sourceRanges(svc),
        allowed: groups.map((g) => ({ protocol: g.protocol.toLowerCase(), ports: g.ports })),
        priority: FIREWALL_PRIORITY,
        description: firewallDescription(serviceName, ip),
      },
    },
  ];
  const hcPort = svc.spec.healthCheckNodePort;
  if (isLocalPolicy(svc) && hcPort) {
    firewalls.push({
      metadata: { name: serviceHealthCheckFirewallName(lbName), labels },
      spec: {
        sourceRanges: [...HEALTH_CHECK_SOURCE_RANGES],
        allowed: [{ protocol: 'tcp', ports: [String(hcPort)] }],
        priority: FIREWALL_PRIORITY,
        description: firewallDescription(serviceName, ip),
      },
    });
  }
  return { lbName, forwardingRules, firewalls };
}

/**
 * `k8s-<clusterName>-node-http-hc`: the health checkers to kube-proxy's `/healthz` on every node,
 * shared by every eTP=Cluster load balancer (upstream describes it with whichever Service created
 * it first; a shared rule gets a description of its own here).
 */
export function sharedHealthCheckFirewall(clusterName: string): DesiredObject<FirewallSpec> {
  return {
    metadata: { name: nodesHealthCheckFirewallName(clusterName) },
    spec: {
      sourceRanges: [...HEALTH_CHECK_SOURCE_RANGES],
      allowed: [{ protocol: 'tcp', ports: [String(KUBE_PROXY_HEALTHZ_PORT)] }],
      priority: FIREWALL_PRIORITY,
      description: `Health checks of the load balancers of cluster ${clusterName} with externalTrafficPolicy Cluster: kube-proxy /healthz on every node.`,
    },
  };
}

/** Whether `current` has `desired`'s spec and labels (labels added by users are kept). */
export function isUpToDate(
  current: { metadata: { labels?: Record<string, string> }; spec: unknown },
  desired: DesiredObject<unknown>,
): boolean {
  const labels = current.metadata.labels ?? {};
  return (
    semanticEqual(current.spec, desired.spec) &&
    Object.entries(desired.metadata.labels ?? {}).every(([k, v]) => labels[k] === v)
  );
}
