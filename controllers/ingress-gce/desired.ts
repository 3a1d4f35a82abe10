/**
 * What the GCE Ingress controller wants in the simulated cloud, computed from cached objects
 * without side effects (docs/network-model.md#ingress): the cluster UID, an Ingress's
 * ForwardingRule (the URL map inside it), its backends' health and the shared L7 firewall.
 */
import { createHash } from 'node:crypto';
import { semanticEqual } from '../../src/apimachinery/validation.js';
import { ingressForwardingRuleName, l7FirewallName, urlMapName } from '../../src/dataplane/gce-names.js';
import type { UrlMap, UrlMapBackend } from '../../src/dataplane/ingress/url-map.js';
import type { FirewallSpec } from '../../src/registry/kinds/firewall/schema.js';
import type {
  ForwardingRule,
  ForwardingRuleBackend,
  ForwardingRuleSpec,
} from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import type { Namespace } from '../../src/registry/kinds/namespace/schema.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';

/** Labels linking a ForwardingRule to its Ingress. */
const INGRESS_NAMESPACE_LABEL = 'compute.kplane.io/ingress-namespace';
const INGRESS_NAME_LABEL = 'compute.kplane.io/ingress-name';
const INGRESS_UID_LABEL = 'compute.kplane.io/ingress-uid';

/** Where Google's front ends (and their health checks) connect from (ingress-gce `L7SrcRanges`). */
const GCLB_SOURCE_RANGES = ['130.211.0.0/22', '35.191.0.0/16'] as const;

const HTTP_PORT = '80';
const HTTPS_PORT = '443';
const L7_FIREWALL_PRIORITY = 1000;
const CLUSTER_UID_LENGTH = 16;

/**
 * The cluster UID of the L7 names (`k8s-…--<uid>`): the first 16 hex digits of the SHA-256 of the
 * `kube-system` Namespace's uid. ingress-gce keeps a random 16-hex-digit uid in a ConfigMap; kplane
 * derives it from an object that lives as long as the cluster, so every controller instance (and
 * every restart) finds the same one without storing anything.
 */
export function clusterUIDFrom(kubeSystem: Pick<Namespace, 'metadata'>): string | undefined {
  const uid = kubeSystem.metadata.uid;
  return uid ? createHash('sha256').update(uid).digest('hex').slice(0, CLUSTER_UID_LENGTH) : undefined;
}

/** The URL map as stored in a ForwardingRule: `buildUrlMap`'s JSON plus its GCE name and the instance group's nodes. */
export type StoredUrlMap = UrlMap & { name: string; nodes: string[] };

/** An Ingress's ForwardingRule as the controller writes it (status is written separately). */
export type DesiredForwardingRule = {
  metadata: { name: string; labels: Record<string, string> };
  spec: ForwardingRuleSpec;
};

/** The labels naming `ing` on its ForwardingRule. */
function ingressLabels(ing: Pick<Ingress, 'metadata'>): Record<string, string> {
  const { namespace = 'default', name = '', uid = '' } = ing.metadata;
  return { [INGRESS_NAMESPACE_LABEL]: namespace, [INGRESS_NAME_LABEL]: name, [INGRESS_UID_LABEL]: uid };
}

/** The Ingress (namespace and name) a ForwardingRule's labels point at, if any. */
export function labelledIngress(fr: Pick<ForwardingRule, 'metadata'>): { namespace: string; name: string } | undefined {
  const namespace = fr.metadata.labels?.[INGRESS_NAMESPACE_LABEL];
  const name = fr.metadata.labels?.[INGRESS_NAME_LABEL];
  return namespace && name ? { namespace, name } : undefined;
}

/** Node names, sorted: the instance group `k8s-ig--<uid>` holds every node. */
export function sortedNodeNames(nodes: readonly Node[]): string[] {
  return nodes.map((n) => n.metadata.name!).sort();
}

/** The frontend ports: 80, and 443 when the Ingress asks for TLS. */
function frontendPorts(ing: Ingress): string[] {
  return ing.spec.tls?.length ? [HTTP_PORT, HTTPS_PORT] : [HTTP_PORT];
}

