import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRule } from '../../src/dataplane/kube-proxy/render.js';
import type { Chain, CompiledRules, Rule, Target } from '../../src/dataplane/kube-proxy/rules.js';
import { evaluateChain, type HookContext } from '../../src/dataplane/netfilter/evaluate.js';
import type { Packet } from '../../src/dataplane/netfilter/packet.js';

const packet: Packet = { protocol: 'TCP', src: '10.11.0.5', srcPort: 40000, dst: '10.9.3.76', dstPort: 80 };

function context(overrides: Partial<HookContext> = {}): HookContext {
  return {
    ctstate: 'NEW',
    mark: 0,
    isLocal: () => false,
    recent: new Map(),
    nowSeconds: 1000,
    decide: () => true,
    ...overrides,
  };
}

const rule = (target: Target, extra: Partial<Rule> = {}): Rule => ({ matches: [], ...extra, target });
const jump = (chain: string): Target => ({ kind: 'jump', chain });
const nat = (...chains: Chain[]): CompiledRules => ({ nat: chains, filter: [] });
const trailOf = (rules: CompiledRules, ctx = context()) =>
  evaluateChain(rules, 'nat', 'PREROUTING', packet, ctx).trail.map((r) => `${r.chain}#${r.index}`);

const terminalCases: { name: string; target: Target; verdict: string; masquerade: boolean; packet: Packet }[] = [
  { name: 'ACCEPT', target: { kind: 'ACCEPT' }, verdict: 'ACCEPT', masquerade: false, packet },
  { name: 'DROP', target: { kind: 'DROP' }, verdict: 'DROP', masquerade: false, packet },
  { name: 'REJECT', target: { kind: 'REJECT' }, verdict: 'REJECT', masquerade: false, packet },
  {
    name: 'MASQUERADE',
    target: { kind: 'MASQUERADE', randomFully: true },
    verdict: 'ACCEPT',
    masquerade: true,
    packet,
  },
  {
    name: 'DNAT ip:port',
    target: { kind: 'DNAT', toDestination: '10.11.8.67:8080' },
    verdict: 'ACCEPT',
    masquerade: false,
    packet: { ...packet, dst: '10.11.8.67', dstPort: 8080 },
  },
  {
    name: 'DNAT ip keeps the port',
    target: { kind: 'DNAT', toDestination: '10.11.8.67' },
    verdict: 'ACCEPT',
    masquerade: false,
    packet: { ...packet, dst: '10.11.8.67' },
  },
];
for (const tc of terminalCases) {
  test(`target ${tc.name} ends the traversal, even from a nested chain`, () => {
    const rules = nat(
      { name: 'PREROUTING', rules: [rule(jump('KUBE-A')), rule({ kind: 'ACCEPT' })] },
      { name: 'KUBE-A', rules: [rule(tc.target), rule({ kind: 'DROP' })] },
    );
    const got = evaluateChain(rules, 'nat', 'PREROUTING', packet, context());
    assert.equal(got.verdict, tc.verdict);
    assert.equal(got.masquerade, tc.masquerade);
    assert.deepEqual(got.packet, tc.packet);
    assert.deepEqual(got.decisive, {
      table: 'nat',
      chain: 'KUBE-A',
      index: 0,
      rule: rules.nat[1].rules[0],
      text: renderRule('KUBE-A', rules.nat[1].rules[0]),
    });
    assert.deepEqual(
      got.trail.map((r) => r.text),
      [renderRule('PREROUTING', rules.nat[0].rules[0]), renderRule('KUBE-A', rules.nat[1].rules[0])],
    );
  });
}

test('the caller packet is not modified by DNAT', () => {
  const mine = { ...packet };
  evaluateChain(
    nat({ name: 'PREROUTING', rules: [rule({ kind: 'DNAT', toDestination: '1.2.3.4:5' })] }),
    'nat',
    'PREROUTING',
    mine,
    context(),
  );
  assert.deepEqual(mine, packet);
});

test('unsupported DNAT destinations are errors', () => {
  for (const toDestination of ['10.0.0.1-10.0.0.3:80', '10.0.0.1:0', 'pod:80']) {
    assert.throws(
      () =>
        evaluateChain(
          nat({ name: 'PREROUTING', rules: [rule({ kind: 'DNAT', toDestination })] }),
          'nat',
          'PREROUTING',
          packet,
          context(),
        ),
      /DNAT/,
    );
  }
});

