/**
 * GCE resource names created by the cloud controllers (docs/network-model.md#loadbalancer-services and #ingress).
 *
 * L4 (Service type=LoadBalancer) names follow kubernetes/cloud-provider-gcp
 * `gce_loadbalancer_naming.go` and `cloud-provider` `DefaultLoadBalancerName`; they are never
 * truncated beyond the 32-character load-balancer name.
 *
 * L7 (Ingress) names follow ingress-gce's V1 namer (`pkg/utils/namer/namer.go`): `k8s-<resource>-…`
 * with a `--<cluster uid>` suffix. A name longer than 62 characters is cut to 62 and `0` is
 * appended (so it is at most 63 and cannot end in `-`); there is no hash in the V1 scheme (the
 * hashed `k8s2-…` names belong to the V2 scheme, not modelled). An empty cluster uid (legacy
 * clusters) drops the suffix.
 */

/** Longest name ingress-gce keeps before appending the filler character. */
const NAME_LEN_LIMIT = 62;
/** Appended to a truncated name so that it ends with an alphanumeric character. */
const TRUNCATION_FILLER = '0';
const CLUSTER_DELIMITER = '--';
const PREFIX = 'k8s';

/** ingress-gce `truncate`: names over 62 characters become their first 62 characters + `0`. */
export function truncateGceName(name: string): string {
  return name.length > NAME_LEN_LIMIT ? name.slice(0, NAME_LEN_LIMIT) + TRUNCATION_FILLER : name;
}

/** ingress-gce `decorateName`: appends `--<uid>` (when there is one) and truncates. */
function withClusterSuffix(name: string, clusterUID: string): string {
  return clusterUID ? truncateGceName(`${name}${CLUSTER_DELIMITER}${clusterUID}`) : name;
}

/** L4 load-balancer name of a Service: `"a"` + its uid without dashes, at most 32 characters. */
export function loadBalancerName(svcUID: string): string {
  return `a${svcUID}`.replaceAll('-', '').slice(0, 32);
}

/** Firewall rule admitting L4 load-balancer traffic: `k8s-fw-<lbName>`. */
export function lbFirewallName(lbName: string): string {
  return `${PREFIX}-fw-${lbName}`;
}

/** Shared node health check of eTP=Cluster load balancers: `k8s-<clusterID>-node`. */
export function nodesHealthCheckName(clusterID: string): string {
  return `${PREFIX}-${clusterID}-node`;
}

/** Firewall rule admitting probes of the shared node health check: `k8s-<clusterID>-node-http-hc`. */
export function nodesHealthCheckFirewallName(clusterID: string): string {
  return `${nodesHealthCheckName(clusterID)}-http-hc`;
}

/** Firewall rule admitting probes of a per-service (eTP=Local) health check named `hcName`: `k8s-<hcName>-http-hc`. */
export function serviceHealthCheckFirewallName(hcName: string): string {
  return `${PREFIX}-${hcName}-http-hc`;
}

/** Instance group holding every node for L7 balancing: `k8s-ig--<uid>`. */
export function instanceGroupName(clusterUID: string): string {
  return withClusterSuffix(`${PREFIX}-ig`, clusterUID);
}

/** Named port of the instance group for a backend's nodePort: `port<nodePort>`. */
export function instanceGroupNamedPort(nodePort: number): string {
  return `port${nodePort}`;
}

/** Backend service of one nodePort, shared by every Ingress of the cluster: `k8s-be-<nodePort>--<uid>`. */
export function backendServiceName(nodePort: number, clusterUID: string): string {
  return withClusterSuffix(`${PREFIX}-be-${nodePort}`, clusterUID);
}

/** ingress-gce `LoadBalancer(key)`: the Ingress key `ns/name` with `/` → `-`, plus the cluster suffix. */
export function ingressLoadBalancerName(namespace: string, name: string, clusterUID: string): string {
  return withClusterSuffix(`${namespace}-${name}`, clusterUID);
}

function frontendName(resource: string, namespace: string, name: string, clusterUID: string): string {
  return truncateGceName(`${PREFIX}-${resource}-${ingressLoadBalancerName(namespace, name, clusterUID)}`);
}

/** URL map of an Ingress: `k8s-um-<ns>-<name>--<uid>`. */
export function urlMapName(namespace: string, name: string, clusterUID: string): string {
  return frontendName('um', namespace, name, clusterUID);
}

/** HTTP target proxy of an Ingress: `k8s-tp-<ns>-<name>--<uid>`. */
export function targetHttpProxyName(namespace: string, name: string, clusterUID: string): string {
  return frontendName('tp', namespace, name, clusterUID);
}

/** HTTP forwarding rule of an Ingress: `k8s-fw-<ns>-<name>--<uid>`. */
export function ingressForwardingRuleName(namespace: string, name: string, clusterUID: string): string {
  return frontendName('fw', namespace, name, clusterUID);
}

/**
 * The single L7 firewall rule of the cluster: `k8s-fw-l7--<uid>`. Upstream truncates only the
 * `l7--<uid>` part (the `k8s-fw-` prefix is added afterwards), and so do we.
 */
export function l7FirewallName(clusterUID: string): string {
  const suffix = clusterUID ? truncateGceName(`l7${CLUSTER_DELIMITER}${clusterUID}`) : 'l7';
  return `${PREFIX}-fw-${suffix}`;
}
