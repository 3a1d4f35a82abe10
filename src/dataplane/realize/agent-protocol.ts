/**
 * What passes between `realize` and the agents it runs in namespaces (responder.ts): the agent's
 * configuration, the probes it is asked to send (one JSON object per stdin line) and the answers
 * (one per stdout line). Types only, so the agent program stays free of project imports.
 */

/** An IPv4 address and port. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** How an agent is set up (its only command-line argument, as JSON). */
export interface AgentConfig {
  /** `<namespace>/<name>` of the pod the agent stands for; absent for nodes and internet hosts. */
  pod?: string;
  /** The pod's node. */
  node?: string;
  /** Addresses to answer on (none: a client-only agent). */
  addresses: string[];
  /** Ports answered on explicitly, TCP and UDP. */
  ports: number[];
  /** Where the namespace's catch-all DNAT sends every other port; answers from it report port 0. */
  catchAllPort: number;
}

/** What a responder tells whoever reached it. */
export interface ResponderAnswer {
  pod?: string;
  node?: string;
  /** The address and port the packet arrived at (port 0: caught by the catch-all). */
  ip: string;
  port: number;
  /** The source of the packet, as the responder saw it. */
  peer: Endpoint;
}

/** One probe for an agent to send. */
export interface ProbeRequest {
  id: number;
  protocol: 'TCP' | 'UDP';
  to: Endpoint;
  sourcePort: number;
  /** Source address to bind (internet hosts); absent = the kernel's choice. */
  sourceIP?: string;
  timeoutMs: number;
}

/** The outcome of a probe: the responder's answer and the reply's source as the client saw it, or an error code. */
export interface ProbeReply {
  id: number;
  answer?: ResponderAnswer;
  replySource?: Endpoint;
  /** `ECONNREFUSED`, `EHOSTUNREACH`, `timeout`, … */
  error?: string;
}

/** The agent's first stdout line: listening (or not) on every address and port. */
export interface AgentReady {
  ready: boolean;
  error?: string;
}

/** The port each namespace's catch-all DNAT leads to (tcpmux: nothing real listens there). */
export const CATCH_ALL_PORT = 1;
