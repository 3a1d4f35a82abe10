/**
 * Turns a PacketTrace spec into a concrete first packet: the sender (pod, node or internet
 * address), the destination address and port (a Service's ClusterIP and port, or a DNS name
 * resolved the way a pod's resolver does it: search path, `ndots:5`), and the protocol.
 * Problems with the request itself are 422s listing every cause.
 */
import { errors, fieldError, type StatusCause } from '../apimachinery/errors.js';
import type { Packet } from '../dataplane/netfilter/packet.js';
import { cidrContains, isIPv4, parseCIDR, parseIPv4 } from '../net/ipv4.js';
import type { PacketTraceSpec, TraceDestination } from '../registry/kinds/packettrace/schema.js';
import type { ClusterView, NodeView, PodView } from './view.js';
import type { HttpRequest } from './walk.js';
import { hostMatches } from '../dataplane/ingress/match.js';

/** Who sends the packet. */
export type Sender =
  { kind: 'pod'; pod: PodView } | { kind: 'node'; node: NodeView } | { kind: 'internet'; ip: string };

/** One resolver query and its answer. */
interface DnsQuery {
  name: string;
  type: string;
  rcode: string;
  answers?: string[];
}

/** The resolver's walk through its candidates for `to.host`. */
export interface DnsResolution {
  queries: DnsQuery[];
  address?: string;
  port?: number;
  /** Why nothing was found, when `address` is absent. */
  failure?: string;
}

/** A trace request ready to walk. */
export interface ResolvedTrace {
  sender: Sender;
  packet: Packet;
  /** The HTTP request of a `to.url` trace. */
  http?: HttpRequest;
  dns?: DnsResolution;
  /** The Service the destination names, for messages. */
  service?: string;
}

const DEFAULT_SOURCE_PORT = 40000;
const NDOTS = 5;

const invalid = (causes: StatusCause[]) => errors.invalid('PacketTrace', 'network.kplane.io', '', causes);

function splitRef(ref: string): { namespace: string; name: string } | undefined {
  const parts = ref.split('/');
  return parts.length === 2 && parts[0] && parts[1] ? { namespace: parts[0], name: parts[1] } : undefined;
}

function resolveSender(view: ClusterView, spec: PacketTraceSpec, causes: StatusCause[]): Sender | undefined {
  const from = spec.from;
  const given = [from.pod, from.node, from.ip].filter((v) => v !== undefined).length;
  if (given !== 1) {
    causes.push(fieldError.invalid('spec.from', from, 'exactly one of pod, node or ip is required'));
    return undefined;
  }
  if (from.pod !== undefined) {
    const ref = splitRef(from.pod);
    const pod = ref && view.pod(ref.namespace, ref.name);
    if (!pod)
      causes.push(
        fieldError.invalid(
          'spec.from.pod',
          from.pod,
          ref ? 'no such pod with an IP address (is it scheduled and running?)' : 'must be <namespace>/<name>',
        ),
      );
    return pod ? { kind: 'pod', pod } : undefined;
  }
  if (from.node !== undefined) {
    const node = view.node(from.node);
    if (!node) causes.push(fieldError.invalid('spec.from.node', from.node, 'no such node'));
    return node ? { kind: 'node', node } : undefined;
  }
  if (!isIPv4(from.ip!)) {
    causes.push(fieldError.invalid('spec.from.ip', from.ip, 'must be an IPv4 address'));
    return undefined;
  }
  return { kind: 'internet', ip: from.ip! };
}

function protocolOf(spec: PacketTraceSpec, causes: StatusCause[]): Packet['protocol'] | undefined {
  if (spec.protocol === undefined) return undefined;
  const protocol = spec.protocol.toUpperCase();
  if (protocol === 'TCP' || protocol === 'UDP') return protocol;
  causes.push(fieldError.unsupported('spec.protocol', spec.protocol, ['TCP', 'UDP']));
  return undefined;
}

function numericPort(port: TraceDestination['port'], field: string, causes: StatusCause[]): number | undefined {
  if (typeof port === 'number' && port >= 1 && port <= 65535) return port;
  causes.push(
    port === undefined
      ? fieldError.required(field)
      : fieldError.invalid(field, port, 'must be a port number between 1 and 65535'),
  );
  return undefined;
}

interface Target {
  ip: string;
  port: number;
  protocol?: Packet['protocol'];
  service?: string;
  dns?: DnsResolution;
  http?: HttpRequest;
}

