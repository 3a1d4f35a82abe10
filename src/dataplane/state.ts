/**
 * The simulated dataplane, derived from the API objects the controllers' informers hold: each
 * node's interfaces (eth0, cbr0, a veth per pod), its kube-proxy rules (kept incrementally by the
 * kube-proxy component), the VPC's routes, firewalls and load balancers, and the state packets
 * leave behind (conntrack, `recent` lists). The tracer reads it through {@link ClusterView}.
 */
import type { Manager } from '../runtime/manager.js';
import type { Node } from '../registry/kinds/node/schema.js';
import type { Pod } from '../registry/kinds/pod/schema.js';
import type { ForwardingRule } from '../registry/kinds/forwardingrule/schema.js';
import { firstHost } from '../net/ipv4.js';
import type { LookupResult, ZoneIndex } from '../dns/records.js';
import { parsePortRanges } from './vpc/firewall.js';
import type { CompiledRules } from './kube-proxy/rules.js';
import { Conntrack } from '../tracer/conntrack.js';
import { hash32 } from '../tracer/choices.js';
import type {
  ClusterView,
  HttpLoadBalancerView,
  LoadBalancerView,
  NetworkConfig,
  NodeView,
  PodView,
} from '../tracer/view.js';
import type { UrlMap } from './ingress/url-map.js';

/** A node's compiled kube-proxy rules (the kube-proxy component keeps them up to date). */
interface NodeRules {
  rules(node: string): CompiledRules;
}

/** xt_recent's `ip_list_tot` default: addresses remembered per list. */
const RECENT_LIST_SIZE = 100;

/** Annotation turning GCP's anti-spoofing back on for a VM (GKE creates every node with `canIpForward: true`). */
export const CAN_IP_FORWARD_ANNOTATION = 'compute.kplane.io/can-ip-forward';

export interface DataplaneOptions {
  config: NetworkConfig;
  /** The cluster's DNS records (shared with the DNS server), for `to.host` traces. */
  zone: ZoneIndex;
  kubeProxy: NodeRules;
  /** Milliseconds; default the manager's clock. */
  now?: () => number;
  /**
   * Rewrites a node's rules before the tracer sees them: fault injection for tests and
   * demonstrations (drop the MASQUERADE rule, flip a probability). Never set in production.
   */
  mutateRules?: (node: string, rules: CompiledRules) => CompiledRules;
}

/** `veth` + 8 hex digits, like the CNI bridge plugin's host-side names. */
function vethName(namespace: string, name: string): string {
  return `veth${hash32(`${namespace}/${name}`).toString(16).padStart(8, '0')}`;
}

function nodeView(node: Node): NodeView | undefined {
  const addresses = node.status?.addresses ?? [];
  const internalIP = addresses.find((a) => a.type === 'InternalIP')?.address;
  if (!internalIP) return undefined;
  const podCIDR = node.spec?.podCIDR || undefined;
  return {
    name: node.metadata.name!,
    internalIP,
    externalIP: addresses.find((a) => a.type === 'ExternalIP')?.address,
    podCIDR,
    cbr0IP: podCIDR ? firstHost(podCIDR) : undefined,
    canIpForward: node.metadata.annotations?.[CAN_IP_FORWARD_ANNOTATION] !== 'false',
  };
}

/** Pods with their own address in the pod network (host-network pods share the node's). */
function podView(pod: Pod): PodView | undefined {
  const ip = pod.status?.podIP;
  const node = pod.spec?.nodeName;
  if (!ip || !node || pod.spec?.hostNetwork) return undefined;
  const { namespace = 'default', name = '' } = pod.metadata;
  return { namespace, name, node, ip, veth: vethName(namespace, name) };
}

function portsOf(fr: ForwardingRule): { first: number; last: number }[] | undefined {
  try {
    return fr.spec.ports?.length ? parsePortRanges(fr.spec.ports) : [];
  } catch {
    return undefined;
  }
}

const healthyBackends = (fr: ForwardingRule): string[] =>
  (fr.status?.backends ?? []).filter((b) => b.healthy).map((b) => b.node);

function loadBalancerView(fr: ForwardingRule): LoadBalancerView | undefined {
  const nodes = fr.spec.target?.nodes;
  const ports = portsOf(fr);
  if (!nodes || !fr.spec.ipAddress || !ports) return undefined;
  return {
    name: fr.metadata.name!,
    ip: fr.spec.ipAddress,
    protocol: fr.spec.protocol ?? 'TCP',
    ports,
    nodes,
    healthy: healthyBackends(fr),
  };
}

