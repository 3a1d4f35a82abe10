import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  admittingFirewall,
  firewallAllows,
  parsePortRanges,
  type FirewallPacket,
} from '../../src/dataplane/vpc/firewall.js';
import { FirewallSchema, type Firewall } from '../../src/registry/kinds/firewall/schema.js';

/** A Firewall as the registry stores it (defaults applied). */
function fw(name: string, spec: Record<string, unknown>): Firewall {
  return FirewallSchema.parse({ metadata: { name }, spec });
}

// GKE's two rules for the fixture (the reference cluster): cluster CIDR 10.11.0.0/16, VPC 10.240.0.0/16.
const gkeAll = fw('gke-kplane-all', { sourceRanges: ['10.11.0.0/16'], allowed: [{ protocol: 'all' }] });
const gkeVms = fw('gke-kplane-vms', {
  sourceRanges: ['10.240.0.0/16'],
  allowed: [{ protocol: 'tcp', ports: ['1-65535'] }, { protocol: 'udp', ports: ['1-65535'] }, { protocol: 'icmp' }],
});
const nodePorts = fw('allow-nodeports', {
  sourceRanges: ['0.0.0.0/0'],
  allowed: [{ protocol: 'TCP', ports: ['30000-32767', '8080'] }],
  targetNodes: ['vm2'],
});
const lbRule = fw('k8s-fw-a1', {
  sourceRanges: ['198.51.100.0/24'],
  allowed: [{ protocol: 'Tcp', ports: ['80'] }],
  priority: 900,
});
const emptyTargets = fw('empty-targets', {
  sourceRanges: ['192.0.2.0/24'],
  allowed: [{ protocol: 'udp' }],
  targetNodes: [],
});
const gke = [gkeAll, gkeVms, nodePorts, lbRule, emptyTargets];

const tcp = (src: string, dstPort: number): FirewallPacket => ({ protocol: 'TCP', src, dstPort });

interface Case {
  name: string;
  rules: Firewall[];
  packet: FirewallPacket;
  node?: string;
  /** The admitting rule's name, or undefined when denied. */
  admittedBy: string | undefined;
}