/**
 * `http://<ip or host>[:port]/path`: an IP is used as is; a name is the host of an Ingress rule,
 * reached at its load balancer's address (what a public DNS record would point at).
 */
function urlTarget(view: ClusterView, url: string, causes: StatusCause[]): Target | undefined {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    causes.push(fieldError.invalid('spec.to.url', url, 'must be an http:// or https:// URL'));
    return undefined;
  }
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  const http = { host: parsed.hostname, path: `${parsed.pathname}${parsed.search}` };
  if (isIPv4(parsed.hostname)) return { ip: parsed.hostname, port, protocol: 'TCP', http };
  const lb = view.httpLoadBalancers().find((l) => l.urlMap.rules.some((r) => hostMatches(r.host, parsed.hostname)));
  if (!lb) {
    causes.push(
      fieldError.invalid(
        'spec.to.url',
        url,
        `no Ingress has a rule for the host ${parsed.hostname}; use the Ingress's IP address`,
      ),
    );
    return undefined;
  }
  return { ip: lb.ip, port, protocol: 'TCP', http };
}

function serviceTarget(view: ClusterView, to: TraceDestination, causes: StatusCause[]): Target | undefined {
  const ref = splitRef(to.service!);
  const svc = ref && view.service(ref.namespace, ref.name);
  if (!svc) {
    causes.push(
      fieldError.invalid('spec.to.service', to.service, ref ? 'no such Service' : 'must be <namespace>/<name>'),
    );
    return undefined;
  }
  const clusterIP = svc.spec.clusterIP;
  if (!clusterIP || clusterIP === 'None') {
    causes.push(
      fieldError.invalid(
        'spec.to.service',
        to.service,
        'the Service has no ClusterIP (headless or ExternalName): trace to one of its pods or to its DNS name',
      ),
    );
    return undefined;
  }
  const ports = svc.spec.ports ?? [];
  const port =
    to.port === undefined && ports.length === 1
      ? ports[0]
      : ports.find((p) => p.port === to.port || (p.name !== undefined && p.name === to.port));
  if (!port) {
    causes.push(
      fieldError.invalid(
        'spec.to.port',
        to.port ?? null,
        `the Service has no such port; it has ${ports.map((p) => p.name || p.port).join(', ')}`,
      ),
    );
    return undefined;
  }
  return { ip: clusterIP, port: port.port, protocol: port.protocol as Packet['protocol'], service: to.service };
}

/** The resolver's candidate names (resolv.conf `search` + `options ndots:5`). */
function searchCandidates(host: string, search: readonly string[]): string[] {
  if (host.endsWith('.')) return [host.slice(0, -1)];
  const dots = host.split('.').length - 1;
  const expanded = search.map((suffix) => `${host}.${suffix}`);
  return dots >= NDOTS ? [host, ...expanded] : [...expanded, host];
}

function answerText(answer: { type: string; data?: unknown }): string {
  const data = answer.data as unknown;
  if (typeof data === 'string') return `${answer.type} ${data}`;
  const srv = data as { priority: number; weight: number; port: number; target: string };
  return `${answer.type} ${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`;
}

/**
 * Resolves `host` as a pod in `namespace` would (or, without one, as an absolute name). A string
 * `port` is a named port: the SRV record `_<port>._<proto>.<name>` gives its number.
 */
