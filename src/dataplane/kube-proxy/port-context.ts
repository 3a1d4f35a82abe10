/** Everything the per-port rule writers need to know about one service port on one node. */
import type { Service, ServicePort } from '../../registry/kinds/service/schema.js';
import { DEFAULT_CLIENT_IP_AFFINITY_SECONDS, externallyAccessible } from '../../registry/kinds/service/schema.js';
import type { EndpointSlice } from '../../registry/kinds/endpointslice/schema.js';
import { formatCIDR, parseCIDR } from '../../net/ipv4.js';
import { collectEndpoints, usable, type EndpointInfo } from './endpoints.js';
import { serviceChainHash, servicePortName } from './names.js';

/** One service port on one node, with its chain names and endpoint sets. */
export interface PortContext {
  spn: string;
  protocol: string;
  port: number;
  clusterIP: string;
  clusterCIDR: string;
  svcChain: string;
  svlChain: string;
  extChain: string;
  fwChain: string;
  clusterEndpoints: EndpointInfo[];
  localEndpoints: EndpointInfo[];
  internalLocal: boolean;
  externalLocal: boolean;
  external: boolean;
  /** `sessionAffinity: ClientIP` timeout, undefined without affinity. */
  affinitySeconds?: number;
  /** `spec.externalIPs`. */
  externalIPs: string[];
  /** Load-balancer ingress IPs kube-proxy programs. */
  loadBalancerIPs: string[];
  /** `loadBalancerSourceRanges`, trimmed and canonical; invalid entries dropped (as upstream). */
  sourceRanges: string[];
}

/** The Service's load-balancer ingress IPs (type LoadBalancer; `ipMode: Proxy` ones are left to the LB). */
function loadBalancerIPs(svc: Service): string[] {
  if (svc.spec.type !== 'LoadBalancer') return [];
  return (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && i.ipMode !== 'Proxy').map((i) => i.ip!);
}

/** Upstream trims each range and parses it sloppily, skipping what does not parse; `-s` prints the network address. */
function sourceRanges(svc: Service): string[] {
  const out: string[] = [];
  for (const text of svc.spec.loadBalancerSourceRanges ?? []) {
    try {
      out.push(formatCIDR(parseCIDR(text.trim())));
    } catch {
      // An invalid range is ignored, as kube-proxy does for values that predate validation.
    }
  }
  return out;
}

function affinitySeconds(svc: Service): number | undefined {
  if (svc.spec.sessionAffinity !== 'ClientIP') return undefined;
  return svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS;
}

/** Builds the context of `port` of `svc` as seen from `nodeName`. */
export function portContext(
  svc: Service,
  port: ServicePort,
  slices: readonly EndpointSlice[],
  nodeName: string,
  clusterCIDR: string,
): PortContext {
  const spn = servicePortName(svc.metadata.namespace ?? 'default', svc.metadata.name ?? '', port.name);
  const protocol = port.protocol.toLowerCase();
  const hash = serviceChainHash(spn, protocol);
  const endpoints = collectEndpoints(svc, port, slices, nodeName);
  const external = externallyAccessible(svc.spec);
  return {
    spn,
    protocol,
    port: port.port,
    clusterIP: svc.spec.clusterIP!,
    clusterCIDR,
    svcChain: `KUBE-SVC-${hash}`,
    svlChain: `KUBE-SVL-${hash}`,
    extChain: `KUBE-EXT-${hash}`,
    fwChain: `KUBE-FW-${hash}`,
    clusterEndpoints: usable(endpoints),
    localEndpoints: usable(endpoints.filter((ep) => ep.isLocal)),
    internalLocal: svc.spec.internalTrafficPolicy === 'Local',
    externalLocal: external && svc.spec.externalTrafficPolicy === 'Local',
    external,
    affinitySeconds: affinitySeconds(svc),
    externalIPs: svc.spec.externalIPs ?? [],
    loadBalancerIPs: loadBalancerIPs(svc),
    sourceRanges: sourceRanges(svc),
  };
}

/** Any usable endpoint cluster-wide. */
export const hasEndpoints = (c: PortContext): boolean => c.clusterEndpoints.length > 0;
/** Usable endpoints for ClusterIP traffic under the internal policy. */
export const hasInternalEndpoints = (c: PortContext): boolean =>
  (c.internalLocal ? c.localEndpoints : c.clusterEndpoints).length > 0;
/** Usable endpoints for NodePort/LB/external-IP traffic under the external policy. */
export const hasExternalEndpoints = (c: PortContext): boolean =>
  (c.externalLocal ? c.localEndpoints : c.clusterEndpoints).length > 0;
/** The cluster chain serves Cluster-policy internal traffic and all externally reachable traffic (eTP=Local short-circuits into it). */
export const usesClusterChain = (c: PortContext): boolean => hasEndpoints(c) && (!c.internalLocal || c.external);
export const usesLocalChain = (c: PortContext): boolean =>
  c.localEndpoints.length > 0 && (c.internalLocal || (c.external && c.externalLocal));
/** KUBE-FW-H filters LB traffic by source when the Service has endpoints, LB IPs and source ranges. */
export const usesFirewallChain = (c: PortContext): boolean =>
  hasEndpoints(c) && c.loadBalancerIPs.length > 0 && c.sourceRanges.length > 0;
