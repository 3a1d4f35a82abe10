/**
 * The rules that catch a service port's traffic (docs/network-model.md#rules-per-service-port, items 1–6): ClusterIP,
 * external and load-balancer IPs (with the KUBE-FW source filter), NodePort, the health-check
 * port, and the KUBE-EXT chain.
 */
import { comment, host, jump, MARK_MASQ_CHAIN, type ChainRules, type Fragment } from './fragment.js';
import {
  hasEndpoints,
  hasExternalEndpoints,
  hasInternalEndpoints,
  usesFirewallChain,
  type PortContext,
} from './port-context.js';
import type { Match, Target } from './rules.js';

const dport = (c: PortContext, port: number): Match => ({ kind: 'l4', protocol: c.protocol, dport: port });

/** The filter verdict for traffic that has nowhere to go: REJECT when no endpoint exists at all, else DROP. */
function filterVerdict(c: PortContext): { target: Target; comment: Match } {
  return hasEndpoints(c)
    ? { target: { kind: 'DROP' }, comment: comment(`${c.spn} has no local endpoints`) }
    : { target: { kind: 'REJECT' }, comment: comment(`${c.spn} has no endpoints`) };
}

/** Items 1–2: the ClusterIP portal (nat jump or filter REJECT/DROP) and its masquerade rule. */
export function addClusterIPRules(c: PortContext, { nat, filter }: Fragment): void {
  const base = { destination: host(c.clusterIP), protocol: c.protocol };
  if (!hasInternalEndpoints(c)) {
    const verdict = filterVerdict(c);
    filter.add('KUBE-SERVICES', { ...base, matches: [verdict.comment, dport(c, c.port)], target: verdict.target });
    return;
  }
  const portal = comment(`${c.spn} cluster IP`);
  const internalChain = c.internalLocal ? c.svlChain : c.svcChain;
  nat.add(internalChain, {
    source: { cidr: c.clusterCIDR, negate: true },
    ...base,
    matches: [portal, dport(c, c.port)],
    target: jump(MARK_MASQ_CHAIN),
  });
  nat.add('KUBE-SERVICES', { ...base, matches: [portal, dport(c, c.port)], target: jump(internalChain) });
}

/** Item 3: external IPs jump to KUBE-EXT, LB IPs to KUBE-FW when source-filtered; filter stops them without external endpoints. */
export function addExternalAddressRules(c: PortContext, { nat, filter }: Fragment): void {
  const addresses = [
    ...c.externalIPs.map((ip) => ({ ip, label: 'external IP', chain: c.extChain })),
    ...c.loadBalancerIPs.map((ip) => ({
      ip,
      label: 'loadbalancer IP',
      chain: usesFirewallChain(c) ? c.fwChain : c.extChain,
    })),
  ];
  for (const { ip, label, chain } of addresses) {
    const base = { destination: host(ip), protocol: c.protocol };
    if (hasEndpoints(c))
      nat.add('KUBE-SERVICES', {
        ...base,
        matches: [comment(`${c.spn} ${label}`), dport(c, c.port)],
        target: jump(chain),
      });
    if (chain === c.fwChain) {
      const dropped = comment(`${c.spn} traffic not accepted by ${c.fwChain}`);
      filter.add('KUBE-PROXY-FIREWALL', { ...base, matches: [dropped, dport(c, c.port)], target: { kind: 'DROP' } });
    }
    if (!hasExternalEndpoints(c)) {
      const verdict = filterVerdict(c);
      filter.add('KUBE-EXTERNAL-SERVICES', {
        ...base,
        matches: [verdict.comment, dport(c, c.port)],
        target: verdict.target,
      });
    }
  }
}

/**
 * KUBE-FW-H: allowed source ranges go on to KUBE-EXT; the rest falls off the chain un-DNATed and
 * filter's KUBE-PROXY-FIREWALL drops it. (Upstream also admits the LB IPs as sources when a range
 * holds the node IP; the compiler does not know the node IP, so that rule is not modelled.)
 */
export function addFirewallChain(c: PortContext, nat: ChainRules): void {
  if (!usesFirewallChain(c)) return;
  for (const cidr of c.sourceRanges) {
    nat.add(c.fwChain, { source: { cidr }, matches: [comment(`${c.spn} loadbalancer IP`)], target: jump(c.extChain) });
  }
  nat.add(c.fwChain, {
    matches: [comment(`other traffic to ${c.spn} will be dropped by KUBE-PROXY-FIREWALL`)],
    target: { kind: 'none' },
  });
}

/** Item 4: the NodePort jump, or the filter rule for node-local destinations without external endpoints. */
export function addNodePortRules(c: PortContext, nodePort: number, { nat, filter }: Fragment): void {
  if (hasEndpoints(c))
    nat.add('KUBE-NODEPORTS', {
      protocol: c.protocol,
      matches: [comment(c.spn), dport(c, nodePort)],
      target: jump(c.extChain),
    });
  if (!hasExternalEndpoints(c)) {
    const verdict = filterVerdict(c);
    const localDst: Match = { kind: 'addrtype', dstType: 'LOCAL' };
    filter.add('KUBE-EXTERNAL-SERVICES', {
      protocol: c.protocol,
      matches: [verdict.comment, localDst, dport(c, nodePort)],
      target: verdict.target,
    });
  }
}

/** Item 6: accept the eTP=Local health-check node port, whether or not endpoints are local. */
export function addHealthCheckRule(c: PortContext, healthCheckNodePort: number, filter: ChainRules): void {
  filter.add('KUBE-NODEPORTS', {
    protocol: 'tcp',
    matches: [comment(`${c.spn} health check node port`), { kind: 'l4', protocol: 'tcp', dport: healthCheckNodePort }],
    target: { kind: 'ACCEPT' },
  });
}

/** Item 5: the KUBE-EXT chain for NodePort / LB / external-IP traffic. */
export function addExternalChain(c: PortContext, nat: ChainRules): void {
  if (!hasEndpoints(c) || !c.external) return;
  const what = `${c.spn} external destinations`;
  const localSrc: Match = { kind: 'addrtype', srcType: 'LOCAL' };
  if (c.externalLocal) {
    nat.add(c.extChain, {
      source: { cidr: c.clusterCIDR },
      matches: [comment(`pod traffic for ${what}`)],
      target: jump(c.svcChain),
    });
    nat.add(c.extChain, {
      matches: [comment(`masquerade LOCAL traffic for ${what}`), localSrc],
      target: jump(MARK_MASQ_CHAIN),
    });
    nat.add(c.extChain, { matches: [comment(`route LOCAL traffic for ${what}`), localSrc], target: jump(c.svcChain) });
  } else {
    nat.add(c.extChain, { matches: [comment(`masquerade traffic for ${what}`)], target: jump(MARK_MASQ_CHAIN) });
  }
  // Without a usable endpoint for this policy the packet falls through un-DNATed and filter drops it.
  if (hasExternalEndpoints(c))
    nat.add(c.extChain, { matches: [], target: jump(c.externalLocal ? c.svlChain : c.svcChain) });
}
