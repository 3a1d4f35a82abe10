import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceSchema } from '../../src/registry/kinds/service/schema.js';
import { EndpointSliceSchema } from '../../src/registry/kinds/endpointslice/schema.js';
import { compileNode } from '../../src/dataplane/kube-proxy/compile.js';
import type { Chain, CompiledRules, Match, Rule, Target } from '../../src/dataplane/kube-proxy/rules.js';
import { candidatePositions, findChain, type Table } from '../../src/dataplane/netfilter/chain-index.js';
import {
  evaluateChain,
  type HookContext,
  type HookResult,
  type StatisticPoint,
} from '../../src/dataplane/netfilter/evaluate.js';
import type { Packet } from '../../src/dataplane/netfilter/packet.js';

/** mulberry32: a tiny seeded PRNG, so every run generates the same cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const chance = (r: Random, p: number): boolean => r() < p;

const ADDRESSES = [
  '10.9.0.1',
  '10.9.0.2',
  '10.9.0.3',
  '10.9.1.7',
  '10.11.0.5',
  '10.11.2.9',
  '10.240.0.2',
  '10.11.0.1',
  '192.168.1.1',
];
const LOCAL = new Set(['10.240.0.2', '10.11.0.1']);
const PORTS = [53, 80, 443, 8080, 31380];
const PROTOCOLS = ['tcp', 'udp'] as const;
const MARKS = [0, 0x1, 0x4000, 0x4001];
const LISTS = ['KUBE-SEP-A', 'KUBE-SEP-B'];
const NOW = 1000;

function randomDestination(r: Random): string | undefined {
  const roll = r();
  if (roll < 0.55) return `${pick(r, ADDRESSES)}/32`;
  if (roll < 0.62) return `${pick(r, ADDRESSES).replace(/\.\d+$/, '.0')}/24`;
  if (roll < 0.67) return pick(r, ADDRESSES);
  return undefined;
}

function randomMatches(r: Random, protocol: string | undefined): Match[] {
  const out: Match[] = [];
  if (chance(r, 0.3)) out.push({ kind: 'comment', text: 'generated rule' });
  if (chance(r, 0.6)) {
    const l4Protocol = protocol && chance(r, 0.85) ? protocol : pick(r, PROTOCOLS);
    out.push(
      chance(r, 0.85)
        ? { kind: 'l4', protocol: l4Protocol, dport: pick(r, PORTS) }
        : { kind: 'l4', protocol: l4Protocol },
    );
  }
  if (chance(r, 0.1)) out.push({ kind: 'conntrack', ctstate: chance(r, 0.7) ? ['NEW'] : ['RELATED', 'ESTABLISHED'] });
  if (chance(r, 0.15)) out.push({ kind: 'mark', value: 0x4000, mask: 0x4000, negate: chance(r, 0.5) });
  if (chance(r, 0.15))
    out.push(
      chance(r, 0.5)
        ? { kind: 'addrtype', srcType: 'LOCAL' }
        : { kind: 'addrtype', dstType: 'LOCAL', invertDst: chance(r, 0.5) },
    );
  if (chance(r, 0.1))
    out.push(
      chance(r, 0.5)
        ? { kind: 'recent', name: pick(r, LISTS), action: 'set' }
        : { kind: 'recent', name: pick(r, LISTS), action: 'rcheck', seconds: pick(r, [50, 500]), reap: true },
    );
  if (chance(r, 0.15)) out.push({ kind: 'statistic', threshold: Math.floor(r() * 2 ** 31) });
  // Match order is part of a rule; shuffle so indexable rules do not all look alike.
  return out.sort(() => r() - 0.5);
}

function randomTarget(r: Random, laterChains: string[]): Target {
  const roll = r();
  if (laterChains.length > 0 && roll < 0.3) return { kind: 'jump', chain: pick(r, laterChains) };
  if (roll < 0.4) return { kind: 'RETURN' };
  if (roll < 0.55) return { kind: 'MARK', value: pick(r, [0x4000, 0x1]), mask: pick(r, [0x4000, 0, 0xffffffff]) };
  if (roll < 0.6) return { kind: 'none' };
  if (roll < 0.7) return { kind: 'DNAT', toDestination: `${pick(r, ADDRESSES)}:${pick(r, PORTS)}` };
  if (roll < 0.75) return { kind: 'MASQUERADE', randomFully: chance(r, 0.5) };
  return { kind: pick(r, ['ACCEPT', 'DROP', 'REJECT'] as const) };
}

function randomRule(r: Random, laterChains: string[]): Rule {
  const protocol = chance(r, 0.7) ? pick(r, PROTOCOLS) : undefined;
  const rule: Rule = { matches: randomMatches(r, protocol), target: randomTarget(r, laterChains) };
  const destination = randomDestination(r);
  if (destination) rule.destination = destination;
  if (protocol) rule.protocol = protocol;
  if (chance(r, 0.2))
    rule.source = { cidr: chance(r, 0.5) ? '10.11.0.0/16' : `${pick(r, ADDRESSES)}/32`, negate: chance(r, 0.5) };
  return rule;
}

/** Chains that only jump to chains after them, so there is no cycle; the first is the built-in entry chain. */
function randomRules(r: Random, table: Table, entry: string): CompiledRules {
  const names = [entry, ...Array.from({ length: Math.floor(r() * 5) }, (_, i) => `KUBE-GEN-${i}`)];
  const chains: Chain[] = names.map((name, i) => ({
    name,
    rules: Array.from({ length: Math.floor(r() * 25) }, () => randomRule(r, names.slice(i + 1))),
  }));
  return table === 'nat' ? { nat: chains, filter: [] } : { nat: [], filter: chains };
}

