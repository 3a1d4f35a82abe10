/**
 * A packet's pass through one VM's root network namespace (docs/network-model.md#nodes, #kube-proxy): conntrack, the
 * nat and filter hooks evaluated on the node's compiled rules, the routing decision (local, `cbr0`
 * or `eth0`), MASQUERADE choosing the output interface's address, and the un-NAT of replies.
 */
import { evaluateChain, type HookContext, type HookResult, type RuleRef } from '../dataplane/netfilter/evaluate.js';
import { findChain, type Table } from '../dataplane/netfilter/chain-index.js';
import type { Packet } from '../dataplane/netfilter/packet.js';
import { cidrContains, firstHost, parseCIDR, parseIPv4 } from '../net/ipv4.js';
import type { ConntrackEntry } from './conntrack.js';
import {
  addHop,
  deliver,
  describePacket,
  drop,
  podNetns,
  type DropReason,
  type Hop,
  type Ingress,
  type WalkContext,
  type WalkEnd,
} from './walk.js';
import type { NodeView } from './view.js';

type RouteChoice = { out: 'local' } | { out: 'cbr0'; rule: string } | { out: 'eth0'; rule: string };

const root = 'root';

/** Whether `ip` is one of the node's own addresses (what `-m addrtype --dst-type LOCAL` sees). */
export function isLocalAddress(ctx: WalkContext, node: NodeView, ip: string): boolean {
  if (ip === node.internalIP || ip === node.cbr0IP || ip.startsWith('127.')) return true;
  // GCE's guest agent adds the IPs of forwarding rules that target the VM as local routes.
  return ctx.view.loadBalancers().some((lb) => lb.ip === ip && lb.nodes.includes(node.name));
}

function routeFor(ctx: WalkContext, node: NodeView, dst: string): RouteChoice {
  if (isLocalAddress(ctx, node, dst)) return { out: 'local' };
  if (node.podCIDR && cidrContains(parseCIDR(node.podCIDR), parseIPv4(dst))) {
    return { out: 'cbr0', rule: `${node.podCIDR} dev cbr0 proto kernel scope link src ${node.cbr0IP}` };
  }
  return { out: 'eth0', rule: `default via ${firstHost(ctx.view.config.vpcCIDR)} dev eth0` };
}

/** Runs one table's hook chain if the node's rules have it. */
function runHook(
  ctx: WalkContext,
  node: NodeView,
  table: Table,
  chain: string,
  packet: Packet,
  hook: Omit<HookContext, 'isLocal' | 'recent' | 'nowSeconds' | 'decide'>,
): HookResult | undefined {
  const rules = ctx.view.rules(node.name);
  if (!findChain(rules, table, chain)) return undefined;
  const result = evaluateChain(rules, table, chain, packet, {
    ...hook,
    isLocal: (ip) => isLocalAddress(ctx, node, ip),
    recent: ctx.view.recent(node.name),
    nowSeconds: Math.floor(ctx.nowMs / 1000),
    decide: (point) =>
      ctx.chooser.choose(`${node.name}|${point.ref.table}|${point.ref.chain}|${point.ref.index}`, [
        point.probability,
        1 - point.probability,
      ]) === 0,
  });
  if (ctx.commit)
    for (const hit of result.recentSets)
      ctx.view.recordRecent(node.name, hit.name, hit.ip, Math.floor(ctx.nowMs / 1000));
  return result;
}

const via = (result: HookResult): string[] =>
  result.trail.filter((r) => r !== result.decisive).map((r: RuleRef) => r.text);

/** Why a filter verdict dropped the packet, from the deciding rule's comment (kube-proxy's wording). */
function filterDropReason(result: HookResult): { reason: DropReason; message: string } {
  const text = result.decisive?.text ?? '';
  if (text.includes('has no endpoints'))
    return {
      reason: 'NoEndpoints',
      message: 'the Service has no endpoints: kube-proxy REJECTs the packet and the client gets "connection refused"',
    };
  if (text.includes('has no local endpoints'))
    return {
      reason: 'NoLocalEndpoints',
      message: 'the Service has no endpoint on this node and its traffic policy is Local: kube-proxy DROPs the packet',
    };
  if (text.includes('--ctstate INVALID'))
    return {
      reason: 'InvalidConntrack',
      message:
        'conntrack marks the packet INVALID (it belongs to no connection this node knows): KUBE-FORWARD drops it',
    };
  if (result.verdict === 'REJECT')
    return { reason: 'ConnectionRefused', message: 'an iptables REJECT rule refuses the connection' };
  return { reason: 'FirewallDenied', message: 'an iptables DROP rule on the node discards the packet' };
}

/** The state the pass carries between hooks. */
interface Pass {
  node: NodeView;
  packet: Packet;
  /** The packet as it arrived, the conntrack entry's original tuple. */
  arrived: Packet;
  mark: number;
  established?: ConntrackEntry;
}

/**
 * The packet enters `node`'s root netns (from a pod's veth, from `eth0`, or from a local process)
 * and leaves it towards a pod, the VPC, or a local socket.
 */