const markCases = [
  { name: '--or-mark 0x4000 (KUBE-MARK-MASQ)', mark: 0x1, value: 0x4000, mask: 0x4000, want: 0x4001 },
  { name: '--xor-mark 0x4000 clears a set bit', mark: 0x4001, value: 0x4000, mask: 0, want: 0x1 },
  { name: '--xor-mark 0x4000 sets a clear bit', mark: 0x1, value: 0x4000, mask: 0, want: 0x4001 },
  { name: '--set-mark replaces everything', mark: 0xffff, value: 0x12, mask: 0xffffffff, want: 0x12 },
  { name: '--and-mark clears under the mask', mark: 0xffff, value: 0, mask: 0xff00, want: 0xff },
  { name: 'bit 31 stays unsigned', mark: 0, value: 0x80000000, mask: 0x80000000, want: 0x80000000 },
];
for (const tc of markCases) {
  test(`target MARK: ${tc.name}`, () => {
    const rules = nat({ name: 'PREROUTING', rules: [rule({ kind: 'MARK', value: tc.value, mask: tc.mask })] });
    const got = evaluateChain(rules, 'nat', 'PREROUTING', packet, context({ mark: tc.mark }));
    assert.equal(got.mark, tc.want);
    assert.equal(got.verdict, 'ACCEPT');
    assert.equal(got.decisive, undefined);
    assert.equal(got.trail.length, 1);
  });
}

test('MARK is not terminal and later mark matches see the new mark', () => {
  const masqBit = { kind: 'mark' as const, value: 0x4000, mask: 0x4000 };
  const rules = nat(
    {
      name: 'PREROUTING',
      rules: [rule(jump('KUBE-MARK-MASQ')), rule({ kind: 'ACCEPT' }, { matches: [masqBit] }), rule({ kind: 'DROP' })],
    },
    { name: 'KUBE-MARK-MASQ', rules: [rule({ kind: 'MARK', value: 0x4000, mask: 0x4000 })] },
  );
  const got = evaluateChain(rules, 'nat', 'PREROUTING', packet, context());
  assert.equal(got.verdict, 'ACCEPT');
  assert.equal(got.mark, 0x4000);
  assert.deepEqual(
    got.trail.map((r) => `${r.chain}#${r.index}`),
    ['PREROUTING#0', 'KUBE-MARK-MASQ#0', 'PREROUTING#1'],
  );
});

test('a rule without a target only counts: it is in the trail and the walk goes on', () => {
  const rules = nat({
    name: 'PREROUTING',
    rules: [rule({ kind: 'none' }, { protocol: 'tcp' }), rule({ kind: 'DROP' })],
  });
  assert.deepEqual(trailOf(rules), ['PREROUTING#0', 'PREROUTING#1']);
});

test('RETURN and falling off a user chain go back to the rule after the jump', () => {
  const rules = nat(
    { name: 'PREROUTING', rules: [rule(jump('KUBE-A')), rule(jump('KUBE-B')), rule({ kind: 'DROP' })] },
    { name: 'KUBE-A', rules: [rule({ kind: 'RETURN' }), rule({ kind: 'ACCEPT' })] },
    { name: 'KUBE-B', rules: [rule({ kind: 'ACCEPT' }, { protocol: 'udp' })] },
  );
  const got = evaluateChain(rules, 'nat', 'PREROUTING', packet, context());
  assert.equal(got.verdict, 'DROP');
  assert.deepEqual(
    got.trail.map((r) => `${r.chain}#${r.index}`),
    ['PREROUTING#0', 'KUBE-A#0', 'PREROUTING#1', 'PREROUTING#2'],
  );
});

const policyCases: { name: string; rules: CompiledRules; chain: string; trail: string[] }[] = [
  {
    name: 'falling off a built-in chain',
    rules: nat({ name: 'PREROUTING', rules: [rule({ kind: 'DROP' }, { protocol: 'udp' })] }),
    chain: 'PREROUTING',
    trail: [],
  },
  {
    name: 'RETURN in a built-in chain',
    rules: nat({ name: 'PREROUTING', rules: [rule({ kind: 'RETURN' }), rule({ kind: 'DROP' })] }),
    chain: 'PREROUTING',
    trail: ['PREROUTING#0'],
  },
  { name: 'a built-in chain the rules do not declare', rules: nat(), chain: 'INPUT', trail: [] },
];
for (const tc of policyCases) {
  test(`policy ACCEPT: ${tc.name}`, () => {
    const got = evaluateChain(tc.rules, 'nat', tc.chain, packet, context());
    assert.deepEqual(
      {
        verdict: got.verdict,
        decisive: got.decisive,
        masquerade: got.masquerade,
        packet: got.packet,
        trail: got.trail.map((r) => `${r.chain}#${r.index}`),
      },
      { verdict: 'ACCEPT', decisive: undefined, masquerade: false, packet, trail: tc.trail },
    );
    assert.equal('decisive' in got, false);
  });
}

const errorCases: { name: string; rules: CompiledRules; chain: string; error: RegExp }[] = [
  {
    name: 'a jump to a missing chain',
    rules: nat({ name: 'PREROUTING', rules: [rule(jump('KUBE-GONE'))] }),
    chain: 'PREROUTING',
    error: /KUBE-GONE, which does not exist/,
  },
  {
    name: 'a missing user entry chain',
    rules: nat(),
    chain: 'KUBE-SERVICES',
    error: /nat chain KUBE-SERVICES does not exist/,
  },
  {
    name: 'a jump loop',
    rules: nat(
      { name: 'PREROUTING', rules: [rule(jump('KUBE-A'))] },
      { name: 'KUBE-A', rules: [rule(jump('KUBE-B'))] },
      { name: 'KUBE-B', rules: [rule(jump('KUBE-A'))] },
    ),
    chain: 'PREROUTING',
    error: /jumps deep/,
  },
];
for (const tc of errorCases) {
  test(`error: ${tc.name}`, () => {
    for (const useIndex of [true, false])
      assert.throws(() => evaluateChain(tc.rules, 'nat', tc.chain, packet, context(), { useIndex }), tc.error);
  });
}

