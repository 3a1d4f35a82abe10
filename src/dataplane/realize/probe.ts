/**
 * Sending one real connection through a realized network, reported in the terms of a PacketTrace
 * (docs/network-model.md#what-a-trace-reports) so the two can be compared: `outcome`, `deliveredTo`, `observedSource`
 * (what the receiving end saw) and `replySource` (= `status.reply.observedSource`, what the
 * client saw).
 */
import type { Endpoint } from './agent-protocol.js';
import { agentKeys } from './names.js';
import type { Realized } from './netns.js';

/** Where a probe starts: a pod (`<namespace>/<name>`), a node's root namespace, or an internet host's address. */
export type ProbeSource = { pod: string } | { node: string } | { internet: string };

/** What happened to one probe. */
export interface ProbeResult {
  outcome: 'Delivered' | 'Dropped';
  /** Why it was dropped: `timeout` (silently dropped), `ECONNREFUSED` (a REJECT or RST), `ENETUNREACH`, … */
  error?: string;
  /**
   * Who answered, as a PacketTrace's `deliveredTo`: a pod (`<namespace>/<name>`, on `node`) or,
   * without `pod`, an internet host. `port` is the port it was reached on, or 0 when not one of
   * the realized responder ports (RealizeOptions.ports).
   */
  deliveredTo?: { pod?: string; node?: string; ip: string; port: number };
  /** The source address the responder saw. */
  observedSource?: Endpoint;
  /** The source of the reply, as the client saw it. */
  replySource?: Endpoint;
}

const DEFAULT_TIMEOUT_MS = 1000;

function agentKeyOf(from: ProbeSource): string {
  if ('pod' in from) {
    const [namespace, name] = from.pod.split('/');
    return agentKeys.pod(namespace, name);
  }
  return 'node' in from ? agentKeys.node(from.node) : agentKeys.internet;
}

/**
 * Sends one TCP connection or UDP datagram from `from` to `to`, bound to `sourcePort` (and, for
 * an internet host, to its address), and reports what came back. A refusal or no answer within
 * `timeoutMs` is `Dropped` with the error. Reusing a 5-tuple within conntrack's timeouts (UDP:
 * 30-120 s) reuses the earlier NAT decisions, as in a real kernel.
 */
export async function probe(
  r: Realized,
  from: ProbeSource,
  to: Endpoint,
  protocol: 'TCP' | 'UDP',
  sourcePort: number,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ProbeResult> {
  const key = agentKeyOf(from);
  const agent = r.agent(key);
  if (!agent) throw new Error(`no agent ${key} in the realized network`);
  if ('internet' in from && !agent.spec.config.addresses.includes(from.internet))
    throw new Error(`${from.internet} is not an internet host of the realized network`);
  const sourceIP = 'internet' in from ? from.internet : undefined;
  const reply = await agent.probe({ protocol, to, sourcePort, sourceIP, timeoutMs });
  if (!reply.answer) return { outcome: 'Dropped', error: reply.error ?? 'no answer' };
  const { pod, node, ip, port, peer } = reply.answer;
  return {
    outcome: 'Delivered',
    deliveredTo: pod === undefined ? { ip, port } : { pod, node, ip, port },
    observedSource: peer,
    replySource: reply.replySource,
  };
}