/** Packets aimed at the generated rules' addresses and ports most of the time. */
function randomPacket(r: Random): Packet {
  return {
    protocol: pick(r, ['TCP', 'UDP'] as const),
    src: pick(r, ADDRESSES),
    srcPort: 40000 + Math.floor(r() * 100),
    dst: chance(r, 0.9) ? pick(r, ADDRESSES) : '8.8.8.8',
    dstPort: chance(r, 0.9) ? pick(r, PORTS) : 9999,
  };
}

function randomRecent(r: Random): Map<string, Map<string, number>> {
  return new Map(
    LISTS.map((name) => [
      name,
      new Map(ADDRESSES.filter(() => chance(r, 0.3)).map((ip) => [ip, NOW - Math.floor(r() * 1000)])),
    ]),
  );
}

/** A context whose statistic answers come from a PRNG seeded by `seed`, logging every question. */
function seededContext(r: Random, seed: number, asked: StatisticPoint[]): HookContext {
  const decideRandom = prng(seed);
  return {
    ctstate: pick(r, ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'] as const),
    mark: pick(r, MARKS),
    isLocal: (ip) => LOCAL.has(ip),
    recent: randomRecent(r),
    nowSeconds: NOW,
    decide: (point) => (asked.push(point), decideRandom() * 2 ** 31 < point.threshold),
  };
}

test('property: the indexed walk gives exactly the plain walk result (3000 random rule sets and packets)', () => {
  const r = prng(20240607);
  const seen = { indexedChains: 0, skipped: 0, decisive: 0, dnat: 0, statisticDecided: 0, recentSet: 0, returned: 0 };
  for (let i = 0; i < 3000; i++) {
    const [table, entry] = pick(r, [
      ['nat', 'PREROUTING'],
      ['filter', 'FORWARD'],
    ] as const);
    const rules = randomRules(r, table, entry);
    const packet = randomPacket(r);
    const seed = Math.floor(r() * 2 ** 32);
    const contextRandomState = Math.floor(r() * 2 ** 32);
    const askedIndexed: StatisticPoint[] = [];
    const askedPlain: StatisticPoint[] = [];
    const indexed = evaluateChain(
      rules,
      table,
      entry,
      packet,
      seededContext(prng(contextRandomState), seed, askedIndexed),
    );
    const plain = evaluateChain(
      rules,
      table,
      entry,
      packet,
      seededContext(prng(contextRandomState), seed, askedPlain),
      { useIndex: false },
    );
    assert.deepEqual(indexed, plain, `case ${i}`);
    assert.deepEqual(askedIndexed, askedPlain, `case ${i}: statistic questions`);

    for (const chain of rules[table]) {
      const positions = candidatePositions(rules, table, chain, packet);
      if (positions) seen.indexedChains++;
      if (positions && positions.length < chain.rules.length) seen.skipped++;
    }
    seen.decisive += indexed.decisive ? 1 : 0;
    seen.dnat += indexed.decisive?.rule.target.kind === 'DNAT' ? 1 : 0;
    seen.statisticDecided += askedIndexed.length > 0 ? 1 : 0;
    seen.recentSet += indexed.recentSets.length > 0 ? 1 : 0;
    seen.returned += indexed.trail.some((ref) => ref.rule.target.kind === 'RETURN') ? 1 : 0;
  }
  // The generator must reach every interesting path often enough for the equality to mean something.
  for (const [what, count] of Object.entries(seen)) assert.ok(count > 100, `${what}: only ${count} cases`);
});

/** A rule that makes the plain walk and the index disagree if the index files it under the wrong key. */
const soundnessCases: { name: string; rule: Rule; packet: Partial<Packet> }[] = [
  {
    name: '-d /24 with --dport is visited for any address in it',
    rule: {
      destination: '10.9.0.0/24',
      protocol: 'tcp',
      matches: [{ kind: 'l4', protocol: 'tcp', dport: 80 }],
      target: { kind: 'DROP' },
    },
    packet: { dst: '10.9.0.7' },
  },
  {
    name: '--dport without -d is visited for any destination',
    rule: { protocol: 'tcp', matches: [{ kind: 'l4', protocol: 'tcp', dport: 80 }], target: { kind: 'DROP' } },
    packet: { dst: '192.168.7.7' },
  },
  {
    name: 'a bare -d address is a /32',
    rule: { destination: '10.9.0.9', matches: [{ kind: 'l4', protocol: 'tcp', dport: 80 }], target: { kind: 'DROP' } },
    packet: { dst: '10.9.0.9' },
  },
  {
    name: '-m udp --dport without -p is filed under udp',
    rule: { matches: [{ kind: 'l4', protocol: 'udp', dport: 53 }], target: { kind: 'DROP' } },
    packet: { protocol: 'UDP', dstPort: 53 },
  },
  {
    name: 'a rule without --dport is always visited',
    rule: { destination: '10.9.0.9/32', protocol: 'tcp', matches: [], target: { kind: 'DROP' } },
    packet: { dst: '10.9.0.9', dstPort: 1 },
  },
];
for (const tc of soundnessCases) {
  test(`index: ${tc.name}`, () => {
    const filler = (i: number): Rule => ({
      destination: `10.200.0.${i}/32`,
      protocol: 'tcp',
      matches: [{ kind: 'l4', protocol: 'tcp', dport: 80 }],
      target: { kind: 'ACCEPT' },
    });
    const rules: CompiledRules = {
      nat: [],
      filter: [{ name: 'INPUT', rules: [...Array.from({ length: 20 }, (_, i) => filler(i)), tc.rule] }],
    };
    const packet: Packet = {
      protocol: 'TCP',
      src: '10.11.0.5',
      srcPort: 1234,
      dst: '10.9.0.9',
      dstPort: 80,
      ...tc.packet,
    };
    const ctx: HookContext = {
      ctstate: 'NEW',
      mark: 0,
      isLocal: () => false,
      recent: new Map(),
      nowSeconds: 0,
      decide: () => true,
    };
    assert.equal(evaluateChain(rules, 'filter', 'INPUT', packet, ctx).verdict, 'DROP');
    assert.deepEqual(candidatePositions(rules, 'filter', rules.filter[0], packet), [20]);
  });
}

test('index: chains under 8 rules are walked plainly', () => {
  const chain: Chain = {
    name: 'INPUT',
    rules: Array.from({ length: 7 }, () => ({ matches: [], target: { kind: 'ACCEPT' } })),
  };
  const packet: Packet = { protocol: 'TCP', src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2 };
  assert.equal(candidatePositions({ nat: [], filter: [chain] }, 'filter', chain, packet), undefined);
});

function bigCluster(services: number): CompiledRules {
  const ip = (base: number, i: number) => `10.${base + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  return compileNode({
    nodeName: 'vm1',
    clusterCIDR: '10.11.0.0/16',
    nonMasqueradeCIDRs: ['10.0.0.0/8'],
    services: Array.from({ length: services }, (_, i) =>
      ServiceSchema.parse({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}`, namespace: 'default' },
        spec: {
          type: 'NodePort',
          clusterIP: ip(96, i),
          ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30000 + i }],
        },
      }),
    ),
    endpointSlices: Array.from({ length: services }, (_, i) =>
      EndpointSliceSchema.parse({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `svc-${i}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': `svc-${i}` } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: [ip(11, i)], nodeName: 'vm2', conditions: { ready: true } }],
      }),
    ),
  });
}

test('index: with 2000 Services a packet visits a handful of KUBE-SERVICES and KUBE-NODEPORTS rules', () => {
  const rules = bigCluster(2000);
  const services = findChain(rules, 'nat', 'KUBE-SERVICES')!;
  const nodePorts = findChain(rules, 'nat', 'KUBE-NODEPORTS')!;
  assert.ok(services.rules.length > 2000 && nodePorts.rules.length === 2000);
  const toClusterIP: Packet = { protocol: 'TCP', src: '10.11.0.5', srcPort: 40000, dst: '10.96.5.200', dstPort: 80 };
  const toNodePort: Packet = { protocol: 'TCP', src: '203.0.113.7', srcPort: 40000, dst: '10.240.0.2', dstPort: 31234 };
  assert.equal(
    candidatePositions(rules, 'nat', services, toClusterIP)!.length,
    2,
    'the Service rule and the NodePort catch-all',
  );
  assert.equal(candidatePositions(rules, 'nat', nodePorts, toNodePort)!.length, 1);

  const ctx: HookContext = {
    ctstate: 'NEW',
    mark: 0,
    isLocal: (ip) => ip === '10.240.0.2',
    recent: new Map(),
    nowSeconds: 0,
    decide: () => true,
  };
  const expectations: [Packet, string][] = [
    [toClusterIP, '10.11.5.200'],
    [toNodePort, '10.11.4.210'],
  ];
  for (const [packet, endpoint] of expectations) {
    const indexed: HookResult = evaluateChain(rules, 'nat', 'PREROUTING', packet, ctx);
    assert.deepEqual(indexed.packet, { ...packet, dst: endpoint, dstPort: 8080 });
    assert.deepEqual(evaluateChain(rules, 'nat', 'PREROUTING', packet, ctx, { useIndex: false }), indexed);
  }
});
