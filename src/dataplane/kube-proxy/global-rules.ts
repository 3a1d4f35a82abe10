/**
 * The node-wide rules that do not depend on any Service: kube-proxy's hooks from the built-in
 * chains (docs/network-model.md#chains) and the ip-masq-agent egress masquerade
 * (docs/network-model.md#egress-and-masquerade).
 */
import {
  comment,
  jump,
  MARK_MASQ_CHAIN,
  MASQ_MARK,
  newFragment,
  type ChainRules,
  type Fragment,
  type TableName,
} from './fragment.js';
import type { Match } from './rules.js';

const ctNew: Match = { kind: 'conntrack', ctstate: ['NEW'] };
const MASQ_AGENT_CHAIN = 'IP-MASQ-AGENT';
/** ip-masq-agent never masquerades link-local destinations unless `masqLinkLocal` is set (not modelled). */
const LINK_LOCAL_CIDR = '169.254.0.0/16';

/** The global rules split where Service rules go: `head` before every Service's, `tail` after. */
export interface GlobalFragments {
  head: Fragment;
  tail: Fragment;
}

function addNatHooks(nat: ChainRules): void {
  const portals = comment('kubernetes service portals');
  nat.add('PREROUTING', { matches: [portals], target: jump('KUBE-SERVICES') });
  nat.add('OUTPUT', { matches: [portals], target: jump('KUBE-SERVICES') });
  nat.add('POSTROUTING', { matches: [comment('kubernetes postrouting rules')], target: jump('KUBE-POSTROUTING') });
  nat.add(MARK_MASQ_CHAIN, { matches: [], target: { kind: 'MARK', value: MASQ_MARK, mask: MASQ_MARK } });
  nat.add('KUBE-POSTROUTING', {
    matches: [{ kind: 'mark', value: MASQ_MARK, mask: MASQ_MARK, negate: true }],
    target: { kind: 'RETURN' },
  });
  // `--xor-mark` clears the bit so a re-routed packet is not masqueraded twice.
  nat.add('KUBE-POSTROUTING', { matches: [], target: { kind: 'MARK', value: MASQ_MARK, mask: 0 } });
  nat.add('KUBE-POSTROUTING', {
    matches: [comment('kubernetes service traffic requiring SNAT')],
    target: { kind: 'MASQUERADE', randomFully: true },
  });
  nat.declare('KUBE-NODEPORTS');
  nat.declare('KUBE-SERVICES');
}

/** ip-masq-agent's rules: after kube-proxy's POSTROUTING hook, non-local destinations outside the listed CIDRs are masqueraded. */
function addMasqueradeAgent(nat: ChainRules, nonMasqueradeCIDRs: readonly string[]): void {
  nat.add('POSTROUTING', {
    matches: [
      comment(
        `ip-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom ${MASQ_AGENT_CHAIN} chain`,
      ),
      { kind: 'addrtype', dstType: 'LOCAL', invertDst: true },
    ],
    target: jump(MASQ_AGENT_CHAIN),
  });
  // ip-masq-agent writes the link-local exception first, then the configured CIDRs.
  for (const cidr of [LINK_LOCAL_CIDR, ...nonMasqueradeCIDRs]) {
    nat.add(MASQ_AGENT_CHAIN, {
      destination: cidr,
      matches: [comment('ip-masq-agent: local traffic is not subject to MASQUERADE')],
      target: { kind: 'RETURN' },
    });
  }
  nat.add(MASQ_AGENT_CHAIN, {
    matches: [comment('ip-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)')],
    target: { kind: 'MASQUERADE', randomFully: false },
  });
}

function addFilterHooks(filter: ChainRules): void {
  const firewall = {
    matches: [ctNew, comment('kubernetes load balancer firewall')],
    target: jump('KUBE-PROXY-FIREWALL'),
  };
  const external = {
    matches: [ctNew, comment('kubernetes externally-visible service portals')],
    target: jump('KUBE-EXTERNAL-SERVICES'),
  };
  const services = { matches: [ctNew, comment('kubernetes service portals')], target: jump('KUBE-SERVICES') };
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
    matches: [
      comment('kubernetes forwarding conntrack rule'),
      { kind: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] },
    ],
    target: { kind: 'ACCEPT' },
  });
  for (const name of ['KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES'])
    filter.declare(name);
}

/**
 * The node-wide rules. Every chain they declare is shared: Services append to it between `head`
 * and `tail` (in Service order); every other chain belongs to exactly one Service.
 */
export function globalFragments(nonMasqueradeCIDRs: readonly string[]): GlobalFragments {
  const head = newFragment();
  addNatHooks(head.nat);
  addMasqueradeAgent(head.nat, nonMasqueradeCIDRs);
  addFilterHooks(head.filter);
  const tail = newFragment();
  // Must stay last: every other KUBE-SERVICES rule matches a specific destination first.
  tail.nat.add('KUBE-SERVICES', {
    matches: [
      comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'),
      { kind: 'addrtype', dstType: 'LOCAL' },
    ],
    target: jump('KUBE-NODEPORTS'),
  });
  return { head, tail };
}

/** The chains of `table` that Services share (declared by the global rules). */
export function sharedChains(global: GlobalFragments, table: TableName): Set<string> {
  return new Set([...global.head[table].chains.keys(), ...global.tail[table].chains.keys()]);
}