/** The ForwardingRule `ing` needs: `ip`, TCP, its ports, and the URL map routing to `nodeNames`. */
export function desiredForwardingRule(
  ing: Ingress,
  urlMap: UrlMap,
  clusterUID: string,
  ip: string,
  nodeNames: string[],
): DesiredForwardingRule {
  const { namespace = 'default', name = '' } = ing.metadata;
  const stored: StoredUrlMap = { name: urlMapName(namespace, name, clusterUID), ...urlMap, nodes: nodeNames };
  // The API keeps the URL map as opaque JSON.
  const opaqueUrlMap = stored as unknown as Record<string, unknown>;
  return {
    metadata: { name: ingressForwardingRuleName(namespace, name, clusterUID), labels: ingressLabels(ing) },
    spec: {
      ipAddress: ip,
      protocol: 'TCP',
      ports: frontendPorts(ing),
      target: { urlMap: opaqueUrlMap },
      description: `HTTP(S) load balancer of Ingress ${namespace}/${name}`,
    },
  };
}

/** Whether `current` already has the spec and labels of `desired` (other labels may be added by users). */
export function forwardingRuleUpToDate(current: ForwardingRule, desired: DesiredForwardingRule): boolean {
  const labels = current.metadata.labels ?? {};
  return (
    semanticEqual(current.spec, desired.spec) &&
    Object.entries(desired.metadata.labels).every(([k, v]) => labels[k] === v)
  );
}

function readyCondition(node: Node) {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** One node as the L7 health check sees it: healthy iff Ready and not being deleted. */
export function backendHealth(node: Node): ForwardingRuleBackend {
  const name = node.metadata.name!;
  if (node.metadata.deletionTimestamp) return { node: name, healthy: false, reason: 'node is being deleted' };
  const ready = readyCondition(node);
  if (ready?.status === 'True') return { node: name, healthy: true, reason: 'node is Ready' };
  if (!ready) return { node: name, healthy: false, reason: 'node has no Ready condition' };
  const why = ready.reason ? ` (${ready.reason})` : '';
  return { node: name, healthy: false, reason: `node is not Ready: Ready=${ready.status}${why}` };
}

/** Every node's health, in node-name order. */
export function backendsHealth(nodes: readonly Node[]): ForwardingRuleBackend[] {
  return [...nodes].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1)).map(backendHealth);
}

/** The nodePorts a URL map sends traffic to (rules and default backend), sorted, each once. */
export function backendNodePorts(urlMap: UrlMap): number[] {
  const backends: UrlMapBackend[] = [
    ...urlMap.rules.map((r) => r.backend),
    ...(urlMap.defaultBackend ? [urlMap.defaultBackend] : []),
  ];
  const ports = new Set(backends.flatMap((b) => (b.nodePort ? [b.nodePort] : [])));
  return [...ports].sort((a, b) => a - b);
}

/** The shared L7 firewall rule as the controller writes it. */
export type DesiredFirewall = {
  metadata: { name: string };
  spec: FirewallSpec;
};

/**
 * The firewall `k8s-fw-l7--<uid>`: Google's front ends to every node on `nodePorts` (tcp). None
 * when no port is needed: a tcp rule without ports would open every port.
 */
export function desiredL7Firewall(clusterUID: string, nodePorts: readonly number[]): DesiredFirewall | undefined {
  if (nodePorts.length === 0) return undefined;
  const ports = [...new Set(nodePorts)].sort((a, b) => a - b).map(String);
  return {
    metadata: { name: l7FirewallName(clusterUID) },
    spec: {
      sourceRanges: [...GCLB_SOURCE_RANGES],
      allowed: [{ protocol: 'tcp', ports }],
      priority: L7_FIREWALL_PRIORITY,
      description:
        "GCE L7 load balancing: lets Google front ends and health checks reach the Ingress backends' nodePorts.",
    },
  };
}
