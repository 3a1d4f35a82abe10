import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RealizeInput } from '../../src/dataplane/realize/input.js';
import { prefixOf, prefixOwner } from '../../src/dataplane/realize/names.js';
import { planRealize, responderIptablesRestore, type RealizePlan } from '../../src/dataplane/realize/topology.js';
import { vpcIptablesRestore } from '../../src/dataplane/realize/vpc-rules.js';

const PREFIX = 'kp4242-1-';

/** A small cluster: vm1 (external IP, forwards), vm2 (no external IP, anti-spoofing on), one pod each, one LB on both. */
function input(overrides: Partial<RealizeInput> = {}): RealizeInput {
  return {
    vpcCIDR: '10.240.0.0/16',
    clusterCIDR: '10.11.0.0/16',
    nodes: [
      {
        name: 'vm1',
        internalIP: '10.240.0.2',
        externalIP: '35.0.0.1',
        podCIDR: '10.11.0.0/24',
        canIpForward: true,
        iptablesSave: '*nat\nCOMMIT\n',
      },
      {
        name: 'vm2',
        internalIP: '10.240.0.3',
        podCIDR: '10.11.5.0/24',
        canIpForward: false,
        iptablesSave: '*filter\nCOMMIT\n',
      },
    ],
    pods: [
      { namespace: 'default', name: 'a', node: 'vm1', ip: '10.11.0.9' },
      { namespace: 'default', name: 'b', node: 'vm2', ip: '10.11.5.3' },
    ],
    routes: [
      { destRange: '10.11.0.0/24', nextHopNode: 'vm1' },
      { destRange: '10.11.5.0/24', nextHopNode: 'vm2' },
    ],
    firewalls: [
      { sourceRanges: ['10.11.0.0/16'], allowed: [{ protocol: 'all' }] },
      {
        sourceRanges: ['0.0.0.0/0'],
        allowed: [{ protocol: 'TCP', ports: ['80', '30000-32767'] }, { protocol: 'icmp' }],
        targetNodes: ['vm2'],
      },
    ],
    loadBalancers: [{ ip: '86.75.30.9', protocol: 'TCP', ports: [80], nodes: ['vm1', 'vm2'] }],
    internetHosts: ['8.8.8.8'],
    ...overrides,
  };
}

/** The batch lines a plan feeds `ip -n <netns> -batch -`. */
function batchLines(plan: RealizePlan, netns: string): string[] {
  const cmd = plan.setup.find((c) => c.argv.join(' ') === `ip -n ${netns} -batch -`);
  assert.ok(cmd, `no batch for ${netns}`);
  return cmd.stdin!.trim().split('\n');
}

const plan = planRealize(input(), PREFIX);
const ns = plan.namespaces;

test('every namespace carries the run prefix, and the prefix names its owner', () => {
  assert.deepEqual(plan.allNamespaces, [
    `${PREFIX}vpc`,
    `${PREFIX}inet`,
    `${PREFIX}node-vm1`,
    `${PREFIX}node-vm2`,
    `${PREFIX}pod-default.a`,
    `${PREFIX}pod-default.b`,
  ]);
  for (const name of plan.allNamespaces) {
    assert.equal(prefixOf(name), PREFIX);
    assert.equal(prefixOwner(name), 4242);
  }
  assert.equal(prefixOwner('cni-1234'), undefined);
});

test('the first command creates every namespace, before anything uses one', () => {
  assert.deepEqual(plan.setup[0].argv, ['ip', '-batch', '-']);
  assert.deepEqual(
    plan.setup[0].stdin!.trim().split('\n'),
    plan.allNamespaces.map((n) => `netns add ${n}`),
  );
  for (const c of plan.setup.slice(1))
    assert.ok(
      plan.allNamespaces.some((n) => c.argv.includes(n)),
      `${c.argv.join(' ')} runs outside the realized namespaces`,
    );
});

test('interface names fit in 15 characters', () => {
  const many = input({
    nodes: Array.from({ length: 120 }, (_, i) => ({
      name: `node-with-a-long-name-${i}`,
      internalIP: `10.240.1.${i + 1}`,
      podCIDR: `10.12.${i}.0/24`,
      canIpForward: true,
      iptablesSave: '',
    })),
    pods: [],
    routes: [],
  });
  for (const c of planRealize(many, PREFIX).setup) {
    for (const m of (c.stdin ?? '').matchAll(/link add (\S+) type \S+(?: peer name (\S+))?/g)) {
      for (const name of [m[1], m[2]].filter(Boolean)) assert.ok(name.length <= 15, name);
    }
  }
});

