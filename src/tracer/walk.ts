/**
 * One packet's walk through the simulated network: the hops it takes, where it ends (delivered or
 * dropped) and, on the real run, the conntrack entries and `recent` hits it leaves behind. The
 * walk's parts: `node-pass.ts` (a VM's netfilter hooks and routing), `vpc.ts` (routes, firewall,
 * 1:1 NAT, load balancers) and `proxy.ts` (the HTTP load balancer). `trace.ts` starts each walk.
 *
 * The parts hand a packet on to one another only through the context's {@link HopHandlers}, which
 * `trace.ts` supplies: the packet's path loops (VM → VPC → VM, proxy → VM) but the imports stay
 * one-way, each module importing only modules to its right in `trace.ts` → `proxy.ts` → `vpc.ts` →
 * `node-pass.ts` → this module.
 */
import type { Packet } from '../dataplane/netfilter/packet.js';
import type { Chooser } from './choices.js';
import type { ClusterView, HttpLoadBalancerView, NodeView, PodView } from './view.js';

/** The hop actions a trace reports (docs/network-model.md#what-a-trace-reports). */
type HopAction =
  | 'Emit'
  | 'Veth'
  | 'Bridge'
  | 'Route'
  | 'DNAT'
  | 'SNAT'
  | 'UnDNAT'
  | 'UnSNAT'
  | 'NAT1to1'
  | 'LoadBalance'
  | 'Firewall'
  | 'Proxy'
  | 'Deliver'
  | 'Drop';

/** The drop reasons a trace reports (docs/network-model.md#drop-reasons). */
export type DropReason =
  | 'NoEndpoints'
  | 'NoLocalEndpoints'
  | 'FirewallDenied'
  | 'AntiSpoofing'
  | 'NATUnmappedSource'
  | 'NoExternalAddress'
  | 'NoRoute'
  | 'NoHealthyBackends'
  | 'NoIngressRule'
  | 'NXDOMAIN'
  | 'ConnectionRefused'
  | 'InvalidConntrack';

/** One hop: where the packet is, what happened to it there, and the rule that did it. */
export interface Hop {
  action: HopAction;
  node?: string;
  netns?: string;
  device?: string;
  /** The packet as it leaves this hop, after its action. */
  packet: Packet;
  rule?: string;
  /** The rules that led to `rule` (jumps, marks), in evaluation order. */
  via?: string[];
  description?: string;
}

/** Where a packet ended up. */
export type Endpoint =
  | { kind: 'pod'; pod: PodView }
  | { kind: 'node'; node: NodeView }
  | { kind: 'internet'; ip: string }
  /** Inside Google's network, outside every VM: the cluster's control plane, a load balancer's front end. */
  | { kind: 'google'; ip: string; what: string };

/** How a walk ended. */
export type WalkEnd =
  { delivered: true; at: Endpoint; packet: Packet } | { delivered: false; reason: DropReason; message: string };

/** The request line a trace carries through a proxy. */
export interface HttpRequest {
  host: string;
  path: string;
}

/** What a proxy on the forward path leaves for the reply: the client's connection and the proxy's own. */
export interface ProxiedConnection {
  client: Packet;
  backend: Packet;
}

/** Where the packet came into a VM's root netns from. */
export type Ingress = { kind: 'veth'; podCIDRDst: boolean } | { kind: 'eth0' } | { kind: 'local' };

/**
 * The places a part of the walk hands the packet on to when it leaves that part. Each handler takes
 * the packet from there to the end of its walk and records the hops on the way.
 */
export interface HopHandlers {
  /** Into `node`'s root netns: conntrack, netfilter hooks, routing (node-pass.ts). */
  nodePass(ctx: WalkContext, node: NodeView, packet: Packet, ingress: Ingress): WalkEnd;
  /** Out of `node` through `eth0` into the VPC (vpc.ts). */
  leaveVm(ctx: WalkContext, node: NodeView, packet: Packet): WalkEnd;
  /** From the VPC into `node`: the ingress firewall and anti-spoofing, then its netns (vpc.ts). */
  arriveAtVm(ctx: WalkContext, node: NodeView, packet: Packet): WalkEnd;
  /** Out on the internet, possibly back into the VPC through an external address (vpc.ts). */
  onInternet(ctx: WalkContext, packet: Packet): WalkEnd;
  /** Into the HTTP load balancer `lb`, which opens a new connection to a backend VM (proxy.ts). */
  throughProxy(ctx: WalkContext, lb: HttpLoadBalancerView, packet: Packet): WalkEnd;
}

/** The walk's inputs and its accumulating hops. */
export interface WalkContext {
  /** Where each part hands the packet on (see HopHandlers). */
  next: HopHandlers;
  view: ClusterView;
  chooser: Chooser;
  /** Replies may pass the stateful VPC firewall as part of an admitted connection. */
  direction: 'forward' | 'reply';
  /** The real run writes conntrack entries and `recent` hits; enumeration runs do not. */
  commit: boolean;
  nowMs: number;
  hops: Hop[];
  /** The HTTP request, for traces to a URL (a proxy routes by it). */
  http?: HttpRequest;
  /** Set by a proxy on the forward path: the reply must come back through it. */
  proxied?: ProxiedConnection;
}

export function podNetns(pod: PodView): string {
  return `pod:${pod.namespace}/${pod.name}`;
}

export function addHop(ctx: WalkContext, hop: Hop): void {
  ctx.hops.push({ ...hop, packet: { ...hop.packet } });
}

/** Ends the walk with a Drop hop. */
export function drop(ctx: WalkContext, where: Omit<Hop, 'action'>, reason: DropReason, message: string): WalkEnd {
  addHop(ctx, { action: 'Drop', ...where, description: message });
  return { delivered: false, reason, message };
}

/** Ends the walk with a Deliver hop. */
export function deliver(ctx: WalkContext, where: Omit<Hop, 'action'>, at: Endpoint, packet: Packet): WalkEnd {
  addHop(ctx, { action: 'Deliver', ...where, packet });
  return { delivered: true, at, packet };
}

export const describePacket = (p: Packet): string => `${p.protocol} ${p.src}:${p.srcPort} → ${p.dst}:${p.dstPort}`;
