/**
 * The pure plan of `realize`: from a RealizeInput, the exact commands that build the cluster's
 * network in Linux network namespaces (docs/network-model.md#nodes), and the agents to start in them.
 *
 * - node netns: `eth0` (veth to the VPC netns) with the internal IP/32 and `default via <vpc gw>
 *   onlink`, so every VM-to-VM packet crosses the VPC; bridge `cbr0` = first address of the pod CIDR
 *   (its prefix route is `<podCIDR> dev cbr0`); one hairpin veth per pod; the node's load balancer
 *   addresses as `local` routes (as GCE's guest agent adds them); then its iptables-save text.
 * - pod netns: `eth0` = pod IP/len of the pod CIDR, `default via <cbr0 IP>`.
 * - vpc netns: the VMs' subnet (policy rule `to <vpcCIDR>`, table 10: one /32 per VM, blackhole
 *   for the rest, since GCP's subnet route wins over custom routes), the Route objects (main table,
 *   metric = priority, equal ones as ECMP), the default route to the internet netns, and, for
 *   packets coming from the internet, the load balancers (table 20: an ECMP route per LB IP
 *   over its nodes, hashed on the 5-tuple, destination unchanged); iptables from vpc-rules.ts.
 * - inet netns: the internet hosts; routes only the VPC's public addresses back into the VPC.
 */
import { cidrContains, firstHost, parseCIDR, parseIPv4 } from '../../net/ipv4.js';
import { CATCH_ALL_PORT, type AgentConfig } from './agent-protocol.js';
import { DEFAULT_RESPONDER_PORTS, type RealizeInput, type RealizeOptions, type RealizePod } from './input.js';
import { agentKeys, ifaceNames, netnsNames } from './names.js';
import { loadBalancerIPsOf, PRIVATE_RANGES, vpcIptablesRestore } from './vpc-rules.js';

/** A command run on the host (it reaches into a namespace with `ip -n` / `ip netns exec`). */
export interface Command {
  argv: string[];
  stdin?: string;
}

/** An agent (responder + probe client) to start in `netns`. */
export interface AgentSpec {
  key: string;
  netns: string;
  config: AgentConfig;
}

/** Names of one realization's namespaces. */
export interface RealizedNamespaces {
  vpc: string;
  internet: string;
  /** By node name. */
  nodes: Record<string, string>;
  /** By `<namespace>/<name>`. */
  pods: Record<string, string>;
}

/** Everything `realize` does, in order. */
export interface RealizePlan {
  prefix: string;
  namespaces: RealizedNamespaces;
  /** Every namespace, in creation order. */
  allNamespaces: string[];
  setup: Command[];
  agents: AgentSpec[];
  /** Input the plan leaves out (e.g. a Route to a VM that does not exist). */
  warnings: string[];
}

/** The addresses on the VPC's and the internet's side of their link (RFC 7600's IPv4 dummy address and the next one). */
const VPC_INTERNET_LINK_IP = '192.0.0.8';
const INTERNET_LINK_IP = '192.0.0.9';
/** Routing tables of the subnet and of the load balancers (their rules come before `main`). */
const SUBNET_TABLE = 10;
const LOAD_BALANCER_TABLE = 20;
/** GCE's guest agent marks its routes `proto 66`. */
const GUEST_AGENT_PROTO = 66;
const DEFAULT_ROUTE_PRIORITY = 1000;

const podKey = (p: RealizePod): string => `${p.namespace}/${p.name}`;
const prefixLen = (cidr: string): number => parseCIDR(cidr).prefix;
const inCidr = (cidr: string, ip: string): boolean => cidrContains(parseCIDR(cidr), parseIPv4(ip));
const batch = (netns: string, lines: string[]): Command => ({
  argv: ['ip', '-n', netns, '-batch', '-'],
  stdin: lines.join('\n') + '\n',
});
const sysctl = (netns: string, settings: string[]): Command => ({
  argv: ['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', ...settings],
});
const restore = (netns: string, text: string): Command => ({
  argv: ['ip', 'netns', 'exec', netns, 'iptables-restore', '--noflush'],
  stdin: text,
});