const lineCases: { name: string; netns: () => string; lines: string[] }[] = [
  {
    name: 'vpc: one veth per VM with the gateway address, and the VM /32 in the subnet table',
    netns: () => ns.vpc,
    lines: [
      `link add node0 type veth peer name eth0 netns ${PREFIX}node-vm1`,
      'addr add 10.240.0.1/32 dev node0',
      'route add 10.240.0.3/32 dev node1 table 10',
    ],
  },
  {
    name: 'vpc: subnet route wins (policy rule), the rest of the subnet is a blackhole',
    netns: () => ns.vpc,
    lines: ['rule add to 10.240.0.0/16 lookup 10 pref 100', 'route add blackhole 10.240.0.0/16 table 10'],
  },
  {
    name: 'vpc: Route objects via their VM, metric = priority; default through the internet-side address',
    netns: () => ns.vpc,
    lines: [
      'route add 10.11.5.0/24 metric 1000 via 10.240.0.3 dev node1 onlink',
      'route add default via 192.0.0.9 dev inet0 onlink',
    ],
  },
  {
    name: 'vpc: a load balancer from the internet is an ECMP route over its VMs',
    netns: () => ns.vpc,
    lines: [
      'rule add iif inet0 lookup 20 pref 200',
      'route add 86.75.30.9/32 table 20 nexthop via 10.240.0.2 dev node0 onlink nexthop via 10.240.0.3 dev node1 onlink',
    ],
  },
  {
    name: 'node: eth0 is a /32 routed through the VPC gateway; cbr0 has the first pod address',
    netns: () => ns.nodes.vm1,
    lines: [
      'addr add 10.240.0.2/32 dev eth0',
      'route add default via 10.240.0.1 dev eth0 onlink',
      'link add cbr0 type bridge',
      'addr add 10.11.0.1/24 dev cbr0',
    ],
  },
  {
    name: 'node: a hairpin veth per pod on cbr0, and the LB address as a local route',
    netns: () => ns.nodes.vm1,
    lines: [
      `link add veth0 type veth peer name eth0 netns ${PREFIX}pod-default.a`,
      'link set veth0 master cbr0',
      'link set veth0 type bridge_slave hairpin on',
      'route add local 86.75.30.9/32 dev eth0 proto 66',
    ],
  },
  {
    name: 'pod: its IP with the pod CIDR length, default via cbr0',
    netns: () => ns.pods['default/b'],
    lines: ['addr add 10.11.5.3/24 dev eth0', 'route add default via 10.11.5.1 dev eth0'],
  },
  {
    name: 'internet: its hosts, and routes only to the VPC public addresses',
    netns: () => ns.internet,
    lines: [
      'addr add 8.8.8.8/32 dev eth0',
      'route add 35.0.0.1/32 via 192.0.0.8 dev eth0 onlink',
      'route add 86.75.30.9/32 via 192.0.0.8 dev eth0 onlink',
    ],
  },
];
for (const tc of lineCases) {
  test(`plan: ${tc.name}`, () => {
    const lines = batchLines(plan, tc.netns());
    for (const line of tc.lines) assert.ok(lines.includes(line), `missing "${line}" in\n${lines.join('\n')}`);
  });
}

test('the vm2 pod veth lives only in vm2, and the internet has no default route', () => {
  assert.ok(!batchLines(plan, ns.nodes.vm1).some((l) => l.includes('pod-default.b')));
  assert.ok(!batchLines(plan, ns.internet).some((l) => l.startsWith('route add default')));
});

test('node settings: forwarding and bridge-nf-call-iptables; VPC hashes ECMP on the 5-tuple', () => {
  const sysctls = (netns: string) => plan.setup.find((c) => c.argv.includes('sysctl') && c.argv.includes(netns))!.argv;
  assert.ok(sysctls(ns.nodes.vm1).includes('net.bridge.bridge-nf-call-iptables=1'));
  assert.ok(sysctls(ns.nodes.vm1).includes('net.ipv4.ip_forward=1'));
  assert.ok(sysctls(ns.vpc).includes('net.ipv4.fib_multipath_hash_policy=1'));
});

