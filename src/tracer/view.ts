/**
 * What the tracer reads of the cluster: the derived dataplane (nodes with their interfaces and
 * compiled rules, pods, the VPC's routes, firewalls and forwarding rules) and the mutable state a
 * packet leaves behind (conntrack, `recent` lists). `src/dataplane/state.ts` implements it from the
 * controllers' informers; tests may implement it directly.
 */
import type { CompiledRules } from '../dataplane/kube-proxy/rules.js';
import type { RecentLists } from '../dataplane/netfilter/match.js';
import type { Conntrack } from './conntrack.js';
import type { Service } from '../registry/kinds/service/schema.js';
import type { LookupResult } from '../dns/records.js';
import type { Firewall } from '../registry/kinds/firewall/schema.js';
import type { Route } from '../registry/kinds/route/schema.js';
import type { UrlMap } from '../dataplane/ingress/url-map.js';

/** One VM as the dataplane sees it. */
export interface NodeView {
  name: string;
  /** `eth0`'s address. */
  internalIP: string;
  /** The 1:1 NAT address outside the VM, if it has one. */
  externalIP?: string;
  podCIDR?: string;
  /** `cbr0`'s address: the first address of the pod CIDR. */
  cbr0IP?: string;
  /** GCP's anti-spoofing is off (GKE sets `canIpForward` on every node). */
  canIpForward: boolean;
}

/** A pod with an address, attached to its node's `cbr0` through `veth`. */
export interface PodView {
  namespace: string;
  name: string;
  node: string;
  ip: string;
  veth: string;
}

/** A network load balancer's forwarding rule and its backends' health. */
export interface LoadBalancerView {
  name: string;
  ip: string;
  protocol: string;
  /** Port ranges; empty means every port. */
  ports: { first: number; last: number }[];
  nodes: string[];
  healthy: string[];
}

/** An HTTP(S) load balancer (GCLB) made for an Ingress: the forwarding rule and its URL map. */
export interface HttpLoadBalancerView {
  name: string;
  ip: string;
  ports: { first: number; last: number }[];
  urlMap: UrlMap;
  nodes: string[];
  healthy: string[];
}

/** Network settings the dataplane follows (docs/network-model.md#addresses-and-configuration). */
export interface NetworkConfig {
  vpcCIDR: string;
  clusterCIDR: string;
  serviceCIDR: string;
  clusterDomain: string;
  /** With every backend unhealthy, load balancers send to all of them (true) or drop (NoHealthyBackends). */
  loadBalancerFailOpen: boolean;
}

/** Read access to the derived dataplane, plus the per-node state traces write. */
export interface ClusterView {
  config: NetworkConfig;
  node(name: string): NodeView | undefined;
  nodes(): readonly NodeView[];
  nodeByInternalIP(ip: string): NodeView | undefined;
  nodeByExternalIP(ip: string): NodeView | undefined;
  pod(namespace: string, name: string): PodView | undefined;
  /** The pod holding `ip` on `node` (pods on other nodes are unreachable through this node's bridge). */
  podOnNode(node: string, ip: string): PodView | undefined;
  routes(): readonly Route[];
  firewalls(): readonly Firewall[];
  loadBalancers(): readonly LoadBalancerView[];
  httpLoadBalancers(): readonly HttpLoadBalancerView[];
  service(namespace: string, name: string): Service | undefined;
  /** The node's kube-proxy and masquerade rules, as its `iptables-save` shows them. */
  rules(node: string): CompiledRules;
  conntrack(node: string): Conntrack;
  recent(node: string): RecentLists;
  recordRecent(node: string, name: string, ip: string, nowSeconds: number): void;
  dnsLookup(name: string, type: string): LookupResult;
  /** Milliseconds, from the controllers' clock. */
  now(): number;
}
