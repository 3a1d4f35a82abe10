/**
 * The VPC between the VMs (docs/network-model.md#the-vpc): anti-spoofing at each VM's NIC, route
 * selection (subnet route, the route controller's per-node routes, the default route to the
 * internet gateway), the stateful ingress firewall, GCP's 1:1 NAT for VMs' external addresses, and
 * network load balancers that pass packets unchanged to a healthy VM.
 */
import type { Packet } from '../dataplane/netfilter/packet.js';
import { admittingFirewall } from '../dataplane/vpc/firewall.js';
import { cidrContains, firstHost, parseCIDR, parseIPv4, tryParseIPv4 } from '../net/ipv4.js';
import { isLocalAddress } from './node-pass.js';
import { addHop, deliver, drop, type WalkContext, type WalkEnd } from './walk.js';
import type { LoadBalancerView, NodeView } from './view.js';

/** Ranges the internet gateway never carries (GCP's PRIVATE_TRAFFIC_TO_INTERNET). */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map(parseCIDR);

/** Where Google Front Ends connect from (and health checks come from). */
export const GOOGLE_FRONT_END_RANGES = ['130.211.0.0/22', '35.191.0.0/16'].map(parseCIDR);

/** Whether `ip` is a Google Front End's: inside Google's network, never behind the 1:1 NAT. */
function isFrontEnd(ip: string): boolean {
  const addr = tryParseIPv4(ip);
  return addr !== undefined && GOOGLE_FRONT_END_RANGES.some((r) => cidrContains(r, addr));
}

const inRange = (cidr: string, ip: string): boolean => {
  const addr = tryParseIPv4(ip);
  return addr !== undefined && cidrContains(parseCIDR(cidr), addr);
};

const prefixLength = (cidr: string): number => Number(cidr.split('/')[1]);

type NextHop =
  | { kind: 'vm'; node: NodeView; rule: string }
  | { kind: 'google'; what: string; rule: string }
  | { kind: 'internet'; rule: string }
  | { kind: 'none'; message: string };

/** GCP's route selection: subnet routes first, then the longest prefix, then the lowest priority. */
function selectRoute(ctx: WalkContext, dst: string): NextHop {
  const { vpcCIDR } = ctx.view.config;
  if (inRange(vpcCIDR, dst)) {
    // The control plane answers on the subnet's gateway address (see the bootstrap controller), as GKE's lives in Google's network.
    if (dst === firstHost(vpcCIDR))
      return {
        kind: 'google',
        what: 'control plane',
        rule: `subnet route ${vpcCIDR} → the cluster's control plane (${dst}, in Google's network)`,
      };
    const node = ctx.view.nodeByInternalIP(dst);
    return node
      ? { kind: 'vm', node, rule: `subnet route ${vpcCIDR} → ${node.name} (${dst})` }
      : { kind: 'none', message: `no VM in the subnet ${vpcCIDR} has the address ${dst}` };
  }
  const candidates = ctx.view
    .routes()
    .filter((r) => inRange(r.spec.destRange, dst))
    .sort(
      (a, b) =>
        prefixLength(b.spec.destRange) - prefixLength(a.spec.destRange) ||
        a.spec.priority - b.spec.priority ||
        (a.metadata.name! < b.metadata.name! ? -1 : 1),
    );
  const best = candidates[0];
  if (!best) return { kind: 'internet', rule: 'default route 0.0.0.0/0 → default-internet-gateway' };
  const rule = `route ${best.metadata.name}: ${best.spec.destRange} → ${best.spec.nextHopInstance} (priority ${best.spec.priority})`;
  const node = ctx.view.node(best.spec.nextHopInstance);
  return node ? { kind: 'vm', node, rule } : { kind: 'none', message: `${rule} names a VM that does not exist` };
}

