/**
 * Pure kube-proxy iptables-mode rule compiler (networking.md §6): turns the Services and
 * EndpointSlices a node sees into structured `nat`/`filter` chains an evaluator can walk
 * (rules.ts); render.ts prints them in `iptables-save` form.
 */
import type { Service, ServicePort } from '../../../schemas/service.js';
import { externallyAccessible } from '../../../schemas/service.js';
import type { EndpointSlice } from '../../../schemas/endpointslice.js';
import { endpointChainHash, serviceChainHash, servicePortName } from './names.js';
import { kernelThreshold, selectionProbabilities } from './probability.js';
import { BUILTIN_CHAINS, type Chain, type CompiledRules, type Match, type Rule, type Target } from './rules.js';

/** What one node's kube-proxy sees. */
export interface CompileInput {
  nodeName: string;
  clusterCIDR: string;
  services: Service[];
  endpointSlices: EndpointSlice[];
}

/** `--masquerade-bit` 14. */
const MASQ_MARK = 0x4000;
const MARK_MASQ_CHAIN = 'KUBE-MARK-MASQ';

/** Accumulates rules per chain; a chain exists once declared, even if empty. */
class TableBuilder {
  private readonly chains = new Map<string, Rule[]>();

  constructor(private readonly builtins: string[]) {}

  declare(name: string): void {
    if (!this.chains.has(name)) this.chains.set(name, []);
  }

  add(chain: string, rule: Rule): void {
    this.declare(chain);
    this.chains.get(chain)!.push(rule);
  }

  build(): Chain[] {
    const builtins = this.builtins.filter((n) => this.chains.has(n));
    const own = [...this.chains.keys()].filter((n) => !this.builtins.includes(n)).sort();
    return [...builtins, ...own].map((name) => ({ name, rules: this.chains.get(name)! }));
  }
}

const comment = (text: string): Match => ({ kind: 'comment', text });
const jump = (chain: string): Target => ({ kind: 'jump', chain });
const ctNew: Match = { kind: 'conntrack', ctstate: ['NEW'] };
const host = (ip: string): string => `${ip}/32`;

/** The hooks from built-in chains into kube-proxy's (§6.1), in the order a prepending kube-proxy leaves them. */
function addGlobalRules(nat: TableBuilder, filter: TableBuilder): void {
  const portals = comment('kubernetes service portals');
  nat.add('PREROUTING', { matches: [portals], target: jump('KUBE-SERVICES') });
  nat.add('OUTPUT', { matches: [portals], target: jump('KUBE-SERVICES') });
  nat.add('POSTROUTING', { matches: [comment('kubernetes postrouting rules')], target: jump('KUBE-POSTROUTING') });
  nat.add(MARK_MASQ_CHAIN, { matches: [], target: { kind: 'MARK', value: MASQ_MARK, mask: MASQ_MARK } });
  nat.add('KUBE-POSTROUTING', { matches: [{ kind: 'mark', value: MASQ_MARK, mask: MASQ_MARK, negate: true }], target: { kind: 'RETURN' } });
  // `--xor-mark` clears the bit so a re-routed packet is not masqueraded twice.
  nat.add('KUBE-POSTROUTING', { matches: [], target: { kind: 'MARK', value: MASQ_MARK, mask: 0 } });
  nat.add('KUBE-POSTROUTING', {
    matches: [comment('kubernetes service traffic requiring SNAT')],
    target: { kind: 'MASQUERADE', randomFully: true },
  });
  nat.declare('KUBE-NODEPORTS');
  nat.declare('KUBE-SERVICES');

  const firewall = { matches: [ctNew, comment('kubernetes load balancer firewall')], target: jump('KUBE-PROXY-FIREWALL') };
  const external = { matches: [ctNew, comment('kubernetes externally-visible service portals')], target: jump('KUBE-EXTERNAL-SERVICES') };
  const services = { matches: [ctNew, portals], target: jump('KUBE-SERVICES') };
  filter.add('INPUT', firewall);
  filter.add('INPUT', { matches: [comment('kubernetes health check service ports')], target: jump('KUBE-NODEPORTS') });
  filter.add('INPUT', external);
  filter.add('FORWARD', firewall);
  filter.add('FORWARD', { matches: [comment('kubernetes forwarding rules')], target: jump('KUBE-FORWARD') });
  filter.add('FORWARD', services);
  filter.add('FORWARD', external);
  filter.add('OUTPUT', firewall);
  filter.add('OUTPUT', services);
  filter.add('KUBE-FORWARD', { matches: [{ kind: 'conntrack', ctstate: ['INVALID'] }], target: { kind: 'DROP' } });
  filter.add('KUBE-FORWARD', {
    matches: [comment('kubernetes forwarding rules'), { kind: 'mark', value: MASQ_MARK, mask: MASQ_MARK }],
    target: { kind: 'ACCEPT' },
  });
  filter.add('KUBE-FORWARD', {
    matches: [comment('kubernetes forwarding conntrack rule'), { kind: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] }],
    target: { kind: 'ACCEPT' },
  });
  for (const name of ['KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES']) filter.declare(name);
}

