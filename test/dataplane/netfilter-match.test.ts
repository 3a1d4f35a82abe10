import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRule } from '../../src/dataplane/kube-proxy/render.js';
import type { Match, Rule } from '../../src/dataplane/kube-proxy/rules.js';
import { evaluateChain, type HookContext, type StatisticPoint } from '../../src/dataplane/netfilter/evaluate.js';
import type { Packet } from '../../src/dataplane/netfilter/packet.js';

const podPacket: Packet = { protocol: 'TCP', src: '10.11.0.5', srcPort: 40000, dst: '10.9.3.76', dstPort: 80 };
const NODE_ADDRESSES = new Set(['10.240.0.2', '10.11.0.1']);

function context(overrides: Partial<HookContext> = {}): HookContext {
  return {
    ctstate: 'NEW',
    mark: 0,
    isLocal: (ip) => NODE_ADDRESSES.has(ip),
    recent: new Map(),
    nowSeconds: 1000,
    decide: () => true,
    ...overrides,
  };
}

/** Whether `rule` (with an ACCEPT target, in filter INPUT before a DROP) matches the packet. */
function matches(rule: Omit<Rule, 'target'>, packet: Packet, ctx: HookContext): boolean {
  const rules = {
    nat: [],
    filter: [
      {
        name: 'INPUT',
        rules: [
          { ...rule, target: { kind: 'ACCEPT' as const } },
          { matches: [], target: { kind: 'DROP' as const } },
        ],
      },
    ],
  };
  return evaluateChain(rules, 'filter', 'INPUT', packet, ctx).verdict === 'ACCEPT';
}

interface Case {
  name: string;
  rule: Omit<Rule, 'target'>;
  packet?: Partial<Packet>;
  ctx?: Partial<HookContext>;
  want: boolean;
}

const only = (...ms: Match[]): Omit<Rule, 'target'> => ({ matches: ms });
const recentLists = new Map([['KUBE-SEP-A', new Map([['10.11.0.5', 900]])]]);

