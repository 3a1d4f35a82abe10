/**
 * The VPC firewall's ingress verdict (docs/network-model.md#firewall): GCP evaluates a VM's rules in priority order,
 * lower numbers first; at equal priority a deny wins; the implied rule at 65535 denies all ingress.
 * kplane's API has allow rules only, so a packet is admitted exactly when some rule matches it, and
 * the deciding rule is the matching one evaluated first. Stateful: replies of an admitted flow are
 * the caller's to let through (conntrack), not this module's.
 */
import type { Firewall, FirewallAllowed } from '../../registry/kinds/firewall/schema.js';
import { parsePortSpec, type PortRange } from '../../registry/kinds/compute.js';
import { cidrContains, parseCIDR, tryParseIPv4 } from '../../net/ipv4.js';

export type { PortRange } from '../../registry/kinds/compute.js';

/** What the firewall looks at of an incoming packet. */
export interface FirewallPacket {
  protocol: 'TCP' | 'UDP' | 'ICMP';
  /** Source IPv4 address. */
  src: string;
  /** Destination port (TCP and UDP). */
  dstPort?: number;
}

const ALL_PORTS: PortRange = { first: 1, last: 65535 };

/**
 * The port ranges of a Firewall `allowed[]` entry or a ForwardingRule: absent or empty = every port
 * (1-65535). Throws on an entry that is not `"80"` or `"30000-32767"` (stored objects never have one).
 */
export function parsePortRanges(ports?: readonly string[]): PortRange[] {
  if (!ports?.length) return [ALL_PORTS];
  return ports.map((text) => {
    const range = parsePortSpec(text);
    if (!range) throw new Error(`invalid port spec "${text}"`);
    return range;
  });
}

function sourceMatches(fw: Firewall, src: number): boolean {
  return (fw.spec.sourceRanges ?? []).some((range) => {
    try {
      return cidrContains(parseCIDR(range), src);
    } catch {
      return false;
    }
  });
}

/** Absent or empty targets (as GCP's target tags) mean every node. */
function targetMatches(fw: Firewall, nodeName: string): boolean {
  const targets = fw.spec.targetNodes ?? [];
  return targets.length === 0 || targets.includes(nodeName);
}

function allowedMatches(entry: FirewallAllowed, packet: FirewallPacket): boolean {
  const protocol = entry.protocol.toLowerCase();
  if (protocol === 'all') return true;
  if (protocol !== packet.protocol.toLowerCase()) return false;
  if (!entry.ports?.length) return true;
  const port = packet.dstPort;
  return port !== undefined && parsePortRanges(entry.ports).some((r) => port >= r.first && port <= r.last);
}

function compareNames(a = '', b = ''): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether rule `fw` admits `packet` arriving at node `nodeName`. */
function ruleAdmits(fw: Firewall, packet: FirewallPacket, nodeName: string): boolean {
  const src = tryParseIPv4(packet.src);
  return (
    src !== undefined &&
    sourceMatches(fw, src) &&
    targetMatches(fw, nodeName) &&
    (fw.spec.allowed ?? []).some((entry) => allowedMatches(entry, packet))
  );
}

/**
 * The rule that admits `packet` into node `nodeName`: of the matching rules, the one GCP evaluates
 * first (lowest priority number, then name, for a stable answer). Undefined = denied by the
 * implied deny-all-ingress rule.
 */
export function admittingFirewall(
  firewalls: readonly Firewall[],
  packet: FirewallPacket,
  nodeName: string,
): Firewall | undefined {
  const matching = firewalls.filter((fw) => ruleAdmits(fw, packet, nodeName));
  return matching.sort(
    (a, b) => a.spec.priority - b.spec.priority || compareNames(a.metadata.name, b.metadata.name),
  )[0];
}

/** Whether the VPC firewall `firewalls` (every Firewall object) lets `packet` into node `nodeName`. */
export function firewallAllows(firewalls: readonly Firewall[], packet: FirewallPacket, nodeName: string): boolean {
  return admittingFirewall(firewalls, packet, nodeName) !== undefined;
}