function resolveHost(
  view: ClusterView,
  host: string,
  port: string | undefined,
  protocol: string,
  namespace: string | undefined,
): DnsResolution {
  const domain = view.config.clusterDomain;
  const search = namespace ? [`${namespace}.svc.${domain}`, `svc.${domain}`, domain] : [];
  const name = port === undefined ? host : `_${port}._${protocol.toLowerCase()}.${host}`;
  const type = port === undefined ? 'A' : 'SRV';
  const queries: DnsQuery[] = [];
  for (const candidate of searchCandidates(name, search)) {
    const result = view.dnsLookup(candidate, type);
    const answers = result.answers.map((a) => answerText(a as { type: string; data?: unknown }));
    queries.push({ name: candidate, type, rcode: result.rcode, ...(answers.length ? { answers } : {}) });
    if (result.rcode !== 'NOERROR') continue;
    const found = pickAddress(view, result.answers as readonly { type: string; data?: unknown }[], type);
    if (found) return { queries, ...found };
  }
  const upstream = queries.filter((q) => q.rcode === 'REFUSED').map((q) => q.name);
  const inZone = queries.length - upstream.length;
  const failure = [
    inZone > 0
      ? `${inZone === 1 ? 'the cluster candidate gives' : `all ${inZone} cluster candidates give`} NXDOMAIN or no ${type} record`
      : '',
    upstream.length > 0
      ? `${upstream.join(', ')} is outside ${domain}: CoreDNS would forward it upstream, which kplane does not simulate`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  return { queries, failure };
}

function pickAddress(
  view: ClusterView,
  answers: readonly { type: string; data?: unknown }[],
  type: string,
): { address: string; port?: number } | undefined {
  if (type === 'A') {
    const a = answers.find((x) => x.type === 'A');
    return a ? { address: a.data as string } : undefined;
  }
  const srv = answers.find((x) => x.type === 'SRV')?.data as { port: number; target: string } | undefined;
  if (!srv) return undefined;
  const a = view.dnsLookup(srv.target, 'A').answers.find((x) => (x as { type: string }).type === 'A') as
    { data: string } | undefined;
  return a ? { address: a.data, port: srv.port } : undefined;
}

function hostTarget(
  view: ClusterView,
  to: TraceDestination,
  sender: Sender | undefined,
  protocol: string,
  causes: StatusCause[],
): Target | undefined {
  const namedPort = typeof to.port === 'string' ? to.port : undefined;
  const port = namedPort === undefined ? numericPort(to.port, 'spec.to.port', causes) : undefined;
  if (namedPort === undefined && port === undefined) return undefined;
  const namespace = sender?.kind === 'pod' ? sender.pod.namespace : undefined;
  const dns = resolveHost(view, to.host!, namedPort, protocol, namespace);
  return { ip: dns.address ?? '', port: dns.port ?? port ?? 0, dns };
}

function resolveTarget(
  view: ClusterView,
  spec: PacketTraceSpec,
  sender: Sender | undefined,
  causes: StatusCause[],
): Target | undefined {
  const to = spec.to;
  const given = [to.ip, to.service, to.host, to.url].filter((v) => v !== undefined).length;
  if (given !== 1) {
    causes.push(fieldError.invalid('spec.to', to, 'exactly one of ip, service, host or url is required'));
    return undefined;
  }
  if (to.service !== undefined) return serviceTarget(view, to, causes);
  if (to.host !== undefined) return hostTarget(view, to, sender, spec.protocol ?? 'TCP', causes);
  if (to.url !== undefined) return urlTarget(view, to.url, causes);
  if (!isIPv4(to.ip!)) {
    causes.push(fieldError.invalid('spec.to.ip', to.ip, 'must be an IPv4 address'));
    return undefined;
  }
  const port = numericPort(to.port, 'spec.to.port', causes);
  return port === undefined ? undefined : { ip: to.ip!, port };
}

/** The address a node's socket binds for `dst`: `cbr0`'s towards its pods, `eth0`'s otherwise. */
function nodeSourceAddress(node: NodeView, dst: string): string {
  const toPods = node.podCIDR && node.cbr0IP && isIPv4(dst) && cidrContains(parseCIDR(node.podCIDR), parseIPv4(dst));
  return toPods ? node.cbr0IP! : node.internalIP;
}

function senderAddress(sender: Sender, dst: string): string {
  if (sender.kind === 'pod') return sender.pod.ip;
  if (sender.kind === 'node') return nodeSourceAddress(sender.node, dst);
  return sender.ip;
}

/** Validates the spec against the cluster and builds the first packet; throws a 422 listing every problem. */
export function resolveTrace(view: ClusterView, spec: PacketTraceSpec): ResolvedTrace {
  const causes: StatusCause[] = [];
  const sender = resolveSender(view, spec, causes);
  const protocol = protocolOf(spec, causes);
  const target = resolveTarget(view, spec, sender, causes);
  const sourcePort = spec.sourcePort ?? DEFAULT_SOURCE_PORT;
  if (!Number.isInteger(sourcePort) || sourcePort < 1 || sourcePort > 65535)
    causes.push(fieldError.invalid('spec.sourcePort', spec.sourcePort, 'must be between 1 and 65535'));
  if (causes.length > 0 || !sender || !target) throw invalid(causes);
  const packet: Packet = {
    protocol: protocol ?? target.protocol ?? 'TCP',
    src: senderAddress(sender, target.ip),
    srcPort: sourcePort,
    dst: target.ip,
    dstPort: target.port,
  };
  return { sender, packet, dns: target.dns, service: target.service, http: target.http };
}
