/**
 * Answers a PacketTrace (docs/network-model.md#packettrace): enumerates every path the flow could take to get the
 * backends' exact shares, then walks the flow's own path (choices made from its 5-tuple, leaving
 * conntrack entries behind) and the reply back through conntrack's reversals.
 */
import type { Packet } from '../dataplane/netfilter/packet.js';
import type { PacketTraceSpec, PacketTraceStatus } from '../registry/kinds/packettrace/schema.js';
import { enumerateBranches, flowChooser, sampleBranches, TooManyBranches, type Chooser } from './choices.js';
import { reversed, tupleKey } from './conntrack.js';
import { nodePass } from './node-pass.js';
import { resolveTrace, type DnsResolution, type ResolvedTrace, type Sender } from './resolve.js';
import {
  addHop,
  deliver,
  describePacket,
  podNetns,
  type DropReason,
  type Endpoint,
  type Hop,
  type HopHandlers,
  type HttpRequest,
  type WalkContext,
  type WalkEnd,
} from './walk.js';
import { arriveAtVm, fromGoogleNetwork, leaveVm, onInternet } from './vpc.js';
import { proxyReply, throughProxy } from './proxy.js';
import { cidrContains, parseCIDR, parseIPv4 } from '../net/ipv4.js';
import type { ClusterView } from './view.js';

/** How the walk's parts hand a packet on to one another (see walk.ts): the one place they are wired together. */
const hopHandlers: HopHandlers = { nodePass, leaveVm, arriveAtVm, onInternet, throughProxy };

/** Sends `packet` from `sender` and follows it to its end. */
function walkFrom(ctx: WalkContext, sender: Sender | Endpoint, packet: Packet): WalkEnd {
  if (sender.kind === 'pod') {
    const { pod } = sender;
    addHop(ctx, { action: 'Emit', node: pod.node, netns: podNetns(pod), device: 'eth0', packet });
    if (packet.dst === pod.ip)
      return deliver(ctx, { node: pod.node, netns: podNetns(pod), device: 'lo', packet }, { kind: 'pod', pod }, packet);
    const node = ctx.view.node(pod.node)!;
    addHop(ctx, { action: 'Veth', node: pod.node, netns: 'root', device: pod.veth, packet });
    const podCIDRDst = !!node.podCIDR && cidrContains(parseCIDR(node.podCIDR), parseIPv4(packet.dst));
    return nodePass(ctx, node, packet, { kind: 'veth', podCIDRDst });
  }
  if (sender.kind === 'node') {
    addHop(ctx, { action: 'Emit', node: sender.node.name, netns: 'root', packet });
    return nodePass(ctx, sender.node, packet, { kind: 'local' });
  }
  if (sender.kind === 'google') {
    addHop(ctx, {
      action: 'Emit',
      device: sender.what === 'control plane' ? 'control-plane' : 'google-front-end',
      packet,
    });
    return fromGoogleNetwork(ctx, packet);
  }
  addHop(ctx, { action: 'Emit', device: 'internet', packet });
  return onInternet(ctx, packet);
}

function context(
  view: ClusterView,
  chooser: Chooser,
  direction: WalkContext['direction'],
  commit: boolean,
  nowMs: number,
  http?: HttpRequest,
): WalkContext {
  return { next: hopHandlers, view, chooser, direction, commit, nowMs, hops: [], http };
}

function endpointRef(at: Endpoint, packet: Packet): { pod?: string; node?: string; ip: string; port: number } {
  if (at.kind === 'pod')
    return { pod: `${at.pod.namespace}/${at.pod.name}`, node: at.pod.node, ip: packet.dst, port: packet.dstPort };
  if (at.kind === 'node') return { node: at.node.name, ip: packet.dst, port: packet.dstPort };
  return { ip: packet.dst, port: packet.dstPort };
}

const round = (p: number): number => Math.round(p * 1e9) / 1e9;

/** Flows sampled when a flow has too many paths to enumerate. */
const SAMPLED_FLOWS = 20_000;

/**
 * Every endpoint the flow can reach and the share of new flows each gets, without touching any
 * state: exact from enumerating every path, or estimated from sampled flows when there are too many.
 */
