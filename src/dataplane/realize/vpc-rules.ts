/**
 * The VPC namespace's iptables (docs/network-model.md#the-vpc), as `iptables-restore` text: anti-spoofing
 * at each VM's NIC, GCP's 1:1 NAT, the internet gateway's refusal of private destinations and of
 * untranslatable sources, the load balancers' protocol/port match, and the stateful ingress
 * firewall (implied deny). Comments carry GCP's drop causes so `iptables -L -v` reads like a trace.
 */
import { formatCIDR, parseCIDR } from '../../net/ipv4.js';
import { parsePortRanges } from '../vpc/firewall.js';
import type { RealizeFirewall, RealizeInput, RealizeLoadBalancer, RealizeNode } from './input.js';
import { ifaceNames } from './names.js';

/** What the internet gateway never carries (as the tracer's VPC model). */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

const TO_INTERNET = 'VPC-TO-INTERNET';
const FROM_INTERNET = 'VPC-FROM-INTERNET';
const nicOutChain = (i: number) => `VPC-NIC-${i}-OUT`;
const nicInChain = (i: number) => `VPC-NIC-${i}-IN`;
const firewallChain = (i: number) => `VPC-FW-${i}`;

const comment = (text: string) => `-m comment --comment "${text}"`;

/** A node with its position (which names its VPC-side interface and chains). */
interface IndexedNode {
  node: RealizeNode;
  index: number;
  iface: string;
}

function indexed(input: RealizeInput): IndexedNode[] {
  return input.nodes.map((node, index) => ({ node, index, iface: ifaceNames.vpcToNode(index) }));
}

/** The load balancer addresses that count as `node`'s own (its forwarding rules target it). */
export function loadBalancerIPsOf(input: RealizeInput, node: string): string[] {
  return [...new Set((input.loadBalancers ?? []).filter((lb) => lb.nodes.includes(node)).map((lb) => lb.ip))];
}

function antiSpoofing(input: RealizeInput, n: IndexedNode): string[] {
  const own = [n.node.internalIP, ...loadBalancerIPsOf(input, n.node.name)];
  const out = nicOutChain(n.index);
  const into = nicInChain(n.index);
  return [
    `-A FORWARD -i ${n.iface} -j ${out}`,
    `-A FORWARD -o ${n.iface} -j ${into}`,
    ...own.map((ip) => `-A ${out} -s ${ip}/32 -j RETURN`),
    `-A ${out} ${comment(`FOREIGN_IP_DISALLOWED: ${n.node.name} sends from an address not its own`)} -j DROP`,
    ...own.map((ip) => `-A ${into} -d ${ip}/32 -j RETURN`),
    `-A ${into} ${comment(`FOREIGN_IP_DISALLOWED: ${n.node.name} only receives for its own addresses`)} -j DROP`,
  ];
}

/** Egress through the internet gateway: DSR replies of load balancers, then 1:1 NAT of the primary address only. */
function toInternet(input: RealizeInput, nodes: IndexedNode[]): string[] {
  const rules = PRIVATE_RANGES.map(
    (cidr) => `-A ${TO_INTERNET} -d ${cidr} ${comment('PRIVATE_TRAFFIC_TO_INTERNET')} -j DROP`,
  );
  for (const n of nodes) {
    for (const ip of loadBalancerIPsOf(input, n.node.name)) {
      rules.push(
        `-A ${TO_INTERNET} -i ${n.iface} -s ${ip}/32 ${comment(`${n.node.name}: load balancer reply, direct server return`)} -j ACCEPT`,
      );
    }
    rules.push(
      n.node.externalIP
        ? `-A ${TO_INTERNET} -i ${n.iface} -s ${n.node.internalIP}/32 ${comment(`${n.node.name}: 1:1 NAT to ${n.node.externalIP}`)} -j ACCEPT`
        : `-A ${TO_INTERNET} -i ${n.iface} ${comment(`NO_EXTERNAL_ADDRESS: ${n.node.name}`)} -j DROP`,
    );
  }
  rules.push(`-A ${TO_INTERNET} ${comment('EXTERNAL_NAT_SOURCE_NOT_VM_IP')} -j DROP`);
  return rules;
}

function portMatches(protocol: string, ports: readonly number[]): string[] {
  const p = protocol.toLowerCase();
  return ports.length === 0 ? [`-p ${p}`] : ports.map((port) => `-p ${p} -m ${p} --dport ${port}`);
}