/** The packet leaves `node` through `eth0` into the VPC. */
export function leaveVm(ctx: WalkContext, node: NodeView, packet: Packet): WalkEnd {
  const nic = { node: node.name, netns: 'root', device: 'eth0', packet };
  if (!node.canIpForward && packet.src !== node.internalIP && !isLocalAddress(ctx, node, packet.src)) {
    return drop(
      ctx,
      nic,
      'AntiSpoofing',
      `${node.name} has canIpForward=false, so GCP drops packets it sends from ${packet.src}, an address that is not its own`,
    );
  }
  const next = selectRoute(ctx, packet.dst);
  if (next.kind === 'none') return drop(ctx, { packet }, 'NoRoute', next.message);
  addHop(ctx, { action: 'Route', packet, rule: next.rule });
  if (next.kind === 'vm') return arriveAtVm(ctx, next.node, packet);
  if (next.kind === 'google')
    return deliver(
      ctx,
      { device: 'control-plane', packet },
      { kind: 'google', ip: packet.dst, what: next.what },
      packet,
    );
  if (isFrontEnd(packet.dst)) {
    // Google Front Ends sit inside Google's network: their traffic never crosses the 1:1 NAT.
    return deliver(
      ctx,
      { device: 'google-front-end', packet },
      { kind: 'google', ip: packet.dst, what: 'Google Front End' },
      packet,
    );
  }
  if (PRIVATE_RANGES.some((r) => cidrContains(r, parseIPv4(packet.dst)))) {
    return drop(
      ctx,
      { packet },
      'NoRoute',
      `no VPC route covers ${packet.dst}; the default route leads to the internet gateway, which does not carry private addresses`,
    );
  }
  return toInternet(ctx, node, packet);
}

/** Egress through the internet gateway: 1:1 NAT of the VM's primary address, or a load balancer's direct reply. */
function toInternet(ctx: WalkContext, node: NodeView, packet: Packet): WalkEnd {
  const lb = ctx.view.loadBalancers().find((l) => l.ip === packet.src && l.nodes.includes(node.name));
  let out = packet;
  if (lb) {
    addHop(ctx, {
      action: 'Route',
      packet,
      rule: `forwarding rule ${lb.name}`,
      description: `direct server return: ${node.name} answers from the load balancer's address ${lb.ip}`,
    });
  } else {
    if (!node.externalIP)
      return drop(
        ctx,
        { packet },
        'NoExternalAddress',
        `${node.name} has no external IP, so its packets cannot reach the internet`,
      );
    if (packet.src !== node.internalIP) {
      return drop(
        ctx,
        { packet },
        'NATUnmappedSource',
        `GCP's 1:1 NAT only translates ${node.name}'s primary address ${node.internalIP}, not ${packet.src}: the packet is dropped`,
      );
    }
    out = { ...packet, src: node.externalIP };
    addHop(ctx, {
      action: 'NAT1to1',
      packet: out,
      rule: `1:1 NAT ${node.name}: ${node.internalIP} → ${node.externalIP}`,
    });
  }
  return onInternet(ctx, out);
}

/** A packet from inside Google's network (the control plane's replies): straight to the VM the VPC routes it to. */
export function fromGoogleNetwork(ctx: WalkContext, packet: Packet): WalkEnd {
  const next = selectRoute(ctx, packet.dst);
  if (next.kind !== 'vm') return drop(ctx, { packet }, 'NoRoute', `no VPC route leads ${packet.dst} to a VM`);
  addHop(ctx, { action: 'Route', packet, rule: next.rule });
  return arriveAtVm(ctx, next.node, packet);
}

/** A packet on the internet: it comes back into the VPC if it is for one of its external addresses. */
export function onInternet(ctx: WalkContext, packet: Packet): WalkEnd {
  const proxy = ctx.view.httpLoadBalancers().find((l) => l.ip === packet.dst && portIn(l, packet.dstPort));
  if (proxy && packet.protocol === 'TCP') return ctx.next.throughProxy(ctx, proxy, packet);
  const lbs = ctx.view.loadBalancers().filter((l) => l.ip === packet.dst);
  if (lbs.length > 0) return throughLoadBalancer(ctx, lbs, packet);
  const node = ctx.view.nodeByExternalIP(packet.dst);
  if (node) {
    const translated = { ...packet, dst: node.internalIP };
    addHop(ctx, {
      action: 'NAT1to1',
      packet: translated,
      rule: `1:1 NAT ${node.name}: ${node.externalIP} → ${node.internalIP}`,
    });
    return arriveAtVm(ctx, node, translated);
  }
  if (PRIVATE_RANGES.some((r) => cidrContains(r, parseIPv4(packet.dst)))) {
    return drop(
      ctx,
      { device: 'internet', packet },
      'NoRoute',
      `${packet.dst} is a private address: the internet does not route it, and the VPC only receives packets for its public addresses`,
    );
  }
  return deliver(ctx, { device: 'internet', packet }, { kind: 'internet', ip: packet.dst }, packet);
}

