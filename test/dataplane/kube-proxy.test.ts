import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { endpointChainHash, serviceChainHash, servicePortName } from '../../src/dataplane/kube-proxy/names.js';
import {
  formatSavedProbability,
  kernelThreshold,
  selectionProbabilities,
} from '../../src/dataplane/kube-proxy/probability.js';
import { compileNode } from '../../src/dataplane/kube-proxy/compile.js';
import { renderIptablesSave } from '../../src/dataplane/kube-proxy/render.js';
import { ruleComment, type CompiledRules } from '../../src/dataplane/kube-proxy/rules.js';
import { sampleService, sampleSlice, type SampleEndpoint } from './sample-cluster.js';

const nameCases = [
  {
    name: 'spec service hash',
    got: () => serviceChainHash(servicePortName('ns1', 'svc1', 'p80'), 'tcp'),
    want: 'XPGD46QRK7WJZT7O',
  },
  {
    name: 'spec endpoint hash',
    got: () => endpointChainHash(servicePortName('ns1', 'svc1', 'p80'), 'tcp', '10.180.0.1', 80),
    want: 'SXIVWICOYRO3J4NJ',
  },
  {
    name: 'fixture service hash',
    got: () => serviceChainHash('default/store-be:http', 'TCP'),
    want: 'MKWJAYKO35F7WYOU',
  },
  { name: 'named port spn', got: () => servicePortName('default', 'store-be', 'http'), want: 'default/store-be:http' },
  { name: 'unnamed port spn', got: () => servicePortName('default', 'store-be', ''), want: 'default/store-be' },
];
for (const tc of nameCases) test(`names: ${tc.name}`, () => assert.equal(tc.got(), tc.want));

const probabilityCases = [
  { p: 1 / 3, want: '0.33333333349' },
  { p: 1 / 2, want: '0.50000000000' },
  { p: 1 / 5, want: '0.20000000019' },
];
for (const tc of probabilityCases) {
  test(`probability: ${tc.p} saves as ${tc.want}`, () =>
    assert.equal(formatSavedProbability(kernelThreshold(tc.p)), tc.want));
}
test('probability: ladder for n endpoints is 1/n … 1/2', () => {
  assert.deepEqual(selectionProbabilities(4), [1 / 4, 1 / 3, 1 / 2]);
  assert.deepEqual(selectionProbabilities(1), []);
});

function service(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): Service {
  return sampleService(
    'default',
    'store-be',
    { clusterIP: '10.9.3.76', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }], ...spec },
    status,
  );
}

type Ep = SampleEndpoint;
const slice = (eps: Ep[]) => sampleSlice('default', 'store-be', [{ name: 'http', port: 80 }], eps);

const storeBe: Ep[] = [
  { ip: '10.11.0.9', node: 'vm1' },
  { ip: '10.11.5.3', node: 'vm2' },
  { ip: '10.11.8.67', node: 'vm3' },
];

function compile(svc: Service, eps: Ep[], nodeName = 'vm1'): CompiledRules {
  return compileNode({
    nodeName,
    clusterCIDR: '10.11.0.0/16',
    nonMasqueradeCIDRs: ['10.0.0.0/8'],
    services: [svc],
    endpointSlices: [slice(eps)],
  });
}

const lines = (compiled: CompiledRules): string[] => renderIptablesSave(compiled).split('\n');

/** Compares with `test/dataplane/golden/<name>`; `UPDATE_GOLDEN=1` rewrites the file instead. */
function assertGolden(name: string, actual: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, actual);
  assert.equal(actual, readFileSync(url, 'utf8'));
}

/** ip-masq-agent's lines: a separate daemon in reality, so kube-proxy's own listings leave them out. */
const withoutMasqAgent = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !l.includes('IP-MASQ-AGENT'))
    .join('\n');

test("golden: store-be ClusterIP on vm1 (nat) is kube-proxy's listing plus ip-masq-agent", () => {
  const nat = renderIptablesSave(compile(service(), storeBe), ['nat']);
  assertGolden('store-be-clusterip.iptables', withoutMasqAgent(nat));
  assert.equal(nat.split('\n').length - withoutMasqAgent(nat).split('\n').length, 5);
});