/** Ingress from the internet to a load balancer address passes only the forwarding rules' protocols and ports. */
function fromInternet(lbs: readonly RealizeLoadBalancer[]): string[] {
  const rules: string[] = [];
  for (const ip of new Set(lbs.map((lb) => lb.ip))) {
    for (const lb of lbs.filter((l) => l.ip === ip)) {
      rules.push(...portMatches(lb.protocol, lb.ports).map((m) => `-A ${FROM_INTERNET} -d ${ip}/32 ${m} -j RETURN`));
    }
    rules.push(
      `-A ${FROM_INTERNET} -d ${ip}/32 ${comment(`FORWARDING_RULE_MISMATCH: no forwarding rule of ${ip} takes this protocol and port`)} -j DROP`,
    );
  }
  return rules;
}

const PORTED_PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** One firewall `allowed[]` entry as iptables matches (one per port range). */
function allowedMatches(entry: RealizeFirewall['allowed'][number]): string[] {
  const p = entry.protocol.toLowerCase();
  if (p === 'all') return [''];
  if (!PORTED_PROTOCOLS.has(p) || !entry.ports?.length) return [` -p ${p}`];
  return parsePortRanges(entry.ports).map(
    (r) => ` -p ${p} -m ${p} --dport ${r.first === r.last ? r.first : `${r.first}:${r.last}`}`,
  );
}

const targets = (fw: RealizeFirewall, node: string): boolean =>
  !fw.targetNodes?.length || fw.targetNodes.includes(node);

function ingressFirewall(firewalls: readonly RealizeFirewall[], n: IndexedNode): string[] {
  const chain = firewallChain(n.index);
  const rules = [`-A FORWARD -o ${n.iface} -j ${chain}`];
  for (const fw of firewalls.filter((f) => targets(f, n.node.name))) {
    for (const range of fw.sourceRanges) {
      const source = formatCIDR(parseCIDR(range));
      for (const entry of fw.allowed) {
        rules.push(...allowedMatches(entry).map((m) => `-A ${chain} -s ${source}${m} -j ACCEPT`));
      }
    }
  }
  rules.push(`-A ${chain} ${comment(`FIREWALL_RULE: implied deny ingress to ${n.node.name}`)} -j DROP`);
  return rules;
}

function natTable(nodes: IndexedNode[]): string[] {
  const mapped = nodes.filter((n) => n.node.externalIP);
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ...mapped.map(
      (n) =>
        `-A PREROUTING -i ${ifaceNames.vpcToInternet} -d ${n.node.externalIP}/32 ${comment(`${n.node.name}: 1:1 NAT`)} -j DNAT --to-destination ${n.node.internalIP}`,
    ),
    ...mapped.map(
      (n) =>
        `-A POSTROUTING -o ${ifaceNames.vpcToInternet} -s ${n.node.internalIP}/32 ${comment(`${n.node.name}: 1:1 NAT`)} -j SNAT --to-source ${n.node.externalIP}`,
    ),
    'COMMIT',
  ];
}

function filterTable(input: RealizeInput, nodes: IndexedNode[]): string[] {
  const spoofChecked = nodes.filter((n) => !n.node.canIpForward);
  const chains = [
    ...spoofChecked.flatMap((n) => [nicOutChain(n.index), nicInChain(n.index)]),
    TO_INTERNET,
    FROM_INTERNET,
    ...nodes.map((n) => firewallChain(n.index)),
  ];
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...chains.map((c) => `:${c} - [0:0]`),
    ...spoofChecked.flatMap((n) => antiSpoofing(input, n)),
    `-A FORWARD -o ${ifaceNames.vpcToInternet} -j ${TO_INTERNET}`,
    `-A FORWARD -i ${ifaceNames.vpcToInternet} -j ${FROM_INTERNET}`,
    `-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED ${comment('stateful firewall: replies of admitted flows')} -j ACCEPT`,
    ...toInternet(input, nodes),
    ...fromInternet(input.loadBalancers ?? []),
    ...nodes.flatMap((n) => ingressFirewall(input.firewalls, n)),
    'COMMIT',
  ];
}

/**
 * The VPC namespace's `iptables-restore` input (full, with built-in chain headers). Egress is
 * allowed (GCP's implied allow egress); ingress to a VM needs a Firewall rule unless it is a reply.
 */
export function vpcIptablesRestore(input: RealizeInput): string {
  const nodes = indexed(input);
  return [...natTable(nodes), ...filterTable(input, nodes)].join('\n') + '\n';
}
