/**
 * A RealizeInput from a running kplane server: NodeDataplanes (addresses, pod CIDR, canIpForward)
 * and their `/iptables` text, pods with an IP, and the compute.kplane.io Routes, Firewalls and
 * network-LB ForwardingRules. What the API does not say (the VPC subnet, the cluster CIDR, which
 * internet hosts to create) comes from the caller.
 */
import http from 'node:http';
import https from 'node:https';
import type { Firewall } from '../../registry/kinds/firewall/schema.js';
import type { ForwardingRule } from '../../registry/kinds/forwardingrule/schema.js';
import type { NodeDataplane } from '../../registry/kinds/nodedataplane/schema.js';
import type { Pod } from '../../registry/kinds/pod/schema.js';
import type { Route } from '../../registry/kinds/route/schema.js';
import { request, type Connection } from '../../runtime/remote.js';
import { parsePortRanges } from '../vpc/firewall.js';
import type { RealizeInput, RealizeLoadBalancer, RealizeNode, RealizePod } from './input.js';

/** What the API cannot tell. */
export interface ServerInputOptions {
  vpcCIDR: string;
  clusterCIDR: string;
  internetHosts: string[];
}

const NETWORK = '/apis/network.kplane.io/v1alpha1';
const COMPUTE = '/apis/compute.kplane.io/v1alpha1';

async function list<T>(conn: Connection, path: string): Promise<T[]> {
  return ((await request(conn, 'GET', path)) as { items?: T[] }).items ?? [];
}

/** GET of a `text/plain` sub-resource (the JSON `request` helper would try to parse it). */
function getText(conn: Connection, path: string): Promise<string> {
  const url = new URL(path, conn.server);
  const options: https.RequestOptions = { headers: conn.token ? { authorization: `Bearer ${conn.token}` } : {} };
  if (url.protocol === 'https:') {
    options.ca = conn.caCertPem;
    options.rejectUnauthorized = !conn.insecureSkipTLSVerify;
  }
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).get(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () =>
        (res.statusCode ?? 500) < 300
          ? resolve(text)
          : reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${text}`)),
      );
    });
    req.on('error', reject);
  });
}

async function nodesOf(conn: Connection, warnings: string[]): Promise<RealizeNode[]> {
  const out: RealizeNode[] = [];
  for (const nd of await list<NodeDataplane>(conn, `${NETWORK}/nodedataplanes`)) {
    const name = nd.metadata.name!;
    const s = nd.status ?? {};
    if (!s.internalIP || !s.podCIDR) {
      warnings.push(`node ${name} left out: no internal IP or pod CIDR yet`);
      continue;
    }
    const iptablesSave = await getText(conn, `${NETWORK}/nodedataplanes/${encodeURIComponent(name)}/iptables`);
    out.push({
      name,
      internalIP: s.internalIP,
      externalIP: s.externalIP,
      podCIDR: s.podCIDR,
      canIpForward: s.canIpForward ?? true,
      iptablesSave,
    });
  }
  return out;
}

/** Pods with their own address on a realized node (host-network and finished pods have none to build). */
function podsOf(pods: Pod[], nodes: ReadonlySet<string>): RealizePod[] {
  return pods.flatMap((p) => {
    const ip = p.status?.podIP;
    const node = p.spec?.nodeName;
    const finished = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    if (!ip || !node || !nodes.has(node) || p.spec?.hostNetwork || finished) return [];
    return [{ namespace: p.metadata.namespace ?? 'default', name: p.metadata.name!, node, ip }];
  });
}

/** Every port of a forwarding rule's specs; empty when they span all ports. */
function portsOf(specs: readonly string[] | undefined): number[] {
  const ranges = parsePortRanges(specs);
  if (ranges.some((r) => r.first === 1 && r.last === 65535)) return [];
  return ranges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i));
}

/** Network LBs send to their healthy VMs, or to all of them when none is healthy (fail-open, as the tracer). */
function loadBalancersOf(rules: ForwardingRule[]): RealizeLoadBalancer[] {
  return rules.flatMap((fr) => {
    const targets = fr.spec.target?.nodes;
    if (!targets || !fr.spec.ipAddress) return [];
    const healthy = (fr.status?.backends ?? []).filter((b) => b.healthy && targets.includes(b.node)).map((b) => b.node);
    const protocol = fr.spec.protocol?.toUpperCase() === 'UDP' ? 'UDP' : 'TCP';
    return [
      { ip: fr.spec.ipAddress, protocol, ports: portsOf(fr.spec.ports), nodes: healthy.length > 0 ? healthy : targets },
    ];
  });
}

/** Reads the cluster's network from the server `conn` points at. */
export async function realizeInputFromServer(
  conn: Connection,
  opts: ServerInputOptions,
): Promise<{ input: RealizeInput; warnings: string[] }> {
  const warnings: string[] = [];
  const nodes = await nodesOf(conn, warnings);
  const [pods, routes, firewalls, forwardingRules] = await Promise.all([
    list<Pod>(conn, '/api/v1/pods'),
    list<Route>(conn, `${COMPUTE}/routes`),
    list<Firewall>(conn, `${COMPUTE}/firewalls`),
    list<ForwardingRule>(conn, `${COMPUTE}/forwardingrules`),
  ]);
  const input: RealizeInput = {
    vpcCIDR: opts.vpcCIDR,
    clusterCIDR: opts.clusterCIDR,
    nodes,
    pods: podsOf(pods, new Set(nodes.map((n) => n.name))),
    routes: routes.map((r) => ({
      destRange: r.spec.destRange,
      nextHopNode: r.spec.nextHopInstance,
      priority: r.spec.priority,
    })),
    firewalls: firewalls.map((f) => ({
      sourceRanges: f.spec.sourceRanges ?? [],
      allowed: f.spec.allowed ?? [],
      targetNodes: f.spec.targetNodes,
    })),
    loadBalancers: loadBalancersOf(forwardingRules),
    internetHosts: opts.internetHosts,
  };
  return { input, warnings };
}