const cases: Case[] = [
  {
    name: 'pod → pod on another node: gke-all, every protocol',
    rules: gke,
    packet: tcp('10.11.0.3', 80),
    admittedBy: 'gke-kplane-all',
  },
  {
    name: 'pod → pod ICMP: gke-all',
    rules: gke,
    packet: { protocol: 'ICMP', src: '10.11.5.3' },
    admittedBy: 'gke-kplane-all',
  },
  {
    name: 'node → node UDP: gke-vms',
    rules: gke,
    packet: { protocol: 'UDP', src: '10.240.0.2', dstPort: 53 },
    admittedBy: 'gke-kplane-vms',
  },
  {
    name: 'node → node ICMP: gke-vms',
    rules: gke,
    packet: { protocol: 'ICMP', src: '10.240.0.3' },
    admittedBy: 'gke-kplane-vms',
  },
  { name: 'internet → node: implied deny-all', rules: gke, packet: tcp('8.8.8.8', 443), admittedBy: undefined },
  { name: 'no rules at all: denied', rules: [], packet: tcp('10.11.0.3', 80), admittedBy: undefined },
  {
    name: 'NodePort rule on its target node',
    rules: gke,
    packet: tcp('8.8.8.8', 31000),
    node: 'vm2',
    admittedBy: 'allow-nodeports',
  },
  {
    name: 'NodePort rule: single port entry',
    rules: gke,
    packet: tcp('8.8.8.8', 8080),
    node: 'vm2',
    admittedBy: 'allow-nodeports',
  },
  {
    name: 'NodePort rule: range ends are inclusive',
    rules: gke,
    packet: tcp('8.8.8.8', 32767),
    node: 'vm2',
    admittedBy: 'allow-nodeports',
  },
  {
    name: 'NodePort rule: port outside its ranges',
    rules: gke,
    packet: tcp('8.8.8.8', 29999),
    node: 'vm2',
    admittedBy: undefined,
  },
  {
    name: 'NodePort rule does not apply to other nodes',
    rules: gke,
    packet: tcp('8.8.8.8', 31000),
    node: 'vm1',
    admittedBy: undefined,
  },
  {
    name: 'NodePort rule is TCP only (protocol written upper-case)',
    rules: gke,
    packet: { protocol: 'UDP', src: '8.8.8.8', dstPort: 31000 },
    node: 'vm2',
    admittedBy: undefined,
  },
  {
    name: 'a TCP rule with ports needs a destination port',
    rules: [nodePorts],
    packet: { protocol: 'TCP', src: '8.8.8.8' },
    node: 'vm2',
    admittedBy: undefined,
  },
  { name: 'mixed-case protocol matches', rules: gke, packet: tcp('198.51.100.7', 80), admittedBy: 'k8s-fw-a1' },
  { name: 'source outside every range', rules: gke, packet: tcp('198.51.101.7', 80), admittedBy: undefined },
  {
    name: 'empty targetNodes means every node',
    rules: gke,
    packet: { protocol: 'UDP', src: '192.0.2.9', dstPort: 9 },
    node: 'vm3',
    admittedBy: 'empty-targets',
  },
  {
    name: 'lower priority number decides among matching rules',
    rules: [gkeAll, fw('first', { sourceRanges: ['10.0.0.0/8'], allowed: [{ protocol: 'tcp' }], priority: 10 })],
    packet: tcp('10.11.0.3', 80),
    admittedBy: 'first',
  },
  {
    name: 'priority 0 comes before the default 1000',
    rules: [gkeAll, fw('zero', { sourceRanges: ['10.11.0.0/24'], allowed: [{ protocol: 'all' }], priority: 0 })],
    packet: tcp('10.11.0.3', 80),
    admittedBy: 'zero',
  },
  {
    name: 'equal priority: the name breaks the tie',
    rules: [
      fw('b-rule', { sourceRanges: ['10.11.0.0/16'], allowed: [{ protocol: 'all' }] }),
      fw('a-rule', { sourceRanges: ['10.11.0.0/16'], allowed: [{ protocol: 'tcp' }] }),
    ],
    packet: tcp('10.11.0.3', 80),
    admittedBy: 'a-rule',
  },
  {
    name: 'host bits in a source range are ignored',
    rules: [fw('sloppy', { sourceRanges: ['10.11.0.7/24'], allowed: [{ protocol: 'icmp' }] })],
    packet: { protocol: 'ICMP', src: '10.11.0.200' },
    admittedBy: 'sloppy',
  },
  {
    name: 'an ICMP rule does not admit TCP',
    rules: [fw('icmp-only', { sourceRanges: ['0.0.0.0/0'], allowed: [{ protocol: 'icmp' }] })],
    packet: tcp('10.11.0.3', 80),
    admittedBy: undefined,
  },
  {
    name: 'a source that is not an IPv4 address is denied',
    rules: gke,
    packet: tcp('not-an-ip', 80),
    admittedBy: undefined,
  },
];

for (const tc of cases) {
  test(`firewall: ${tc.name}`, () => {
    const node = tc.node ?? 'vm1';
    assert.equal(admittingFirewall(tc.rules, tc.packet, node)?.metadata.name, tc.admittedBy);
    assert.equal(firewallAllows(tc.rules, tc.packet, node), tc.admittedBy !== undefined);
  });
}

const portCases: { name: string; ports?: string[]; want: { first: number; last: number }[] }[] = [
  { name: 'absent: every port', want: [{ first: 1, last: 65535 }] },
  { name: 'empty: every port', ports: [], want: [{ first: 1, last: 65535 }] },
  { name: 'a single port', ports: ['80'], want: [{ first: 80, last: 80 }] },
  {
    name: 'a range and a port, in order',
    ports: ['30000-32767', '443'],
    want: [
      { first: 30000, last: 32767 },
      { first: 443, last: 443 },
    ],
  },
  { name: 'the full range', ports: ['1-65535'], want: [{ first: 1, last: 65535 }] },
];
for (const tc of portCases) {
  test(`parsePortRanges: ${tc.name}`, () => assert.deepEqual(parsePortRanges(tc.ports), tc.want));
}

for (const bad of ['0', '65536', '90-80', 'http', '-1', '80-', '1-2-3', ' 80']) {
  test(`parsePortRanges: rejects ${JSON.stringify(bad)}`, () =>
    assert.throws(() => parsePortRanges([bad]), /invalid port spec/));
}