/** The VPC's public addresses: what the internet can reach. */
function publicAddresses(input: RealizeInput): string[] {
  const ips = [
    ...input.nodes.flatMap((n) => (n.externalIP ? [n.externalIP] : [])),
    ...(input.loadBalancers ?? []).map((lb) => lb.ip),
  ];
  return [...new Set(ips)];
}

/** Throws on input that cannot be built (the plan does not guess). */
function validate(input: RealizeInput): void {
  const nodes = new Map(input.nodes.map((n) => [n.name, n]));
  if (nodes.size !== input.nodes.length) throw new Error('duplicate node names');
  for (const n of input.nodes) {
    if (!inCidr(input.vpcCIDR, n.internalIP))
      throw new Error(`node ${n.name}: internal IP ${n.internalIP} is outside the VPC subnet ${input.vpcCIDR}`);
  }
  const keys = new Set<string>();
  for (const p of input.pods) {
    const node = nodes.get(p.node);
    if (!node) throw new Error(`pod ${podKey(p)}: unknown node ${p.node}`);
    if (!inCidr(node.podCIDR, p.ip))
      throw new Error(`pod ${podKey(p)}: ${p.ip} is outside ${p.node}'s pod CIDR ${node.podCIDR}`);
    if (keys.has(podKey(p))) throw new Error(`duplicate pod ${podKey(p)}`);
    keys.add(podKey(p));
  }
  const vpcPublic = new Set(publicAddresses(input));
  for (const h of input.internetHosts) {
    if (PRIVATE_RANGES.some((r) => inCidr(r, h))) throw new Error(`internet host ${h} is a private address`);
    if (vpcPublic.has(h))
      throw new Error(`internet host ${h} is a public address of the VPC (a VM's external IP or a load balancer)`);
  }
}

function namespacesOf(input: RealizeInput, prefix: string): RealizedNamespaces {
  return {
    vpc: netnsNames.vpc(prefix),
    internet: netnsNames.internet(prefix),
    nodes: Object.fromEntries(input.nodes.map((n) => [n.name, netnsNames.node(prefix, n.name)])),
    pods: Object.fromEntries(input.pods.map((p) => [podKey(p), netnsNames.pod(prefix, p.namespace, p.name)])),
  };
}

/** `nexthop via … dev … onlink` for each node (ECMP when more than one). */
function nexthops(input: RealizeInput, nodeNames: readonly string[]): string {
  const index = (name: string) => input.nodes.findIndex((n) => n.name === name);
  const hops = nodeNames.map(
    (name) => `via ${input.nodes[index(name)].internalIP} dev ${ifaceNames.vpcToNode(index(name))} onlink`,
  );
  return hops.length === 1 ? hops[0] : hops.map((h) => `nexthop ${h}`).join(' ');
}

function vpcRoutes(input: RealizeInput, warnings: string[]): string[] {
  const known = new Set(input.nodes.map((n) => n.name));
  const groups = new Map<string, { destRange: string; metric: number; nodes: string[] }>();
  for (const r of input.routes) {
    if (!known.has(r.nextHopNode)) {
      warnings.push(`route ${r.destRange} → ${r.nextHopNode} left out: no such node`);
      continue;
    }
    const metric = r.priority ?? DEFAULT_ROUTE_PRIORITY;
    const key = `${r.destRange}|${metric}`;
    const group = groups.get(key) ?? { destRange: r.destRange, metric, nodes: [] };
    if (!group.nodes.includes(r.nextHopNode)) group.nodes.push(r.nextHopNode);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `route add ${g.destRange} metric ${g.metric} ${nexthops(input, g.nodes)}`);
}

function loadBalancerRoutes(input: RealizeInput, warnings: string[]): string[] {
  const known = new Set(input.nodes.map((n) => n.name));
  const byIP = new Map<string, Set<string>>();
  for (const lb of input.loadBalancers ?? []) {
    const nodes = byIP.get(lb.ip) ?? new Set<string>();
    for (const n of lb.nodes) {
      if (known.has(n)) nodes.add(n);
      else warnings.push(`load balancer ${lb.ip}: node ${n} left out: no such node`);
    }
    byIP.set(lb.ip, nodes);
  }
  return [...byIP].map(([ip, nodes]) =>
    nodes.size === 0
      ? `route add blackhole ${ip}/32 table ${LOAD_BALANCER_TABLE}`
      : `route add ${ip}/32 table ${LOAD_BALANCER_TABLE} ${nexthops(input, [...nodes])}`,
  );
}