/** One endpoint of a service port, as kube-proxy's endpoint cache keeps it. */
interface EndpointInfo {
  ip: string;
  port: number;
  isLocal: boolean;
  ready: boolean;
  servingTerminating: boolean;
}

const endpointKey = (ep: EndpointInfo): string => `${ep.ip}:${ep.port}`;

/** The service port's endpoints from its slices, de-duplicated and sorted by the `"ip:port"` string. */
function collectEndpoints(svc: Service, port: ServicePort, slices: EndpointSlice[], nodeName: string): EndpointInfo[] {
  const byKey = new Map<string, EndpointInfo>();
  for (const slice of slices) {
    if (slice.metadata.namespace !== svc.metadata.namespace) continue;
    if (slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
    const slicePort = slice.ports?.find((p) => p.name === (port.name ?? '') && p.protocol === port.protocol);
    if (slicePort?.port === undefined) continue;
    for (const ep of slice.endpoints) {
      const ip = ep.addresses[0];
      if (!ip) continue;
      // Upstream reads an unset `ready` as ready and an unset `serving` as `ready`.
      const ready = ep.conditions?.ready ?? true;
      const serving = ep.conditions?.serving ?? ready;
      const info = { ip, port: slicePort.port, isLocal: ep.nodeName === nodeName, ready, servingTerminating: serving && ep.conditions?.terminating === true };
      byKey.set(endpointKey(info), info);
    }
  }
  return [...byKey.values()].sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : endpointKey(a) > endpointKey(b) ? 1 : 0));
}

/** Ready endpoints, or serving-and-terminating ones when none is ready (`CategorizeEndpoints`, no topology hints). */
function usable(endpoints: EndpointInfo[]): EndpointInfo[] {
  const ready = endpoints.filter((ep) => ep.ready);
  return ready.length > 0 ? ready : endpoints.filter((ep) => ep.servingTerminating);
}

/** Everything the per-port rule writers need. */
interface PortContext {
  spn: string;
  protocol: string;
  port: number;
  clusterIP: string;
  clusterCIDR: string;
  svcChain: string;
  svlChain: string;
  extChain: string;
  clusterEndpoints: EndpointInfo[];
  localEndpoints: EndpointInfo[];
  internalLocal: boolean;
  externalLocal: boolean;
  external: boolean;
}

const hasEndpoints = (c: PortContext): boolean => c.clusterEndpoints.length > 0;
const hasInternalEndpoints = (c: PortContext): boolean => (c.internalLocal ? c.localEndpoints : c.clusterEndpoints).length > 0;
const hasExternalEndpoints = (c: PortContext): boolean => (c.externalLocal ? c.localEndpoints : c.clusterEndpoints).length > 0;
/** The cluster chain serves Cluster-policy internal traffic and all externally reachable traffic (eTP=Local short-circuits into it). */
const usesClusterChain = (c: PortContext): boolean => hasEndpoints(c) && (!c.internalLocal || c.external);
const usesLocalChain = (c: PortContext): boolean => c.localEndpoints.length > 0 && (c.internalLocal || (c.external && c.externalLocal));

/** The filter verdict for traffic that has nowhere to go: REJECT when no endpoint exists at all, else DROP. */
function filterVerdict(c: PortContext): { target: Target; comment: Match } {
  return hasEndpoints(c)
    ? { target: { kind: 'DROP' }, comment: comment(`${c.spn} has no local endpoints`) }
    : { target: { kind: 'REJECT' }, comment: comment(`${c.spn} has no endpoints`) };
}

/** §6.3 items 1–2: the ClusterIP portal (nat jump or filter REJECT/DROP) and its masquerade rule. */
function addClusterIPRules(c: PortContext, nat: TableBuilder, filter: TableBuilder): void {
  const base = { destination: host(c.clusterIP), protocol: c.protocol };
  const dport: Match = { kind: 'l4', protocol: c.protocol, dport: c.port };
  const portal = comment(`${c.spn} cluster IP`);
  if (!hasInternalEndpoints(c)) {
    const verdict = filterVerdict(c);
    filter.add('KUBE-SERVICES', { ...base, matches: [verdict.comment, dport], target: verdict.target });
    return;
  }
  const internalChain = c.internalLocal ? c.svlChain : c.svcChain;
  nat.add(internalChain, { source: { cidr: c.clusterCIDR, negate: true }, ...base, matches: [portal, dport], target: jump(MARK_MASQ_CHAIN) });
  nat.add('KUBE-SERVICES', { ...base, matches: [portal, dport], target: jump(internalChain) });
}