function backends(
  view: ClusterView,
  resolved: ResolvedTrace,
  nowMs: number,
): { shares: NonNullable<PacketTraceStatus['backends']>; estimated: boolean } {
  const walk = (chooser: Chooser) =>
    walkFrom(context(view, chooser, 'forward', false, nowMs, resolved.http), resolved.sender, resolved.packet);
  let branches;
  let estimated = false;
  try {
    branches = enumerateBranches(walk);
  } catch (err) {
    if (!(err instanceof TooManyBranches)) throw err;
    branches = sampleBranches(walk, SAMPLED_FLOWS, tupleKey(resolved.packet));
    estimated = true;
  }
  const byKey = new Map<string, NonNullable<PacketTraceStatus['backends']>[number]>();
  for (const { result, probability } of branches) {
    if (!result.delivered) continue;
    const ref = endpointRef(result.at, result.packet);
    const key = `${ref.pod ?? ref.node ?? ''}|${ref.ip}:${ref.port}`;
    const seen = byKey.get(key);
    if (seen) seen.probability += probability;
    else byKey.set(key, { ...ref, probability });
  }
  const shares = [...byKey.values()]
    .map((b) => ({ ...b, probability: round(b.probability) }))
    .sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.port ?? 0) - (b.port ?? 0)));
  return { shares, estimated };
}

function endpointName(at: Endpoint): string {
  if (at.kind === 'pod') return `pod ${at.pod.namespace}/${at.pod.name}`;
  if (at.kind === 'node') return at.node.name;
  return at.kind === 'google' ? `the ${at.what} at ${at.ip}` : at.ip;
}

const sameEndpoint = (a: Endpoint, b: Sender): boolean =>
  (a.kind === 'pod' && b.kind === 'pod' && a.pod.namespace === b.pod.namespace && a.pod.name === b.pod.name) ||
  (a.kind === 'node' && b.kind === 'node' && a.node.name === b.node.name) ||
  (a.kind === 'internet' && b.kind === 'internet' && a.ip === b.ip);

/** Whether the reply reached the sender's socket as the answer it expects; why not otherwise. */
function replyProblem(sent: Packet, sender: Sender, reply: WalkEnd): string | undefined {
  if (!reply.delivered) return undefined;
  const expected = reversed(sent);
  if (!sameEndpoint(reply.at, sender)) return `the reply went to ${endpointName(reply.at)}, not back to the sender`;
  if (tupleKey(reply.packet) !== tupleKey(expected)) {
    return `the reply arrives as ${describePacket(reply.packet)}, but the sender's socket expects ${describePacket(expected)}: it is not part of the connection and gets reset`;
  }
  return undefined;
}

function dnsStatus(view: ClusterView, dns: DnsResolution | undefined): PacketTraceStatus['dns'] {
  if (!dns) return undefined;
  const kubeDns = view.service('kube-system', 'kube-dns')?.spec.clusterIP;
  return { ...(kubeDns ? { server: `${kubeDns}:53` } : {}), queries: dns.queries.map((q) => ({ ...q })) };
}

/** Port the resolver's query leaves from (any fixed ephemeral port: only reachability matters). */
const RESOLVER_PORT = 53000;

/** Whether a pod's query to kube-dns's VIP reaches a CoreDNS pod; the drop when it does not. */
function dnsQueryProblem(
  view: ClusterView,
  sender: Sender,
  nowMs: number,
): { reason: DropReason; message: string } | undefined {
  const server = view.service('kube-system', 'kube-dns')?.spec.clusterIP;
  if (sender.kind !== 'pod' || !server) return undefined;
  const query: Packet = { protocol: 'UDP', src: sender.pod.ip, srcPort: RESOLVER_PORT, dst: server, dstPort: 53 };
  const end = walkFrom(context(view, flowChooser(tupleKey(query)), 'forward', false, nowMs), sender, query);
  return end.delivered ? undefined : { reason: end.reason, message: end.message };
}

function stripPacket(hops: Hop[]): PacketTraceStatus['hops'] {
  return hops.map((h) => ({ ...h, packet: { ...h.packet } }));
}

const FIELD_ORDER = [
  'outcome',
  'dropReason',
  'message',
  'deliveredTo',
  'observedSource',
  'hops',
  'reply',
  'backends',
  'dns',
] as const;

/** The status with its fields in the order docs/network-model.md#what-a-trace-reports lists, absent ones left out. */
function ordered(status: PacketTraceStatus): PacketTraceStatus {
  const out: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) if (status[key] !== undefined) out[key] = status[key];
  return out as PacketTraceStatus;
}

/** Answers one trace. Throws a 422 StatusError when the spec names things that do not exist. */
export function runTrace(view: ClusterView, spec: PacketTraceSpec): PacketTraceStatus {
  return ordered(answer(view, spec));
}

