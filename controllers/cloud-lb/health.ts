/**
 * The load balancer's view of each node (docs/network-model.md#health-checks), evaluated on the current
 * state: no probe interval, timeout or thresholds.
 *
 * - eTP=Cluster probes kube-proxy's `:10256/healthz`: 200 unless the node is being deleted or
 *   tainted `ToBeDeletedByClusterAutoscaler` (kube-proxy's `nodeEligible`); a node that is not
 *   Ready is taken as not answering.
 * - eTP=Local probes `:<healthCheckNodePort>`: 200 iff the node runs at least one ready endpoint of
 *   the Service. kube-proxy counts distinct ready local endpoint IPs (`LocalReadyEndpoints`) and
 *   does not consult the Node, so neither does this.
 */
import type { EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import type { ForwardingRuleBackend } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { isLocalPolicy } from './desired.js';

/** The taint that makes kube-proxy report its node ineligible (proxier_health.go). */
const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/** kube-proxy's `/healthz` answer for `node`, as the eTP=Cluster health check sees it. */
export function kubeProxyHealth(node: Node): ForwardingRuleBackend {
  const name = node.metadata.name!;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return { node: name, healthy: false, reason: 'node NotReady' };
  if (node.metadata.deletionTimestamp)
    return { node: name, healthy: false, reason: 'kube-proxy healthz 503: node is being deleted' };
  if (node.spec.taints?.some((t) => t.key === TO_BE_DELETED_TAINT)) {
    return { node: name, healthy: false, reason: `kube-proxy healthz 503: node has taint ${TO_BE_DELETED_TAINT}` };
  }
  return { node: name, healthy: true, reason: 'kube-proxy healthz 200' };
}

/**
 * Distinct ready endpoint IPs per node in a Service's EndpointSlices. A missing `ready` counts as
 * ready, as the API documents and kube-proxy reads it.
 */
export function localReadyEndpoints(slices: readonly EndpointSlice[]): Map<string, number> {
  const ipsByNode = new Map<string, Set<string>>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    for (const ep of slice.endpoints) {
      if (!ep.nodeName || ep.conditions?.ready === false) continue;
      const ips = ipsByNode.get(ep.nodeName) ?? new Set<string>();
      for (const ip of ep.addresses) ips.add(ip);
      ipsByNode.set(ep.nodeName, ips);
    }
  }
  return new Map([...ipsByNode].map(([node, ips]) => [node, ips.size]));
}

/** The `healthCheckNodePort` answer of `nodeName` that runs `localEndpoints` ready endpoints. */
function serviceHealth(
  nodeName: string,
  healthCheckNodePort: number | undefined,
  localEndpoints: number,
): ForwardingRuleBackend {
  const port = healthCheckNodePort ? `healthCheckNodePort ${healthCheckNodePort}` : 'healthCheckNodePort (unset)';
  const healthy = localEndpoints > 0 && healthCheckNodePort !== undefined;
  return { node: nodeName, healthy, reason: `${port}: ${healthy ? 200 : 503} localEndpoints=${localEndpoints}` };
}

/**
 * One backend per node of `nodes`, in their order, health by `svc`'s externalTrafficPolicy;
 * `slices` are the Service's EndpointSlices (only read under Local).
 */
export function backendsHealth(
  svc: Service,
  nodes: readonly Node[],
  slices: readonly EndpointSlice[],
): ForwardingRuleBackend[] {
  if (!isLocalPolicy(svc)) return nodes.map(kubeProxyHealth);
  const local = localReadyEndpoints(slices);
  return nodes.map((n) =>
    serviceHealth(n.metadata.name!, svc.spec.healthCheckNodePort, local.get(n.metadata.name!) ?? 0),
  );
}