/** §6.3 item 3: external and load-balancer IPs jump to KUBE-EXT; filter stops them when no external endpoint exists. */
function addExternalAddressRules(c: PortContext, ips: { ip: string; label: string }[], nat: TableBuilder, filter: TableBuilder): void {
  const dport: Match = { kind: 'l4', protocol: c.protocol, dport: c.port };
  for (const { ip, label } of ips) {
    const base = { destination: host(ip), protocol: c.protocol };
    if (hasEndpoints(c)) nat.add('KUBE-SERVICES', { ...base, matches: [comment(`${c.spn} ${label}`), dport], target: jump(c.extChain) });
    if (!hasExternalEndpoints(c)) {
      const verdict = filterVerdict(c);
      filter.add('KUBE-EXTERNAL-SERVICES', { ...base, matches: [verdict.comment, dport], target: verdict.target });
    }
  }
}

/** §6.3 item 4: the NodePort jump, or the filter rule for node-local destinations without external endpoints. */
function addNodePortRules(c: PortContext, nodePort: number, nat: TableBuilder, filter: TableBuilder): void {
  const dport: Match = { kind: 'l4', protocol: c.protocol, dport: nodePort };
  if (hasEndpoints(c)) nat.add('KUBE-NODEPORTS', { protocol: c.protocol, matches: [comment(c.spn), dport], target: jump(c.extChain) });
  if (!hasExternalEndpoints(c)) {
    const verdict = filterVerdict(c);
    const localDst: Match = { kind: 'addrtype', dstType: 'LOCAL' };
    filter.add('KUBE-EXTERNAL-SERVICES', { protocol: c.protocol, matches: [verdict.comment, localDst, dport], target: verdict.target });
  }
}

/** §6.3 item 5: the KUBE-EXT chain for NodePort / LB / external-IP traffic. */
function addExternalChain(c: PortContext, nat: TableBuilder): void {
  const what = `${c.spn} external destinations`;
  const localSrc: Match = { kind: 'addrtype', srcType: 'LOCAL' };
  if (c.externalLocal) {
    nat.add(c.extChain, { source: { cidr: c.clusterCIDR }, matches: [comment(`pod traffic for ${what}`)], target: jump(c.svcChain) });
    nat.add(c.extChain, { matches: [comment(`masquerade LOCAL traffic for ${what}`), localSrc], target: jump(MARK_MASQ_CHAIN) });
    nat.add(c.extChain, { matches: [comment(`route LOCAL traffic for ${what}`), localSrc], target: jump(c.svcChain) });
  } else {
    nat.add(c.extChain, { matches: [comment(`masquerade traffic for ${what}`)], target: jump(MARK_MASQ_CHAIN) });
  }
  // Without a usable endpoint for this policy the packet falls through un-DNATed and filter drops it.
  if (hasExternalEndpoints(c)) nat.add(c.extChain, { matches: [], target: jump(c.externalLocal ? c.svlChain : c.svcChain) });
}

const sepChain = (c: PortContext, ep: EndpointInfo): string => `KUBE-SEP-${endpointChainHash(c.spn, c.protocol, ep.ip, ep.port)}`;

/** §6.3 item 6: the 1/(n−i) statistic ladder, last endpoint unconditional. */
function addSelectionRules(c: PortContext, chain: string, endpoints: EndpointInfo[], nat: TableBuilder): void {
  const probabilities = selectionProbabilities(endpoints.length);
  endpoints.forEach((ep, i) => {
    const matches: Match[] = [comment(`${c.spn} -> ${endpointKey(ep)}`)];
    if (i < probabilities.length) matches.push({ kind: 'statistic', threshold: kernelThreshold(probabilities[i]) });
    nat.add(chain, { matches, target: jump(sepChain(c, ep)) });
  });
}

/** §6.3 item 7: hairpin masquerade then DNAT. */
function addEndpointChain(c: PortContext, ep: EndpointInfo, nat: TableBuilder): void {
  const chain = sepChain(c, ep);
  nat.add(chain, { source: { cidr: host(ep.ip) }, matches: [comment(c.spn)], target: jump(MARK_MASQ_CHAIN) });
  nat.add(chain, {
    protocol: c.protocol,
    matches: [comment(c.spn), { kind: 'l4', protocol: c.protocol }],
    target: { kind: 'DNAT', toDestination: endpointKey(ep) },
  });
}