function answer(view: ClusterView, spec: PacketTraceSpec): PacketTraceStatus {
  const resolved = resolveTrace(view, spec);
  const nowMs = view.now();
  const dns = dnsStatus(view, resolved.dns);
  if (resolved.dns) {
    const query = dnsQueryProblem(view, resolved.sender, nowMs);
    if (query)
      return {
        outcome: 'Dropped',
        dropReason: query.reason,
        message: `the DNS query for ${spec.to.host} is dropped: ${query.message}`,
        hops: [],
        dns,
      };
    if (!resolved.dns.address)
      return {
        outcome: 'Dropped',
        dropReason: 'NXDOMAIN',
        message: `${spec.to.host} does not resolve: ${resolved.dns.failure}`,
        hops: [],
        dns,
      };
  }
  const { shares, estimated } = backends(view, resolved, nowMs);
  const note = estimated
    ? ` (the flow has too many paths to enumerate: backend shares are estimated from ${SAMPLED_FLOWS.toLocaleString('en')} sampled flows)`
    : '';
  const flow = tupleKey(resolved.packet);
  const forward = context(view, flowChooser(flow), 'forward', true, nowMs, resolved.http);
  const end = walkFrom(forward, resolved.sender, resolved.packet);
  const status: PacketTraceStatus = { hops: stripPacket(forward.hops), backends: shares, ...(dns ? { dns } : {}) };
  if (!end.delivered)
    return { outcome: 'Dropped', dropReason: end.reason, message: `${end.message}${note}`, ...status };

  const deliveredTo = endpointRef(end.at, end.packet);
  const observedSource = { ip: end.packet.src, port: end.packet.srcPort };
  const replyCtx = context(view, flowChooser(`reply|${flow}`), 'reply', true, nowMs);
  const backendReply = walkFrom(replyCtx, end.at, reversed(end.packet));
  const replyEnd = (forward.proxied && proxyReply(replyCtx, forward.proxied, backendReply)) || backendReply;
  const reply = {
    hops: stripPacket(replyCtx.hops),
    ...(replyEnd.delivered ? { observedSource: { ip: replyEnd.packet.src, port: replyEnd.packet.srcPort } } : {}),
  };
  const arrived = `${describePacket(resolved.packet)} reached ${where(end.at, deliveredTo)} as ${describePacket(end.packet)}`;
  const asymmetry = bypassedNatNote(forward.hops, replyCtx.hops);
  if (!replyEnd.delivered) {
    return {
      outcome: 'Dropped',
      dropReason: replyEnd.reason,
      message: `${arrived}, but the reply was dropped: ${replyEnd.message}${asymmetry}${note}`,
      deliveredTo,
      observedSource,
      ...status,
      reply: { outcome: 'Dropped', dropReason: replyEnd.reason, ...reply },
    };
  }
  const problem = replyProblem(resolved.packet, resolved.sender, replyEnd);
  if (problem) {
    return {
      outcome: 'Dropped',
      dropReason: 'InvalidConntrack',
      message: `${arrived}, but ${problem}${asymmetry}${note}`,
      deliveredTo,
      observedSource,
      ...status,
      reply: { outcome: 'Dropped', dropReason: 'InvalidConntrack', ...reply },
    };
  }
  return {
    outcome: 'Delivered',
    message: `${arrived}; the reply comes back from ${reply.observedSource!.ip}:${reply.observedSource!.port}${note}`,
    deliveredTo,
    observedSource,
    ...status,
    reply: { outcome: 'Delivered', ...reply },
  };
}

/** When a node NATed the forward packet but the reply never passed it, its conntrack entry cannot undo the NAT. */
function bypassedNatNote(forward: readonly Hop[], reply: readonly Hop[]): string {
  const natNodes = new Set(
    forward.filter((h) => (h.action === 'DNAT' || h.action === 'SNAT') && h.node).map((h) => h.node!),
  );
  const replyNodes = new Set(reply.map((h) => h.node).filter(Boolean));
  const bypassed = [...natNodes].filter((n) => !replyNodes.has(n));
  return bypassed.length
    ? ` (asymmetric return: the reply bypasses ${bypassed.join(', ')}, which holds the connection's NAT entry)`
    : '';
}

function where(at: Endpoint, ref: { pod?: string; node?: string; ip: string; port: number }): string {
  if (ref.pod) return `pod ${ref.pod} on ${ref.node}`;
  if (ref.node) return `node ${ref.node}`;
  return at.kind === 'google' ? `the ${at.what} at ${ref.ip}:${ref.port}` : `${ref.ip}:${ref.port} on the internet`;
}