/** The ingress controller's URL map is opaque to the API: take it only when it has the shape `buildUrlMap` gives. */
function httpLoadBalancerView(fr: ForwardingRule): HttpLoadBalancerView | undefined {
  const urlMap = fr.spec.target?.urlMap as (Partial<UrlMap> & { nodes?: unknown }) | undefined;
  const ports = portsOf(fr);
  if (!urlMap || !Array.isArray(urlMap.rules) || !fr.spec.ipAddress || !ports) return undefined;
  const nodes = Array.isArray(urlMap.nodes)
    ? urlMap.nodes.filter((n): n is string => typeof n === 'string')
    : (fr.status?.backends ?? []).map((b) => b.node);
  return {
    name: fr.metadata.name!,
    ip: fr.spec.ipAddress,
    ports,
    urlMap: urlMap as UrlMap,
    nodes,
    healthy: healthyBackends(fr),
  };
}

/** The dataplane of one cluster, live from a Manager's informers. */
export class DataplaneState implements ClusterView {
  readonly config: NetworkConfig;
  private readonly conntracks = new Map<string, Conntrack>();
  private readonly recentLists = new Map<string, Map<string, Map<string, number>>>();
  /** The load balancers' views, rebuilt after a ForwardingRule changes (every packet asks for them). */
  private frontends?: { network: LoadBalancerView[]; http: HttpLoadBalancerView[] };

  constructor(
    private readonly manager: Manager,
    private readonly opts: DataplaneOptions,
  ) {
    this.config = opts.config;
    manager.informer('Node').addHandler({ onDelete: (node) => this.forgetNode(node.metadata.name!) });
    const forget = () => (this.frontends = undefined);
    manager.informer('ForwardingRule').addHandler({ onAdd: forget, onUpdate: forget, onDelete: forget });
  }

  now(): number {
    return this.opts.now ? this.opts.now() : this.manager.clock.now();
  }

  node(name: string): NodeView | undefined {
    const node = this.manager.listers.Node.get({ name });
    return node && nodeView(node);
  }

  nodes(): readonly NodeView[] {
    return this.manager.listers.Node.list().flatMap((n) => nodeView(n) ?? []);
  }

  nodeByInternalIP(ip: string): NodeView | undefined {
    return this.nodes().find((n) => n.internalIP === ip);
  }

  nodeByExternalIP(ip: string): NodeView | undefined {
    return this.nodes().find((n) => n.externalIP === ip);
  }

  /** The Node object behind a node view. */
  nodeObject(name: string): Node | undefined {
    return this.manager.listers.Node.get({ name });
  }

  pod(namespace: string, name: string): PodView | undefined {
    const pod = this.manager.listers.Pod.get({ namespace, name });
    return pod && podView(pod);
  }

  podOnNode(node: string, ip: string): PodView | undefined {
    for (const pod of this.manager.listers.Pod.byIndex('spec.nodeName', node)) {
      const view = podView(pod);
      if (view?.ip === ip) return view;
    }
    return undefined;
  }

  /** Every pod with an address, for NodeDataplane's veth list. */
  podsOnNode(node: string): PodView[] {
    return this.manager.listers.Pod.byIndex('spec.nodeName', node).flatMap((p) => podView(p) ?? []);
  }

  routes() {
    return this.manager.listers.Route.list();
  }

  firewalls() {
    return this.manager.listers.Firewall.list();
  }

  loadBalancers(): readonly LoadBalancerView[] {
    return this.frontendViews().network;
  }

  httpLoadBalancers(): readonly HttpLoadBalancerView[] {
    return this.frontendViews().http;
  }

  private frontendViews(): { network: LoadBalancerView[]; http: HttpLoadBalancerView[] } {
    const rules = this.manager.listers.ForwardingRule.list();
    this.frontends ??= {
      network: rules.flatMap((fr) => loadBalancerView(fr) ?? []),
      http: rules.flatMap((fr) => httpLoadBalancerView(fr) ?? []),
    };
    return this.frontends;
  }

  service(namespace: string, name: string) {
    return this.manager.listers.Service.get({ namespace, name });
  }

  rules(node: string): CompiledRules {
    const rules = this.opts.kubeProxy.rules(node);
    return this.opts.mutateRules ? this.opts.mutateRules(node, rules) : rules;
  }

  conntrack(node: string): Conntrack {
    let table = this.conntracks.get(node);
    if (!table) this.conntracks.set(node, (table = new Conntrack()));
    return table;
  }

  recent(node: string): Map<string, Map<string, number>> {
    let lists = this.recentLists.get(node);
    if (!lists) this.recentLists.set(node, (lists = new Map()));
    return lists;
  }

  recordRecent(node: string, name: string, ip: string, nowSeconds: number): void {
    const lists = this.recent(node);
    let list = lists.get(name);
    if (!list) lists.set(name, (list = new Map()));
    list.delete(ip);
    list.set(ip, nowSeconds);
    // xt_recent keeps ip_list_tot (100) addresses per list and forgets the least recently seen.
    if (list.size > RECENT_LIST_SIZE) list.delete(list.keys().next().value!);
  }

  dnsLookup(name: string, type: string): LookupResult {
    return this.opts.zone.lookup(name, type);
  }

  private forgetNode(name: string): void {
    this.conntracks.delete(name);
    this.recentLists.delete(name);
  }
}