function vpcBatch(input: RealizeInput, ns: RealizedNamespaces, warnings: string[]): string[] {
  const gw = firstHost(input.vpcCIDR);
  const lines = ['link set lo up'];
  input.nodes.forEach((n, i) => {
    const iface = ifaceNames.vpcToNode(i);
    lines.push(
      `link add ${iface} type veth peer name ${ifaceNames.eth0} netns ${ns.nodes[n.name]}`,
      `link set ${iface} alias ${n.name}`,
      `addr add ${gw}/32 dev ${iface}`,
      `link set ${iface} up`,
      `route add ${n.internalIP}/32 dev ${iface} table ${SUBNET_TABLE}`,
    );
  });
  const inet = ifaceNames.vpcToInternet;
  lines.push(
    `link add ${inet} type veth peer name ${ifaceNames.eth0} netns ${ns.internet}`,
    `addr add ${VPC_INTERNET_LINK_IP}/32 dev ${inet}`,
    `link set ${inet} up`,
    `route add blackhole ${input.vpcCIDR} table ${SUBNET_TABLE}`,
    `rule add to ${input.vpcCIDR} lookup ${SUBNET_TABLE} pref 100`,
    `rule add iif ${inet} lookup ${LOAD_BALANCER_TABLE} pref 200`,
    ...loadBalancerRoutes(input, warnings),
    ...vpcRoutes(input, warnings),
    // Through a gateway, not on-link: the VPC's own public addresses (a VM's external IP reached by
    // one of its pods) must go out to the internet and come back, and nothing on the link answers ARP for them.
    `route add default via ${INTERNET_LINK_IP} dev ${inet} onlink`,
  );
  return lines;
}

function nodeBatch(input: RealizeInput, nodeName: string, ns: RealizedNamespaces): string[] {
  const node = input.nodes.find((n) => n.name === nodeName)!;
  const bridge = ifaceNames.bridge;
  const lines = [
    'link set lo up',
    `addr add ${node.internalIP}/32 dev ${ifaceNames.eth0}`,
    `link set ${ifaceNames.eth0} up`,
    `route add default via ${firstHost(input.vpcCIDR)} dev ${ifaceNames.eth0} onlink`,
    `link add ${bridge} type bridge`,
    `addr add ${firstHost(node.podCIDR)}/${prefixLen(node.podCIDR)} dev ${bridge}`,
    `link set ${bridge} up`,
  ];
  input.pods.forEach((p, i) => {
    if (p.node !== nodeName) return;
    const veth = ifaceNames.podVeth(i);
    lines.push(
      `link add ${veth} type veth peer name ${ifaceNames.eth0} netns ${ns.pods[podKey(p)]}`,
      `link set ${veth} alias ${podKey(p)}`,
      `link set ${veth} master ${bridge}`,
      `link set ${veth} type bridge_slave hairpin on`,
      `link set ${veth} up`,
    );
  });
  for (const ip of loadBalancerIPsOf(input, nodeName))
    lines.push(`route add local ${ip}/32 dev ${ifaceNames.eth0} proto ${GUEST_AGENT_PROTO}`);
  return lines;
}

function podBatch(input: RealizeInput, pod: RealizePod): string[] {
  const cidr = input.nodes.find((n) => n.name === pod.node)!.podCIDR;
  return [
    'link set lo up',
    `addr add ${pod.ip}/${prefixLen(cidr)} dev ${ifaceNames.eth0}`,
    `link set ${ifaceNames.eth0} up`,
    `route add default via ${firstHost(cidr)} dev ${ifaceNames.eth0}`,
  ];
}

function internetBatch(input: RealizeInput): string[] {
  return [
    'link set lo up',
    `addr add ${INTERNET_LINK_IP}/32 dev ${ifaceNames.eth0}`,
    ...input.internetHosts.map((h) => `addr add ${h}/32 dev ${ifaceNames.eth0}`),
    `link set ${ifaceNames.eth0} up`,
    ...publicAddresses(input).map(
      (ip) => `route add ${ip}/32 via ${VPC_INTERNET_LINK_IP} dev ${ifaceNames.eth0} onlink`,
    ),
  ];
}