test("each node's iptables-save text is restored as given, without flushing", () => {
  const restore = plan.setup.find((c) => c.argv.includes('iptables-restore') && c.argv.includes(ns.nodes.vm2))!;
  assert.deepEqual(restore.argv.slice(-2), ['iptables-restore', '--noflush']);
  assert.equal(restore.stdin, '*filter\nCOMMIT\n');
});

test('equal-priority routes for one range become ECMP; a route to an unknown VM is left out with a warning', () => {
  const p = planRealize(
    input({
      routes: [
        { destRange: '10.99.0.0/24', nextHopNode: 'vm1' },
        { destRange: '10.99.0.0/24', nextHopNode: 'vm2' },
        { destRange: '10.98.0.0/24', nextHopNode: 'gone' },
      ],
    }),
    PREFIX,
  );
  assert.ok(
    batchLines(p, p.namespaces.vpc).includes(
      'route add 10.99.0.0/24 metric 1000 nexthop via 10.240.0.2 dev node0 onlink nexthop via 10.240.0.3 dev node1 onlink',
    ),
  );
  assert.deepEqual(p.warnings, ['route 10.98.0.0/24 → gone left out: no such node']);
});

test('a load balancer with no VM blackholes its address', () => {
  const p = planRealize(
    input({ loadBalancers: [{ ip: '86.75.30.9', protocol: 'TCP', ports: [80], nodes: [] }] }),
    PREFIX,
  );
  assert.ok(batchLines(p, p.namespaces.vpc).includes('route add blackhole 86.75.30.9/32 table 20'));
});

const invalidCases: { name: string; input: RealizeInput; error: RegExp }[] = [
  {
    name: 'pod outside its node pod CIDR',
    input: input({ pods: [{ namespace: 'd', name: 'x', node: 'vm1', ip: '10.11.5.9' }] }),
    error: /outside vm1's pod CIDR/,
  },
  {
    name: 'pod on an unknown node',
    input: input({ pods: [{ namespace: 'd', name: 'x', node: 'vm9', ip: '10.11.0.9' }] }),
    error: /unknown node vm9/,
  },
  {
    name: 'duplicate pod',
    input: input({
      pods: [
        { namespace: 'd', name: 'x', node: 'vm1', ip: '10.11.0.9' },
        { namespace: 'd', name: 'x', node: 'vm1', ip: '10.11.0.10' },
      ],
    }),
    error: /duplicate pod d\/x/,
  },
  { name: 'node outside the VPC subnet', input: input({ vpcCIDR: '10.128.0.0/20' }), error: /outside the VPC subnet/ },
  { name: 'private internet host', input: input({ internetHosts: ['192.168.1.1'] }), error: /private address/ },
  {
    name: 'internet host that is a VPC public address',
    input: input({ internetHosts: ['35.0.0.1'] }),
    error: /public address of the VPC/,
  },
];
for (const tc of invalidCases)
  test(`invalid input: ${tc.name}`, () => assert.throws(() => planRealize(tc.input, PREFIX), tc.error));

test('agents: one per pod (answering on its IP), one per node (client only), one for the internet', () => {
  const p = planRealize(input(), PREFIX, { ports: [80, 53, 80] });
  assert.deepEqual(
    p.agents.map((a) => [a.key, a.netns, a.config.addresses]),
    [
      ['pod:default/a', `${PREFIX}pod-default.a`, ['10.11.0.9']],
      ['pod:default/b', `${PREFIX}pod-default.b`, ['10.11.5.3']],
      ['node:vm1', `${PREFIX}node-vm1`, []],
      ['node:vm2', `${PREFIX}node-vm2`, []],
      ['internet', `${PREFIX}inet`, ['8.8.8.8']],
    ],
  );
  assert.deepEqual(p.agents[0].config.ports, [53, 80]);
  assert.equal(p.agents[0].config.pod, 'default/a');
  assert.equal(p.agents[0].config.node, 'vm1');
});

test('responder namespace: listed ports pass, any other port is DNATed to the catch-all', () => {
  const lines = responderIptablesRestore({
    pod: 'd/a',
    addresses: ['10.11.0.9'],
    ports: [53, 80],
    catchAllPort: 1,
  }).split('\n');
  assert.ok(lines.includes('-A RESPONDER -p udp -m udp --dport 53 -j RETURN'));
  assert.ok(
    lines.includes(
      '-A RESPONDER -d 10.11.0.9/32 -p tcp -m comment --comment "catch-all: any other port" -j DNAT --to-destination 10.11.0.9:1',
    ),
  );
  assert.ok(
    lines.indexOf('-A RESPONDER -p tcp -m tcp --dport 80 -j RETURN') <
      lines.findIndex((l) => l.includes('-p tcp') && l.includes('DNAT')),
  );
});