const portIn = (lb: Pick<LoadBalancerView, 'ports'>, port: number): boolean =>
  lb.ports.length === 0 || lb.ports.some((r) => port >= r.first && port <= r.last);

/** The VMs a load balancer may pick: the healthy ones; all of them when none is and it fails open. */
export function backendPool(ctx: WalkContext, lb: { nodes: string[]; healthy: string[] }): string[] {
  const healthy = lb.nodes.filter((n) => lb.healthy.includes(n));
  return healthy.length > 0 || !ctx.view.config.loadBalancerFailOpen ? healthy : lb.nodes;
}

/** Why a load balancer has nowhere to send a packet. */
export function noHealthyBackend(ctx: WalkContext, name: string, vms: number): string {
  if (vms === 0) return `${name} has no backend VM`;
  return `${name}: none of its ${vms} VMs passes the health check, and load balancers do not fail open here (loadBalancerFailOpen: false)`;
}

/** A network load balancer: passthrough to a healthy VM picked by a hash of the 5-tuple (fail-open when none is healthy). */
function throughLoadBalancer(ctx: WalkContext, lbs: readonly LoadBalancerView[], packet: Packet): WalkEnd {
  const lb = lbs.find((l) => l.protocol.toUpperCase() === packet.protocol && portIn(l, packet.dstPort));
  if (!lb)
    return drop(
      ctx,
      { packet },
      'NoRoute',
      `no forwarding rule of ${packet.dst} forwards ${packet.protocol.toLowerCase()}:${packet.dstPort}`,
    );
  const pool = backendPool(ctx, lb);
  if (pool.length === 0)
    return drop(ctx, { packet }, 'NoHealthyBackends', noHealthyBackend(ctx, lb.name, lb.nodes.length));
  const pick = ctx.chooser.choose(
    `lb|${lb.ip}|${lb.protocol}`,
    pool.map(() => 1 / pool.length),
  );
  const node = ctx.view.node(pool[pick]);
  const failOpen = lb.nodes.every((n) => !lb.healthy.includes(n))
    ? ' (no VM passes the health check, so the load balancer fails open to all of them)'
    : '';
  addHop(ctx, {
    action: 'LoadBalance',
    packet,
    rule: `forwarding rule ${lb.name}: ${lb.ip} ${lb.protocol.toLowerCase()} → ${pool.join(', ')}`,
    description: `picked ${pool[pick]}, one of ${pool.length} VM${pool.length === 1 ? '' : 's'}${failOpen}`,
  });
  if (!node)
    return drop(
      ctx,
      { packet },
      'NoHealthyBackends',
      `forwarding rule ${lb.name} targets ${pool[pick]}, which does not exist`,
    );
  return arriveAtVm(ctx, node, packet);
}

/** The VPC hands the packet to `node`: ingress firewall (stateful) and anti-spoofing, then the VM's own stack. */
export function arriveAtVm(ctx: WalkContext, node: NodeView, packet: Packet): WalkEnd {
  if (ctx.direction === 'forward') {
    const fw = admittingFirewall(
      ctx.view.firewalls(),
      { protocol: packet.protocol, src: packet.src, dstPort: packet.dstPort },
      node.name,
    );
    if (!fw) {
      return drop(
        ctx,
        { packet },
        'FirewallDenied',
        `no VPC firewall rule allows ${packet.protocol.toLowerCase()}:${packet.dstPort} from ${packet.src} into ${node.name}; the implied rule denies all ingress`,
      );
    }
    addHop(ctx, {
      action: 'Firewall',
      packet,
      rule: `allow ${fw.metadata.name}`,
      description: `VPC firewall admits the packet into ${node.name}`,
    });
  }
  if (!node.canIpForward && packet.dst !== node.internalIP && !isLocalAddress(ctx, node, packet.dst)) {
    return drop(
      ctx,
      { node: node.name, netns: 'root', device: 'eth0', packet },
      'AntiSpoofing',
      `${node.name} has canIpForward=false, so GCP does not deliver packets for ${packet.dst}, an address that is not its own`,
    );
  }
  return ctx.next.nodePass(ctx, node, packet, { kind: 'eth0' });
}