test('a jump to a missing chain is only an error when the rule matches', () => {
  const rules = nat({ name: 'PREROUTING', rules: [rule(jump('KUBE-GONE'), { protocol: 'udp' })] });
  assert.equal(evaluateChain(rules, 'nat', 'PREROUTING', packet, context()).verdict, 'ACCEPT');
});

test('a user chain can be the entry chain; falling off it accepts', () => {
  const rules = nat({ name: 'KUBE-SERVICES', rules: [rule({ kind: 'MARK', value: 1, mask: 1 })] });
  const got = evaluateChain(rules, 'nat', 'KUBE-SERVICES', packet, context());
  assert.deepEqual([got.verdict, got.mark], ['ACCEPT', 1]);
});

test('recent --set is reported, not applied, and a later rcheck in the same traversal sees it', () => {
  const recent = new Map<string, Map<string, number>>();
  const rules = nat(
    {
      name: 'PREROUTING',
      rules: [
        rule(jump('KUBE-SET')),
        rule(
          { kind: 'DNAT', toDestination: '10.11.0.9:80' },
          { matches: [{ kind: 'recent', name: 'KUBE-SEP-X', action: 'rcheck', seconds: 10 }] },
        ),
      ],
    },
    {
      name: 'KUBE-SET',
      rules: [rule({ kind: 'RETURN' }, { matches: [{ kind: 'recent', name: 'KUBE-SEP-X', action: 'set' }] })],
    },
  );
  const got = evaluateChain(rules, 'nat', 'PREROUTING', packet, context({ recent }));
  assert.deepEqual(got.recentSets, [{ name: 'KUBE-SEP-X', ip: '10.11.0.5' }]);
  assert.equal(got.packet.dst, '10.11.0.9');
  assert.equal(recent.size, 0);
});

test('recent --set of a rule that does not match as a whole is not reported', () => {
  const rules = nat({
    name: 'PREROUTING',
    rules: [
      rule(
        { kind: 'ACCEPT' },
        {
          matches: [
            { kind: 'recent', name: 'KUBE-SEP-X', action: 'set' },
            { kind: 'statistic', threshold: 5 },
          ],
        },
      ),
    ],
  });
  assert.deepEqual(evaluateChain(rules, 'nat', 'PREROUTING', packet, context({ decide: () => false })).recentSets, []);
});

test('statistic ladder: the decide answers pick the endpoint chain', () => {
  const ladder = (name: string, threshold?: number): Rule =>
    rule(jump(name), threshold === undefined ? {} : { matches: [{ kind: 'statistic', threshold }] });
  const rules = nat(
    { name: 'PREROUTING', rules: [ladder('SEP-0', 715827883), ladder('SEP-1', 1073741824), ladder('SEP-2')] },
    { name: 'SEP-0', rules: [rule({ kind: 'DNAT', toDestination: '10.0.0.10:80' })] },
    { name: 'SEP-1', rules: [rule({ kind: 'DNAT', toDestination: '10.0.0.11:80' })] },
    { name: 'SEP-2', rules: [rule({ kind: 'DNAT', toDestination: '10.0.0.12:80' })] },
  );
  const answers = [
    { choices: [true], dst: '10.0.0.10', asked: 1 },
    { choices: [false, true], dst: '10.0.0.11', asked: 2 },
    { choices: [false, false], dst: '10.0.0.12', asked: 2 },
  ];
  for (const a of answers) {
    let asked = 0;
    const got = evaluateChain(rules, 'nat', 'PREROUTING', packet, context({ decide: () => a.choices[asked++] }));
    assert.equal(got.packet.dst, a.dst);
    assert.equal(asked, a.asked);
  }
  assert.deepEqual(trailOf(rules, context({ decide: () => false })), ['PREROUTING#2', 'SEP-2#0']);
});

test('filter table chains are looked up in filter, not nat', () => {
  const rules: CompiledRules = {
    nat: [{ name: 'KUBE-SERVICES', rules: [rule({ kind: 'ACCEPT' })] }],
    filter: [
      { name: 'FORWARD', rules: [rule(jump('KUBE-SERVICES'))] },
      { name: 'KUBE-SERVICES', rules: [rule({ kind: 'REJECT' })] },
    ],
  };
  const got = evaluateChain(rules, 'filter', 'FORWARD', packet, context());
  assert.equal(got.verdict, 'REJECT');
  assert.equal(got.decisive?.table, 'filter');
});