test('filter holds only the hooks and KUBE-FORWARD when every service has endpoints', () => {
  const filter = renderIptablesSave(compile(service(), storeBe), ['filter']).split('\n');
  assert.ok(filter.includes('-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD'));
  assert.ok(filter.includes('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP'));
  assert.ok(
    filter.includes(
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    ),
  );
  assert.ok(
    filter.includes(
      '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    ),
  );
  assert.equal(
    filter.filter((l) => l.startsWith('-A KUBE-SERVICES') || l.startsWith('-A KUBE-EXTERNAL-SERVICES')).length,
    0,
  );
});

test('no usable endpoint: filter REJECT, no service chains in nat', () => {
  const out = lines(
    compile(
      service(),
      storeBe.map((e) => ({ ...e, ready: false })),
    ),
  );
  assert.ok(
    out.includes(
      '-A KUBE-SERVICES -d 10.9.3.76/32 -p tcp -m comment --comment "default/store-be:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    ),
  );
  assert.equal(out.filter((l) => /KUBE-(SVC|SEP)-/.test(l)).length, 0);
});

test('endpoints are ordered by the "ip:port" string, ready ones only', () => {
  const compiled = compile(service(), [
    { ip: '10.11.0.9', node: 'vm1' },
    { ip: '10.11.0.10', node: 'vm1' },
    { ip: '10.11.0.2', node: 'vm1', ready: false },
  ]);
  const svc = compiled.nat.find((c) => c.name === 'KUBE-SVC-MKWJAYKO35F7WYOU')!;
  assert.deepEqual(svc.rules.slice(1).map(ruleComment), [
    'default/store-be:http -> 10.11.0.10:80',
    'default/store-be:http -> 10.11.0.9:80',
  ]);
  assert.deepEqual(svc.rules[1].matches[1], { kind: 'statistic', threshold: kernelThreshold(1 / 2) });
});

test('no ready endpoint falls back to serving terminating ones', () => {
  const compiled = compile(service(), [
    { ip: '10.11.0.9', node: 'vm1', ready: false, serving: true, terminating: true },
    { ip: '10.11.5.3', node: 'vm2', ready: false },
  ]);
  const svc = compiled.nat.find((c) => c.name === 'KUBE-SVC-MKWJAYKO35F7WYOU')!;
  assert.deepEqual(svc.rules.slice(1).map(ruleComment), ['default/store-be:http -> 10.11.0.9:80']);
});

const lbLocal = () =>
  service(
    {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32012,
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31380 }],
    },
    { loadBalancer: { ingress: [{ ip: '86.75.30.9' }] } },
  );

/** The lines kube-proxy adds on VM1 when store-be becomes a LoadBalancer with eTP=Local, in its order. */
const specAddedOnVm1 = [
  '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/store-be:http health check node port" -m tcp --dport 32012 -j ACCEPT',
  ':KUBE-EXT-MKWJAYKO35F7WYOU - [0:0]',
  ':KUBE-SVL-MKWJAYKO35F7WYOU - [0:0]',
  '-A KUBE-SERVICES -d 86.75.30.9/32 -p tcp -m comment --comment "default/store-be:http loadbalancer IP" -m tcp --dport 80 -j KUBE-EXT-MKWJAYKO35F7WYOU',
  '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/store-be:http" -m tcp --dport 31380 -j KUBE-EXT-MKWJAYKO35F7WYOU',
  '-A KUBE-EXT-MKWJAYKO35F7WYOU -s 10.11.0.0/16 -m comment --comment "pod traffic for default/store-be:http external destinations" -j KUBE-SVC-MKWJAYKO35F7WYOU',
  '-A KUBE-EXT-MKWJAYKO35F7WYOU -m comment --comment "masquerade LOCAL traffic for default/store-be:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
  '-A KUBE-EXT-MKWJAYKO35F7WYOU -m comment --comment "route LOCAL traffic for default/store-be:http external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-MKWJAYKO35F7WYOU',
  '-A KUBE-EXT-MKWJAYKO35F7WYOU -j KUBE-SVL-MKWJAYKO35F7WYOU',
  '-A KUBE-SVL-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.0.9:80" -j KUBE-SEP-KQPJSLOGUEFRLVDM',
];

const chainOf = (line: string): string => line.split(' ')[1];