export function nodePass(ctx: WalkContext, node: NodeView, packet: Packet, ingress: Ingress): WalkEnd {
  const match = ctx.view.conntrack(node.name).lookup(packet, ctx.nowMs);
  const pass: Pass = {
    node,
    packet: { ...packet },
    arrived: { ...packet },
    mark: 0,
    established: match?.direction === 'reply' ? match.entry : undefined,
  };
  const ctstate = pass.established ? 'ESTABLISHED' : 'NEW';
  const where = { node: node.name, netns: root };

  if (pass.established) unSnat(ctx, pass);
  else {
    const nat = runHook(ctx, node, 'nat', ingress.kind === 'local' ? 'OUTPUT' : 'PREROUTING', pass.packet, {
      ctstate,
      mark: pass.mark,
    });
    if (nat) applyDnat(ctx, pass, nat);
  }

  const route = routeFor(ctx, node, pass.packet.dst);
  const bridged =
    ingress.kind === 'veth' && ingress.podCIDRDst && route.out === 'cbr0' && pass.packet.dst === pass.arrived.dst;
  const filterChain = route.out === 'local' ? 'INPUT' : ingress.kind === 'local' ? 'OUTPUT' : 'FORWARD';
  const filter = runHook(ctx, node, 'filter', filterChain, pass.packet, { ctstate, mark: pass.mark });
  if (filter && filter.verdict !== 'ACCEPT') {
    const { reason, message } = filterDropReason(filter);
    return drop(
      ctx,
      {
        ...where,
        device: route.out === 'cbr0' ? 'cbr0' : 'eth0',
        packet: pass.packet,
        rule: filter.decisive?.text,
        via: via(filter),
      },
      reason,
      message,
    );
  }
  if (route.out === 'local') {
    // Replies to this node's own connections are un-DNATed on LOCAL_IN, just before the socket.
    if (pass.established) unDnat(ctx, pass);
    else track(ctx, pass);
    return deliver(
      ctx,
      { ...where, device: 'eth0', packet: pass.packet, description: `a process on ${node.name} receives it` },
      { kind: 'node', node },
      pass.packet,
    );
  }
  if (!bridged) addHop(ctx, { action: 'Route', ...where, device: route.out, packet: pass.packet, rule: route.rule });

  if (pass.established) unDnat(ctx, pass);
  else {
    const post = runHook(ctx, node, 'nat', 'POSTROUTING', pass.packet, { ctstate, mark: pass.mark });
    if (post?.masquerade)
      masquerade(ctx, pass, post, route.out === 'cbr0' ? (node.cbr0IP ?? node.internalIP) : node.internalIP, route.out);
    track(ctx, pass);
  }
  return route.out === 'cbr0' ? toLocalPod(ctx, node, pass.packet) : ctx.next.leaveVm(ctx, node, pass.packet);
}

function applyDnat(ctx: WalkContext, pass: Pass, nat: HookResult): void {
  pass.mark = nat.mark;
  if (nat.packet.dst === pass.packet.dst && nat.packet.dstPort === pass.packet.dstPort) return;
  pass.packet = { ...nat.packet };
  addHop(ctx, {
    action: 'DNAT',
    node: pass.node.name,
    netns: root,
    packet: pass.packet,
    rule: nat.decisive?.text,
    via: via(nat),
  });
}

function masquerade(ctx: WalkContext, pass: Pass, post: HookResult, address: string, device: string): void {
  pass.packet = { ...pass.packet, src: address };
  addHop(ctx, {
    action: 'SNAT',
    node: pass.node.name,
    netns: root,
    device,
    packet: pass.packet,
    rule: post.decisive?.text,
    via: via(post),
    description: `MASQUERADE to ${device}'s address ${address}`,
  });
}

/** A reply's destination goes back to the connection's original source (PREROUTING). */
function unSnat(ctx: WalkContext, pass: Pass): void {
  const entry = pass.established!;
  const { src, srcPort } = entry.original;
  if (pass.packet.dst === src && pass.packet.dstPort === srcPort) return;
  pass.packet = { ...pass.packet, dst: src, dstPort: srcPort };
  addHop(ctx, { action: 'UnSNAT', node: pass.node.name, netns: root, packet: pass.packet, rule: conntrackRule(entry) });
}

/** A reply's source goes back to the address the client asked for (POSTROUTING). */
function unDnat(ctx: WalkContext, pass: Pass): void {
  const entry = pass.established!;
  const { dst, dstPort } = entry.original;
  if (pass.packet.src === dst && pass.packet.srcPort === dstPort) return;
  pass.packet = { ...pass.packet, src: dst, srcPort: dstPort };
  addHop(ctx, { action: 'UnDNAT', node: pass.node.name, netns: root, packet: pass.packet, rule: conntrackRule(entry) });
}

function conntrackRule(entry: ConntrackEntry): string {
  return `conntrack #${entry.id}: ${describePacket(entry.original)} ⇄ ${describePacket(entry.reply)}`;
}

function track(ctx: WalkContext, pass: Pass): void {
  if (ctx.commit) ctx.view.conntrack(pass.node.name).insert(pass.arrived, pass.packet, ctx.nowMs);
}

/** Out through `cbr0` to the pod holding the destination address on this node. */
function toLocalPod(ctx: WalkContext, node: NodeView, packet: Packet): WalkEnd {
  const pod = ctx.view.podOnNode(node.name, packet.dst);
  const bridge: Omit<Hop, 'action'> = { node: node.name, netns: root, device: 'cbr0', packet };
  if (!pod)
    return drop(
      ctx,
      bridge,
      'NoRoute',
      `no pod on ${node.name} has the address ${packet.dst}: nothing answers ARP on cbr0`,
    );
  addHop(ctx, { action: 'Bridge', ...bridge });
  addHop(ctx, { action: 'Veth', node: node.name, netns: root, device: pod.veth, packet });
  return deliver(ctx, { node: node.name, netns: podNetns(pod), device: 'eth0', packet }, { kind: 'pod', pod }, packet);
}
