import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceSchema, type Service } from '../../src/registry/kinds/service/schema.js';
import { EndpointSliceSchema, type EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import { compileNode } from '../../src/dataplane/kube-proxy/compile.js';
import type { CompiledRules } from '../../src/dataplane/kube-proxy/rules.js';
import type { Table } from '../../src/dataplane/netfilter/chain-index.js';
import { evaluateChain, type HookContext, type HookResult } from '../../src/dataplane/netfilter/evaluate.js';
import type { Packet } from '../../src/dataplane/netfilter/packet.js';

const NODE_IP = '10.240.0.2';
const CBR0_IP = '10.11.0.1';

function service(name: string, clusterIP: string, port: number, spec: Record<string, unknown> = {}): Service {
  return ServiceSchema.parse({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP, ports: [{ name: 'http', port, protocol: 'TCP', targetPort: port }], ...spec },
  });
}

function slice(serviceName: string, port: number, endpoints: { ip: string; node: string }[]): EndpointSlice {
  return EndpointSliceSchema.parse({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${serviceName}-abc`,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': serviceName },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], nodeName: e.node, conditions: { ready: true } })),
  });
}

const compiled: CompiledRules = compileNode({
  nodeName: 'vm1',
  clusterCIDR: '10.11.0.0/16',
  nonMasqueradeCIDRs: ['10.0.0.0/8'],
  services: [
    service('store-be', '10.9.3.76', 80, {
      type: 'NodePort',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31380 }],
    }),
    service('db', '10.9.0.20', 5432),
    service('empty', '10.9.0.30', 80),
  ],
  endpointSlices: [
    slice('store-be', 80, [
      { ip: '10.11.0.9', node: 'vm1' },
      { ip: '10.11.5.3', node: 'vm2' },
      { ip: '10.11.8.67', node: 'vm3' },
    ]),
    slice('db', 5432, [{ ip: '10.11.5.40', node: 'vm2' }]),
  ],
});

/** Answers the statistic choices in turn; false once they run out. */
function context(choices: boolean[] = [], mark = 0): HookContext {
  let next = 0;
  return {
    ctstate: 'NEW',
    mark,
    isLocal: (ip) => ip === NODE_IP || ip === CBR0_IP,
    recent: new Map(),
    nowSeconds: 0,
    decide: () => choices[next++] ?? false,
  };
}

/** Evaluates with the index and checks the plain walk agrees. */
function hook(table: Table, chain: string, packet: Packet, choices: boolean[] = [], mark = 0): HookResult {
  const indexed = evaluateChain(compiled, table, chain, packet, context(choices, mark));
  assert.deepEqual(evaluateChain(compiled, table, chain, packet, context(choices, mark), { useIndex: false }), indexed);
  return indexed;
}

const chainsOf = (r: HookResult): string[] => r.trail.map((ref) => ref.chain);
const tcp = (src: string, dst: string, dstPort: number): Packet => ({
  protocol: 'TCP',
  src,
  srcPort: 40000,
  dst,
  dstPort,
});

const endpointCases = [
  { choices: [true], endpoint: '10.11.0.9' },
  { choices: [false, true], endpoint: '10.11.5.3' },
  { choices: [false, false], endpoint: '10.11.8.67' },
];
for (const tc of endpointCases) {
  test(`compiled rules: pod → ClusterIP DNATs to ${tc.endpoint}:80 without masquerade`, () => {
    const got = hook('nat', 'PREROUTING', tcp('10.11.0.5', '10.9.3.76', 80), tc.choices);
    assert.equal(got.verdict, 'ACCEPT');
    assert.deepEqual(got.packet, tcp('10.11.0.5', tc.endpoint, 80));
    assert.equal(got.mark, 0);
    assert.equal(got.decisive?.text.endsWith(`-j DNAT --to-destination ${tc.endpoint}:80`), true);
    assert.deepEqual(chainsOf(got).slice(0, 3), ['PREROUTING', 'KUBE-SERVICES', 'KUBE-SVC-MKWJAYKO35F7WYOU']);
    assert.match(chainsOf(got).at(-1)!, /^KUBE-SEP-/);

    const post = hook('nat', 'POSTROUTING', got.packet, [], got.mark);
    assert.deepEqual([post.verdict, post.masquerade, post.decisive], ['ACCEPT', false, undefined]);
  });
}

test('compiled rules: a node process → ClusterIP is marked in OUTPUT and masqueraded in POSTROUTING', () => {
  const out = hook('nat', 'OUTPUT', tcp(NODE_IP, '10.9.0.20', 5432));
  assert.deepEqual(out.packet, tcp(NODE_IP, '10.11.5.40', 5432));
  assert.equal(out.mark, 0x4000);
  assert.ok(chainsOf(out).includes('KUBE-MARK-MASQ'));

  const post = hook('nat', 'POSTROUTING', out.packet, [], out.mark);
  assert.equal(post.masquerade, true);
  assert.equal(post.mark, 0, 'KUBE-POSTROUTING clears the masquerade bit');
  assert.equal(
    post.decisive?.text,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  );
});

test('compiled rules: an outside client → NodePort goes through KUBE-NODEPORTS and KUBE-EXT', () => {
  const got = hook('nat', 'PREROUTING', tcp('203.0.113.7', NODE_IP, 31380), [false, false]);
  assert.deepEqual(got.packet, tcp('203.0.113.7', '10.11.8.67', 80));
  assert.equal(got.mark, 0x4000);
  assert.deepEqual(chainsOf(got).slice(0, 4), [
    'PREROUTING',
    'KUBE-SERVICES',
    'KUBE-NODEPORTS',
    'KUBE-EXT-MKWJAYKO35F7WYOU',
  ]);
});

test('compiled rules: a ClusterIP without endpoints passes nat untouched and is rejected in filter', () => {
  const packet = tcp('10.11.0.5', '10.9.0.30', 80);
  const natResult = hook('nat', 'PREROUTING', packet);
  assert.deepEqual([natResult.verdict, natResult.packet, natResult.decisive], ['ACCEPT', packet, undefined]);
  const filterResult = hook('filter', 'FORWARD', packet);
  assert.equal(filterResult.verdict, 'REJECT');
  assert.equal(
    filterResult.decisive?.text,
    '-A KUBE-SERVICES -d 10.9.0.30/32 -p tcp -m comment --comment "default/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
  );
});

test('compiled rules: a wrong port on a ClusterIP and pod → pod traffic are left alone', () => {
  for (const packet of [tcp('10.11.0.5', '10.9.3.76', 81), tcp('10.11.0.5', '10.11.5.3', 80)]) {
    const got = hook('nat', 'PREROUTING', packet);
    assert.deepEqual([got.verdict, got.packet, chainsOf(got)], ['ACCEPT', packet, ['PREROUTING']]);
    assert.equal(hook('filter', 'FORWARD', packet).verdict, 'ACCEPT');
  }
});

test('compiled rules: pod → internet is masqueraded by ip-masq-agent, pod → VPC address is not', () => {
  const internet = hook('nat', 'POSTROUTING', tcp('10.11.0.5', '8.8.8.8', 443));
  assert.deepEqual([internet.masquerade, internet.decisive?.chain], [true, 'IP-MASQ-AGENT']);
  const vpc = hook('nat', 'POSTROUTING', tcp('10.11.0.5', '10.128.0.9', 443));
  assert.deepEqual([vpc.masquerade, vpc.decisive, chainsOf(vpc).at(-1)], [false, undefined, 'IP-MASQ-AGENT']);
});

test('compiled rules: filter drops INVALID forwarded packets', () => {
  const packet = tcp('10.11.5.3', '10.11.0.5', 40000);
  const ctx = { ...context(), ctstate: 'INVALID' as const };
  const got = evaluateChain(compiled, 'filter', 'FORWARD', packet, ctx);
  assert.equal(got.verdict, 'DROP');
  assert.equal(got.decisive?.text, '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
});