/** The endpoint chains and SVC/SVL ladders actually referenced by this port's rules. */
function addEndpointRules(c: PortContext, nat: TableBuilder): void {
  const referenced = new Map<string, EndpointInfo>();
  if (usesClusterChain(c)) {
    addSelectionRules(c, c.svcChain, c.clusterEndpoints, nat);
    for (const ep of c.clusterEndpoints) referenced.set(endpointKey(ep), ep);
  }
  if (usesLocalChain(c)) {
    addSelectionRules(c, c.svlChain, c.localEndpoints, nat);
    for (const ep of c.localEndpoints) referenced.set(endpointKey(ep), ep);
  }
  for (const ep of referenced.values()) addEndpointChain(c, ep, nat);
}

/** The Service's load-balancer ingress IPs (type LoadBalancer; `ipMode: Proxy` ones are left to the LB). */
function loadBalancerIPs(svc: Service): string[] {
  if (svc.spec.type !== 'LoadBalancer') return [];
  return (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && i.ipMode !== 'Proxy').map((i) => i.ip!);
}

function compileServicePort(svc: Service, port: ServicePort, input: CompileInput, nat: TableBuilder, filter: TableBuilder): void {
  const spn = servicePortName(svc.metadata.namespace ?? 'default', svc.metadata.name ?? '', port.name);
  const protocol = port.protocol.toLowerCase();
  const hash = serviceChainHash(spn, protocol);
  const endpoints = collectEndpoints(svc, port, input.endpointSlices, input.nodeName);
  const external = externallyAccessible(svc.spec);
  const c: PortContext = {
    spn,
    protocol,
    port: port.port,
    clusterIP: svc.spec.clusterIP!,
    clusterCIDR: input.clusterCIDR,
    svcChain: `KUBE-SVC-${hash}`,
    svlChain: `KUBE-SVL-${hash}`,
    extChain: `KUBE-EXT-${hash}`,
    clusterEndpoints: usable(endpoints),
    localEndpoints: usable(endpoints.filter((ep) => ep.isLocal)),
    internalLocal: svc.spec.internalTrafficPolicy === 'Local',
    externalLocal: external && svc.spec.externalTrafficPolicy === 'Local',
    external,
  };
  addClusterIPRules(c, nat, filter);
  const addresses = [
    ...(svc.spec.externalIPs ?? []).map((ip) => ({ ip, label: 'external IP' })),
    ...loadBalancerIPs(svc).map((ip) => ({ ip, label: 'loadbalancer IP' })),
  ];
  addExternalAddressRules(c, addresses, nat, filter);
  if (port.nodePort && (svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer')) addNodePortRules(c, port.nodePort, nat, filter);
  if (c.externalLocal && svc.spec.healthCheckNodePort) {
    filter.add('KUBE-NODEPORTS', {
      protocol: 'tcp',
      matches: [comment(`${spn} health check node port`), { kind: 'l4', protocol: 'tcp', dport: svc.spec.healthCheckNodePort }],
      target: { kind: 'ACCEPT' },
    });
  }
  if (hasEndpoints(c) && external) addExternalChain(c, nat);
  addEndpointRules(c, nat);
}

/** Services kube-proxy programs: those with a ClusterIP (not headless, not ExternalName). */
function isProxied(svc: Service): boolean {
  const ip = svc.spec.clusterIP;
  return svc.spec.type !== 'ExternalName' && !!ip && ip !== 'None';
}

const portSortKey = (svc: Service, port: ServicePort): string =>
  `${servicePortName(svc.metadata.namespace ?? 'default', svc.metadata.name ?? '', port.name)}\u0000${port.protocol}`;

/**
 * Compiles the node's kube-proxy rules (iptables mode, ≥1.24 chain naming). Deterministic: service
 * ports are processed in `ServicePortName` order. Not modelled: session affinity, topology hints,
 * `loadBalancerSourceRanges` (KUBE-FW), `--masquerade-all`.
 */
export function compileNode(input: CompileInput): CompiledRules {
  const nat = new TableBuilder(BUILTIN_CHAINS.nat);
  const filter = new TableBuilder(BUILTIN_CHAINS.filter);
  addGlobalRules(nat, filter);
  const ports = input.services
    .filter(isProxied)
    .flatMap((svc) => (svc.spec.ports ?? []).map((port) => ({ svc, port, key: portSortKey(svc, port) })))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { svc, port } of ports) compileServicePort(svc, port, input, nat, filter);
  // Must stay last: every other KUBE-SERVICES rule matches a specific destination first.
  nat.add('KUBE-SERVICES', {
    matches: [comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), { kind: 'addrtype', dstType: 'LOCAL' }],
    target: jump('KUBE-NODEPORTS'),
  });
  return { nat: nat.build(), filter: filter.build() };
}