/**
 * A responder namespace's nat table: every TCP/UDP packet for one of `addresses` on a port the
 * responder does not listen on is DNATed to the catch-all port, so any port answers.
 */
export function responderIptablesRestore(config: AgentConfig): string {
  const lines = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':RESPONDER - [0:0]',
  ];
  lines.push('-A PREROUTING -j RESPONDER');
  for (const proto of ['tcp', 'udp']) {
    for (const port of config.ports) lines.push(`-A RESPONDER -p ${proto} -m ${proto} --dport ${port} -j RETURN`);
    for (const ip of config.addresses) {
      lines.push(
        `-A RESPONDER -d ${ip}/32 -p ${proto} -m comment --comment "catch-all: any other port" -j DNAT --to-destination ${ip}:${config.catchAllPort}`,
      );
    }
  }
  lines.push('COMMIT');
  return lines.join('\n') + '\n';
}

function agentsOf(input: RealizeInput, ns: RealizedNamespaces, ports: number[]): AgentSpec[] {
  const base = { ports, catchAllPort: CATCH_ALL_PORT };
  return [
    ...input.pods.map((p) => ({
      key: agentKeys.pod(p.namespace, p.name),
      netns: ns.pods[podKey(p)],
      config: { ...base, pod: podKey(p), node: p.node, addresses: [p.ip] },
    })),
    ...input.nodes.map((n) => ({
      key: agentKeys.node(n.name),
      netns: ns.nodes[n.name],
      config: { ...base, addresses: [] },
    })),
    { key: agentKeys.internet, netns: ns.internet, config: { ...base, addresses: [...input.internetHosts] } },
  ];
}

/**
 * The plan for `input` under `prefix`. Throws when the input is inconsistent (a pod outside its
 * node's pod CIDR, a node outside the VPC subnet, a private internet host).
 */
export function planRealize(input: RealizeInput, prefix: string, options: RealizeOptions = {}): RealizePlan {
  validate(input);
  const warnings: string[] = [];
  const ns = namespacesOf(input, prefix);
  const all = [ns.vpc, ns.internet, ...Object.values(ns.nodes), ...Object.values(ns.pods)];
  const ports = [...new Set(options.ports ?? DEFAULT_RESPONDER_PORTS)]
    .filter((p) => p !== CATCH_ALL_PORT)
    .sort((a, b) => a - b);
  const agents = agentsOf(input, ns, ports);
  const rpFilterOff = ['net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'];
  const routerSettings = [...rpFilterOff, 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0'];
  // A retransmitted SYN must keep its flow hash, or the VPC's multipath route (the network LB)
  // would send it to another VM, unlike GCP, which keeps a flow on its VM.
  const keepFlowHash = 'net.core.txrehash=0';
  const setup: Command[] = [
    { argv: ['ip', '-batch', '-'], stdin: all.map((name) => `netns add ${name}`).join('\n') + '\n' },
    sysctl(ns.vpc, [...routerSettings, 'net.ipv4.fib_multipath_hash_policy=1']),
    sysctl(ns.internet, [...routerSettings, keepFlowHash]),
    ...input.nodes.map((n) =>
      sysctl(ns.nodes[n.name], [
        ...rpFilterOff,
        'net.ipv4.ip_forward=1',
        'net.bridge.bridge-nf-call-iptables=1',
        keepFlowHash,
      ]),
    ),
    ...input.pods.map((p) => sysctl(ns.pods[podKey(p)], [keepFlowHash])),
    batch(ns.vpc, vpcBatch(input, ns, warnings)),
    ...input.nodes.map((n) => batch(ns.nodes[n.name], nodeBatch(input, n.name, ns))),
    ...input.pods.map((p) => batch(ns.pods[podKey(p)], podBatch(input, p))),
    batch(ns.internet, internetBatch(input)),
    restore(ns.vpc, vpcIptablesRestore(input)),
    ...input.nodes.map((n) => restore(ns.nodes[n.name], n.iptablesSave)),
    ...agents
      .filter((a) => a.config.addresses.length > 0)
      .map((a) => restore(a.netns, responderIptablesRestore(a.config))),
  ];
  return { prefix, namespaces: ns, allNamespaces: all, setup, agents, warnings };
}