const cases: Case[] = [
  { name: 'no match at all matches', rule: only(), want: true },
  { name: '-s inside the CIDR', rule: { source: { cidr: '10.11.0.0/16' }, matches: [] }, want: true },
  {
    name: '-s outside the CIDR',
    rule: { source: { cidr: '10.11.0.0/16' }, matches: [] },
    packet: { src: '10.240.0.2' },
    want: false,
  },
  { name: '! -s inside the CIDR', rule: { source: { cidr: '10.11.0.0/16', negate: true }, matches: [] }, want: false },
  {
    name: '! -s outside the CIDR',
    rule: { source: { cidr: '10.11.0.0/16', negate: true }, matches: [] },
    packet: { src: '10.240.0.2' },
    want: true,
  },
  { name: '-s /32 host', rule: { source: { cidr: '10.11.0.5/32' }, matches: [] }, want: true },
  {
    name: '-s 0.0.0.0/0 matches anything',
    rule: { source: { cidr: '0.0.0.0/0' }, matches: [] },
    packet: { src: '255.255.255.255' },
    want: true,
  },
  { name: '-d /32 equal', rule: { destination: '10.9.3.76/32', matches: [] }, want: true },
  { name: '-d /32 other address', rule: { destination: '10.9.3.77/32', matches: [] }, want: false },
  { name: '-d bare address reads as /32', rule: { destination: '10.9.3.76', matches: [] }, want: true },
  { name: '-d /24 contains', rule: { destination: '10.9.3.0/24', matches: [] }, want: true },
  { name: '-p tcp, TCP packet', rule: { protocol: 'tcp', matches: [] }, want: true },
  { name: '-p tcp, UDP packet', rule: { protocol: 'tcp', matches: [] }, packet: { protocol: 'UDP' }, want: false },
  {
    name: '-p UDP spelled upper-case',
    rule: { protocol: 'UDP', matches: [] },
    packet: { protocol: 'UDP' },
    want: true,
  },
  { name: 'comment always holds', rule: only({ kind: 'comment', text: 'anything' }), want: true },
  { name: '-m tcp without dport', rule: only({ kind: 'l4', protocol: 'tcp' }), packet: { dstPort: 1 }, want: true },
  { name: '-m tcp --dport equal', rule: only({ kind: 'l4', protocol: 'tcp', dport: 80 }), want: true },
  { name: '-m tcp --dport other', rule: only({ kind: 'l4', protocol: 'tcp', dport: 81 }), want: false },
  { name: '-m udp on a TCP packet', rule: only({ kind: 'l4', protocol: 'udp', dport: 80 }), want: false },
  {
    name: 'ctstate in list',
    rule: only({ kind: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] }),
    ctx: { ctstate: 'ESTABLISHED' },
    want: true,
  },
  { name: 'ctstate not in list', rule: only({ kind: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] }), want: false },
  {
    name: 'ctstate INVALID',
    rule: only({ kind: 'conntrack', ctstate: ['INVALID'] }),
    ctx: { ctstate: 'INVALID' },
    want: true,
  },
  {
    name: 'mark bit set',
    rule: only({ kind: 'mark', value: 0x4000, mask: 0x4000 }),
    ctx: { mark: 0x4001 },
    want: true,
  },
  {
    name: 'mark bit clear',
    rule: only({ kind: 'mark', value: 0x4000, mask: 0x4000 }),
    ctx: { mark: 0x1 },
    want: false,
  },
  {
    name: '! mark, bit clear',
    rule: only({ kind: 'mark', value: 0x4000, mask: 0x4000, negate: true }),
    ctx: { mark: 0x1 },
    want: true,
  },
  {
    name: '! mark, bit set',
    rule: only({ kind: 'mark', value: 0x4000, mask: 0x4000, negate: true }),
    ctx: { mark: 0x4000 },
    want: false,
  },
  {
    name: 'mark bit 31 compares unsigned',
    rule: only({ kind: 'mark', value: 0x80000000, mask: 0x80000000 }),
    ctx: { mark: 0x80000001 },
    want: true,
  },
  {
    name: 'mark value under a wider mask',
    rule: only({ kind: 'mark', value: 0x10, mask: 0xff }),
    ctx: { mark: 0x4010 },
    want: true,
  },
  {
    name: 'mark value 0 under a mask',
    rule: only({ kind: 'mark', value: 0, mask: 0xff }),
    ctx: { mark: 0x4010 },
    want: false,
  },
  {
    name: '--src-type LOCAL, node source',
    rule: only({ kind: 'addrtype', srcType: 'LOCAL' }),
    packet: { src: '10.240.0.2' },
    want: true,
  },
  { name: '--src-type LOCAL, pod source', rule: only({ kind: 'addrtype', srcType: 'LOCAL' }), want: false },
  {
    name: '--dst-type LOCAL, node destination',
    rule: only({ kind: 'addrtype', dstType: 'LOCAL' }),
    packet: { dst: '10.240.0.2' },
    want: true,
  },
  { name: '--dst-type LOCAL, VIP destination', rule: only({ kind: 'addrtype', dstType: 'LOCAL' }), want: false },
  {
    name: '! --dst-type LOCAL, VIP destination',
    rule: only({ kind: 'addrtype', dstType: 'LOCAL', invertDst: true }),
    want: true,
  },
  {
    name: '! --dst-type LOCAL, node destination',
    rule: only({ kind: 'addrtype', dstType: 'LOCAL', invertDst: true }),
    packet: { dst: '10.11.0.1' },
    want: false,
  },
  {
    name: 'src and dst LOCAL both required',
    rule: only({ kind: 'addrtype', srcType: 'LOCAL', dstType: 'LOCAL' }),
    packet: { src: '10.240.0.2' },
    want: false,
  },
  {
    name: 'rcheck, seen within seconds',
    rule: only({ kind: 'recent', name: 'KUBE-SEP-A', action: 'rcheck', seconds: 10800, reap: true }),
    ctx: { recent: recentLists },
    want: true,
  },
  {
    name: 'rcheck, seen exactly seconds ago',
    rule: only({ kind: 'recent', name: 'KUBE-SEP-A', action: 'rcheck', seconds: 100 }),
    ctx: { recent: recentLists },
    want: true,
  },
  {
    name: 'rcheck, seen too long ago',
    rule: only({ kind: 'recent', name: 'KUBE-SEP-A', action: 'rcheck', seconds: 99 }),
    ctx: { recent: recentLists },
    want: false,
  },
  {
    name: 'rcheck without --seconds, any age',
    rule: only({ kind: 'recent', name: 'KUBE-SEP-A', action: 'rcheck' }),
    ctx: { recent: recentLists, nowSeconds: 1e9 },
    want: true,
  },
  {
    name: 'rcheck, other source',
    rule: only({ kind: 'recent', name: 'KUBE-SEP-A', action: 'rcheck' }),
    packet: { src: '10.11.0.6' },
    ctx: { recent: recentLists },
    want: false,
  },
  {
    name: 'rcheck, other list',
    rule: only({ kind: 'recent', name: 'KUBE-SEP-B', action: 'rcheck' }),
    ctx: { recent: recentLists },
    want: false,
  },
  { name: 'recent --set always holds', rule: only({ kind: 'recent', name: 'KUBE-SEP-B', action: 'set' }), want: true },
  {
    name: 'statistic decided yes',
    rule: only({ kind: 'statistic', threshold: 1 << 30 }),
    ctx: { decide: () => true },
    want: true,
  },
  {
    name: 'statistic decided no',
    rule: only({ kind: 'statistic', threshold: 1 << 30 }),
    ctx: { decide: () => false },
    want: false,
  },
  {
    name: 'all of several matches must hold',
    rule: {
      destination: '10.9.3.76/32',
      protocol: 'tcp',
      matches: [
        { kind: 'l4', protocol: 'tcp', dport: 80 },
        { kind: 'conntrack', ctstate: ['ESTABLISHED'] },
      ],
    },
    want: false,
  },
];