test('golden: LoadBalancer eTP=Local on vm1 adds exactly the expected lines to the ClusterIP rules', () => {
  const text = renderIptablesSave(compile(lbLocal(), storeBe, 'vm1'));
  assertGolden('store-be-lb-local-vm1.iptables', text);
  const before = new Set(lines(compile(service(), storeBe, 'vm1')));
  const after = text.split('\n');
  assert.deepEqual(after.filter((l) => !before.has(l)).sort(), [...specAddedOnVm1].sort());
  assert.deepEqual(
    [...before].filter((l) => !after.includes(l)),
    [],
  );
  // Within a chain the rules keep the expected order.
  for (const chain of new Set(specAddedOnVm1.filter((l) => l.startsWith('-A')).map(chainOf))) {
    const spec = specAddedOnVm1.filter((l) => l.startsWith(`-A ${chain} `));
    assert.deepEqual(
      after.filter((l) => spec.includes(l)),
      spec,
    );
  }
});

test('golden: on a node without a local endpoint (vm4) external traffic is dropped in filter', () => {
  const text = renderIptablesSave(compile(lbLocal(), storeBe, 'vm4'));
  assertGolden('store-be-lb-local-vm4-no-local-endpoint.iptables', text);
  const out = text.split('\n');
  assert.ok(
    out.includes(
      '-A KUBE-EXTERNAL-SERVICES -d 86.75.30.9/32 -p tcp -m comment --comment "default/store-be:http has no local endpoints" -m tcp --dport 80 -j DROP',
    ),
  );
  assert.ok(
    out.includes(
      '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/store-be:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 31380 -j DROP',
    ),
  );
  assert.ok(out.includes(specAddedOnVm1[3]), 'the LB IP still jumps to KUBE-EXT');
  assert.ok(out.includes(specAddedOnVm1[4]), 'the NodePort still jumps to KUBE-EXT');
  assert.equal(out.filter((l) => l.includes('KUBE-SVL-')).length, 0);
  assert.deepEqual(
    out.filter((l) => l.startsWith('-A KUBE-EXT-')),
    specAddedOnVm1.slice(5, 8),
  );
});

test('NodePort eTP=Cluster: KUBE-EXT masquerades then jumps to KUBE-SVC', () => {
  const out = lines(
    compile(
      service({ type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31380 }] }),
      storeBe,
    ),
  );
  const ext = out.filter((l) => l.startsWith('-A KUBE-EXT-MKWJAYKO35F7WYOU'));
  assert.deepEqual(ext, [
    '-A KUBE-EXT-MKWJAYKO35F7WYOU -m comment --comment "masquerade traffic for default/store-be:http external destinations" -j KUBE-MARK-MASQ',
    '-A KUBE-EXT-MKWJAYKO35F7WYOU -j KUBE-SVC-MKWJAYKO35F7WYOU',
  ]);
  assert.ok(
    out.includes(
      '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/store-be:http" -m tcp --dport 31380 -j KUBE-EXT-MKWJAYKO35F7WYOU',
    ),
  );
});

test('internalTrafficPolicy=Local without a local endpoint: filter DROP for the ClusterIP', () => {
  const out = lines(compile(service({ internalTrafficPolicy: 'Local' }), storeBe.slice(1), 'vm1'));
  assert.ok(
    out.includes(
      '-A KUBE-SERVICES -d 10.9.3.76/32 -p tcp -m comment --comment "default/store-be:http has no local endpoints" -m tcp --dport 80 -j DROP',
    ),
  );
  assert.equal(out.filter((l) => /KUBE-(SVC|SVL|SEP)-/.test(l)).length, 0);
});

test('internalTrafficPolicy=Local with a local endpoint: ClusterIP jumps to KUBE-SVL', () => {
  const out = lines(compile(service({ internalTrafficPolicy: 'Local' }), storeBe, 'vm1'));
  assert.ok(
    out.includes(
      '-A KUBE-SERVICES -d 10.9.3.76/32 -p tcp -m comment --comment "default/store-be:http cluster IP" -m tcp --dport 80 -j KUBE-SVL-MKWJAYKO35F7WYOU',
    ),
  );
  assert.ok(
    out.includes(
      '-A KUBE-SVL-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.0.9:80" -j KUBE-SEP-KQPJSLOGUEFRLVDM',
    ),
  );
  assert.equal(out.filter((l) => l.includes('KUBE-SVC-')).length, 0);
});

test('headless and ExternalName services get no rules', () => {
  for (const spec of [{ clusterIP: 'None' }, { type: 'ExternalName', externalName: 'example.com', clusterIP: '' }]) {
    const out = lines(compile(service(spec), storeBe));
    assert.equal(out.filter((l) => l.includes('store-be')).length, 0);
  }
});