const vpcLines = vpcIptablesRestore(input()).split('\n');
const vpcCases: { name: string; present: string[]; absent?: RegExp }[] = [
  {
    name: '1:1 NAT both ways for a VM with an external IP only',
    present: [
      '-A PREROUTING -i inet0 -d 35.0.0.1/32 -m comment --comment "vm1: 1:1 NAT" -j DNAT --to-destination 10.240.0.2',
      '-A POSTROUTING -o inet0 -s 10.240.0.2/32 -m comment --comment "vm1: 1:1 NAT" -j SNAT --to-source 35.0.0.1',
    ],
    absent: /SNAT --to-source .*10\.240\.0\.3|vm2: 1:1/,
  },
  {
    name: 'internet gateway: private destinations, then DSR replies, the NAT-able source, no external address, anything else',
    present: [
      '-A VPC-TO-INTERNET -d 10.0.0.0/8 -m comment --comment "PRIVATE_TRAFFIC_TO_INTERNET" -j DROP',
      '-A VPC-TO-INTERNET -i node0 -s 86.75.30.9/32 -m comment --comment "vm1: load balancer reply, direct server return" -j ACCEPT',
      '-A VPC-TO-INTERNET -i node0 -s 10.240.0.2/32 -m comment --comment "vm1: 1:1 NAT to 35.0.0.1" -j ACCEPT',
      '-A VPC-TO-INTERNET -i node1 -m comment --comment "NO_EXTERNAL_ADDRESS: vm2" -j DROP',
      '-A VPC-TO-INTERNET -m comment --comment "EXTERNAL_NAT_SOURCE_NOT_VM_IP" -j DROP',
    ],
  },
  {
    name: 'anti-spoofing only for the VM without canIpForward, its LB address counting as its own',
    present: [
      '-A FORWARD -i node1 -j VPC-NIC-1-OUT',
      '-A VPC-NIC-1-OUT -s 10.240.0.3/32 -j RETURN',
      '-A VPC-NIC-1-OUT -s 86.75.30.9/32 -j RETURN',
      '-A VPC-NIC-1-IN -d 10.240.0.3/32 -j RETURN',
    ],
    absent: /VPC-NIC-0/,
  },
  {
    name: 'stateful ingress firewall: replies first, then each allow, then the implied deny',
    present: [
      '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "stateful firewall: replies of admitted flows" -j ACCEPT',
      '-A VPC-FW-0 -s 10.11.0.0/16 -j ACCEPT',
      '-A VPC-FW-1 -s 0.0.0.0/0 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-A VPC-FW-1 -s 0.0.0.0/0 -p tcp -m tcp --dport 30000:32767 -j ACCEPT',
      '-A VPC-FW-1 -s 0.0.0.0/0 -p icmp -j ACCEPT',
      '-A VPC-FW-0 -m comment --comment "FIREWALL_RULE: implied deny ingress to vm1" -j DROP',
    ],
    absent: /VPC-FW-0 -s 0\.0\.0\.0\/0/,
  },
  {
    name: 'a load balancer passes only its protocol and ports from the internet',
    present: [
      '-A VPC-FROM-INTERNET -d 86.75.30.9/32 -p tcp -m tcp --dport 80 -j RETURN',
      '-A VPC-FROM-INTERNET -d 86.75.30.9/32 -m comment --comment "FORWARDING_RULE_MISMATCH: no forwarding rule of 86.75.30.9 takes this protocol and port" -j DROP',
    ],
  },
];
for (const tc of vpcCases) {
  test(`vpc iptables: ${tc.name}`, () => {
    for (const line of tc.present) assert.ok(vpcLines.includes(line), `missing "${line}"`);
    if (tc.absent) assert.ok(!vpcLines.some((l) => tc.absent!.test(l)), `unexpected match for ${tc.absent}`);
  });
}

test('vpc iptables: the reply rule precedes every firewall chain jump', () => {
  const established = vpcLines.findIndex((l) => l.includes('RELATED,ESTABLISHED'));
  const firstFirewall = vpcLines.findIndex((l) => /^-A FORWARD -o node\d+ -j VPC-FW-/.test(l));
  assert.ok(established >= 0 && established < firstFirewall);
});