for (const tc of cases) {
  test(`match: ${tc.name}`, () => {
    assert.equal(matches(tc.rule, { ...podPacket, ...tc.packet }, context(tc.ctx)), tc.want);
  });
}

test('statistic: decide gets the kernel threshold, its probability and the rule', () => {
  const points: StatisticPoint[] = [];
  const rule: Omit<Rule, 'target'> = {
    matches: [
      { kind: 'comment', text: 'pick' },
      { kind: 'statistic', threshold: 715827883 },
    ],
  };
  matches(rule, podPacket, context({ decide: (p) => (points.push(p), true) }));
  assert.equal(points.length, 1);
  assert.equal(points[0].threshold, 715827883);
  assert.equal(points[0].probability, 715827883 / 2 ** 31);
  assert.deepEqual(points[0].ref, {
    table: 'filter',
    chain: 'INPUT',
    index: 0,
    rule: { ...rule, target: { kind: 'ACCEPT' } },
    text: renderRule('INPUT', { ...rule, target: { kind: 'ACCEPT' } }),
  });
  assert.match(points[0].ref.text, /--probability 0\.33333333349 -j ACCEPT$/);
});

const undecidedCases: { name: string; rule: Omit<Rule, 'target'> }[] = [
  {
    name: 'base match fails first',
    rule: { source: { cidr: '192.168.0.0/16' }, matches: [{ kind: 'statistic', threshold: 1 }] },
  },
  {
    name: 'a later extension fails',
    rule: only({ kind: 'statistic', threshold: 1 }, { kind: 'l4', protocol: 'tcp', dport: 443 }),
  },
];
for (const tc of undecidedCases) {
  test(`statistic: not decided when ${tc.name}`, () => {
    let calls = 0;
    assert.equal(matches(tc.rule, podPacket, context({ decide: () => (calls++, true) })), false);
    assert.equal(calls, 0);
  });
}

test('statistic: several in one rule are decided in order until one fails', () => {
  const seen: number[] = [];
  const rule = only(
    { kind: 'statistic', threshold: 1 },
    { kind: 'statistic', threshold: 2 },
    { kind: 'statistic', threshold: 3 },
  );
  assert.equal(matches(rule, podPacket, context({ decide: (p) => (seen.push(p.threshold), p.threshold < 2) })), false);
  assert.deepEqual(seen, [1, 2]);
});

test('malformed addresses are errors, not silent mismatches', () => {
  assert.throws(() => matches({ destination: '10.9.3/32', matches: [] }, podPacket, context()), /invalid IPv4/);
  assert.throws(() => matches(only(), { ...podPacket, dst: '10.09.3.76' }, context()), /invalid IPv4/);
});
