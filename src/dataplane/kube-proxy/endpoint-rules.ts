/**
 * Endpoint choice and DNAT (kube-proxy's `proxier.go`; docs/network-model.md#choosing-an-endpoint,
 * #session-affinity): the SVC/SVL chains (session affinity rules, then the statistic ladder) and
 * one KUBE-SEP chain per referenced endpoint.
 */
import { endpointKey, type EndpointInfo } from './endpoints.js';
import { comment, host, jump, MARK_MASQ_CHAIN, type ChainRules } from './fragment.js';
import { endpointChainHash } from './names.js';
import { usesClusterChain, usesLocalChain, type PortContext } from './port-context.js';
import { kernelThreshold, selectionProbabilities } from './probability.js';
import type { Match } from './rules.js';

const sepChain = (c: PortContext, ep: EndpointInfo): string =>
  `KUBE-SEP-${endpointChainHash(c.spn, c.protocol, ep.ip, ep.port)}`;

/** Session affinity: a client seen within the timeout goes back to the endpoint it was sent to (keyed by source IP). */
function addAffinityRules(
  c: PortContext,
  chain: string,
  endpoints: EndpointInfo[],
  seconds: number,
  nat: ChainRules,
): void {
  for (const ep of endpoints) {
    const sep = sepChain(c, ep);
    const recent: Match = { kind: 'recent', name: sep, action: 'rcheck', seconds, reap: true };
    nat.add(chain, { matches: [comment(`${c.spn} -> ${endpointKey(ep)}`), recent], target: jump(sep) });
  }
}

/** The random choice: the 1/(n−i) statistic ladder, last endpoint unconditional. */
function addSelectionRules(c: PortContext, chain: string, endpoints: EndpointInfo[], nat: ChainRules): void {
  if (c.affinitySeconds !== undefined) addAffinityRules(c, chain, endpoints, c.affinitySeconds, nat);
  const probabilities = selectionProbabilities(endpoints.length);
  endpoints.forEach((ep, i) => {
    const matches: Match[] = [comment(`${c.spn} -> ${endpointKey(ep)}`)];
    if (i < probabilities.length) matches.push({ kind: 'statistic', threshold: kernelThreshold(probabilities[i]) });
    nat.add(chain, { matches, target: jump(sepChain(c, ep)) });
  });
}

/** An endpoint's chain: hairpin masquerade then DNAT; with affinity the DNAT also records the client. */
function addEndpointChain(c: PortContext, ep: EndpointInfo, nat: ChainRules): void {
  const chain = sepChain(c, ep);
  nat.add(chain, { source: { cidr: host(ep.ip) }, matches: [comment(c.spn)], target: jump(MARK_MASQ_CHAIN) });
  const matches: Match[] = [comment(c.spn)];
  if (c.affinitySeconds !== undefined) matches.push({ kind: 'recent', name: chain, action: 'set' });
  matches.push({ kind: 'l4', protocol: c.protocol });
  nat.add(chain, { protocol: c.protocol, matches, target: { kind: 'DNAT', toDestination: endpointKey(ep) } });
}

/** The SVC/SVL ladders actually referenced by this port's rules, and their endpoints' chains. */
export function addEndpointRules(c: PortContext, nat: ChainRules): void {
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
