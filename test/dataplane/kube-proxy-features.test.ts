import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileNode } from '../../src/dataplane/kube-proxy/compile.js';
import { renderIptablesSave, renderRule } from '../../src/dataplane/kube-proxy/render.js';
import type { Rule } from '../../src/dataplane/kube-proxy/rules.js';
import { sampleService, sampleSlice, type SampleEndpoint } from './sample-cluster.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';

const pods: SampleEndpoint[] = [
  { ip: '10.11.0.9', node: 'vm1' },
  { ip: '10.11.5.3', node: 'vm2' },
  { ip: '10.11.8.67', node: 'vm3' },
];
const http = [{ name: 'http', port: 80 }];

function render(
  svc: Service,
  eps: SampleEndpoint[],
  opts: { node?: string; clusterCIDR?: string; nonMasqueradeCIDRs?: string[] } = {},
): string[] {
  const slice = sampleSlice(
    svc.metadata.namespace!,
    svc.metadata.name!,
    (svc.spec.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
    eps,
  );
  const compiled = compileNode({
    nodeName: opts.node ?? 'vm1',
    clusterCIDR: opts.clusterCIDR ?? '10.11.0.0/16',
    nonMasqueradeCIDRs: opts.nonMasqueradeCIDRs ?? ['10.0.0.0/8'],
    services: [svc],
    endpointSlices: [slice],
  });
  return renderIptablesSave(compiled).split('\n');
}

const chainLines = (out: string[], chain: string): string[] => out.filter((l) => l.startsWith(`-A ${chain} `));

test('session affinity: rcheck rules precede the ladder in KUBE-SVC, DNAT records the client', () => {
  const svc = sampleService('default', 'store-be', {
    clusterIP: '10.9.3.76',
    sessionAffinity: 'ClientIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
    ports: http,
  });
  const out = render(svc, pods);
  const recent = (sep: string) =>
    `-m recent --rcheck --seconds 600 --reap --name ${sep} --mask 255.255.255.255 --rsource -j ${sep}`;
  assert.deepEqual(chainLines(out, 'KUBE-SVC-MKWJAYKO35F7WYOU'), [
    '-A KUBE-SVC-MKWJAYKO35F7WYOU ! -s 10.11.0.0/16 -d 10.9.3.76/32 -p tcp -m comment --comment "default/store-be:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    `-A KUBE-SVC-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.0.9:80" ${recent('KUBE-SEP-KQPJSLOGUEFRLVDM')}`,
    `-A KUBE-SVC-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.5.3:80" ${recent('KUBE-SEP-HVKOPSNOPIT62PQL')}`,
    `-A KUBE-SVC-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.8.67:80" ${recent('KUBE-SEP-A4KFNYTNFYTOGI3Y')}`,
    '-A KUBE-SVC-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.0.9:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-KQPJSLOGUEFRLVDM',
    '-A KUBE-SVC-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.5.3:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-HVKOPSNOPIT62PQL',
    '-A KUBE-SVC-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.8.67:80" -j KUBE-SEP-A4KFNYTNFYTOGI3Y',
  ]);
  assert.ok(
    out.includes(
      '-A KUBE-SEP-KQPJSLOGUEFRLVDM -p tcp -m comment --comment "default/store-be:http" -m recent --set --name KUBE-SEP-KQPJSLOGUEFRLVDM --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.11.0.9:80',
    ),
  );
});

test('session affinity: the timeout defaults to 10800 s and applies to the KUBE-SVL ladder too', () => {
  const svc = sampleService(
    'default',
    'store-be',
    {
      type: 'LoadBalancer',
      clusterIP: '10.9.3.76',
      externalTrafficPolicy: 'Local',
      sessionAffinity: 'ClientIP',
      ports: [{ name: 'http', port: 80, nodePort: 31380 }],
    },
    { loadBalancer: { ingress: [{ ip: '86.75.30.9' }] } },
  );
  const svl = chainLines(render(svc, pods), 'KUBE-SVL-MKWJAYKO35F7WYOU');
  assert.deepEqual(svl, [
    '-A KUBE-SVL-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.0.9:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-KQPJSLOGUEFRLVDM --mask 255.255.255.255 --rsource -j KUBE-SEP-KQPJSLOGUEFRLVDM',
    '-A KUBE-SVL-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.0.9:80" -j KUBE-SEP-KQPJSLOGUEFRLVDM',
  ]);
});

/** Upstream proxier_test.go TestOverallIPTablesRules' ns5/svc5, in iptables-save's argument order. */
test('loadBalancerSourceRanges: KUBE-FW as upstream (ns5/svc5), KUBE-PROXY-FIREWALL drops the rest', () => {
  const svc = sampleService(
    'ns5',
    'svc5',
    {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      clusterIP: '172.30.0.45',
      healthCheckNodePort: 30000,
      loadBalancerSourceRanges: [' 203.0.113.0/25'],
      ports: [{ name: 'p80', port: 80, nodePort: 3002 }],
    },
    { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } },
  );
  const out = render(svc, [{ ip: '10.180.0.3', node: 'other' }], { clusterCIDR: '10.0.0.0/8' });
  const expected = [
    '-A KUBE-PROXY-FIREWALL -d 5.6.7.8/32 -p tcp -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp --dport 80 -j DROP',
    '-A KUBE-SERVICES -d 5.6.7.8/32 -p tcp -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C',
    '-A KUBE-FW-NUKIZ6OKUXPJNT4C -s 203.0.113.0/25 -m comment --comment "ns5/svc5:p80 loadbalancer IP" -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
    '-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"',
    '-A KUBE-NODEPORTS -p tcp -m comment --comment "ns5/svc5:p80" -m tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
    '-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ',
    '-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C',
    '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN',
  ];
  for (const line of expected) assert.ok(out.includes(line), line);
  assert.equal(
    out.filter((l) => l.includes('health check node port')).length,
    0,
    'eTP=Cluster: no health-check port rule',
  );
});

const fwService = (ranges: string[], ingress = [{ ip: '86.75.30.9' }]) =>
  sampleService(
    'default',
    'store-be',
    {
      type: 'LoadBalancer',
      clusterIP: '10.9.3.76',
      loadBalancerSourceRanges: ranges,
      ports: [{ name: 'http', port: 80, nodePort: 31380 }],
    },
    { loadBalancer: { ingress } },
  );

const fwCases = [
  {
    name: 'ranges are trimmed, canonicalised, invalid ones skipped',
    svc: fwService([' 203.0.113.7/25', 'not-a-cidr', '198.51.100.0/24 ']),
    eps: pods,
    fw: ['-s 203.0.113.0/25', '-s 198.51.100.0/24', 'other traffic'],
    firewallDrops: 1,
  },
  { name: 'no valid range: no KUBE-FW', svc: fwService(['bogus']), eps: pods, fw: [], firewallDrops: 0 },
  {
    name: 'no endpoints: REJECT instead of KUBE-FW',
    svc: fwService(['203.0.113.0/25']),
    eps: [],
    fw: [],
    firewallDrops: 0,
  },
  { name: 'no LB IP yet: no KUBE-FW', svc: fwService(['203.0.113.0/25'], []), eps: pods, fw: [], firewallDrops: 0 },
  {
    name: 'two LB IPs: one drop rule each',
    svc: fwService(['203.0.113.0/25'], [{ ip: '86.75.30.9' }, { ip: '86.75.30.10' }]),
    eps: pods,
    fw: ['-s 203.0.113.0/25', 'other traffic'],
    firewallDrops: 2,
  },
];
for (const tc of fwCases) {
  test(`loadBalancerSourceRanges: ${tc.name}`, () => {
    const out = render(tc.svc, tc.eps);
    const fw = chainLines(out, 'KUBE-FW-MKWJAYKO35F7WYOU');
    assert.equal(fw.length, tc.fw.length);
    tc.fw.forEach((part, i) => assert.ok(fw[i].includes(part), `${fw[i]} has ${part}`));
    assert.equal(chainLines(out, 'KUBE-PROXY-FIREWALL').length, tc.firewallDrops);
    assert.equal(
      out.filter((l) => l.startsWith('-A KUBE-SERVICES -d 86.75.30.9/32') && l.endsWith('-j KUBE-FW-MKWJAYKO35F7WYOU'))
        .length,
      tc.fw.length > 0 ? 1 : 0,
    );
  });
}

test('ip-masq-agent: POSTROUTING jumps after kube-proxy; link-local and the configured CIDRs return, the rest is masqueraded', () => {
  const svc = sampleService('default', 'store-be', { clusterIP: '10.9.3.76', ports: http });
  const out = render(svc, pods, { nonMasqueradeCIDRs: ['10.0.0.0/8', '172.16.0.0/12'] });
  assert.deepEqual(chainLines(out, 'POSTROUTING'), [
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A POSTROUTING -m comment --comment "ip-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom IP-MASQ-AGENT chain" -m addrtype ! --dst-type LOCAL -j IP-MASQ-AGENT',
  ]);
  const keep = (cidr: string) =>
    `-A IP-MASQ-AGENT -d ${cidr} -m comment --comment "ip-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN`;
  assert.deepEqual(chainLines(out, 'IP-MASQ-AGENT'), [
    keep('169.254.0.0/16'),
    keep('10.0.0.0/8'),
    keep('172.16.0.0/12'),
    '-A IP-MASQ-AGENT -m comment --comment "ip-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)" -j MASQUERADE',
  ]);
  assert.ok(out.includes(':IP-MASQ-AGENT - [0:0]'));
});

const renderCases: { name: string; rule: Rule; want: string }[] = [
  {
    name: 'bare comment when only [A-Za-z0-9_-]',
    rule: { matches: [{ kind: 'comment', text: 'ns1-svc_1' }], target: { kind: 'ACCEPT' } },
    want: '-A X -m comment --comment ns1-svc_1 -j ACCEPT',
  },
  {
    name: 'quoted comment otherwise',
    rule: { matches: [{ kind: 'comment', text: 'ns1/svc1:p80' }], target: { kind: 'ACCEPT' } },
    want: '-A X -m comment --comment "ns1/svc1:p80" -j ACCEPT',
  },
  {
    name: 'quotes, apostrophes and backslashes escaped',
    rule: { matches: [{ kind: 'comment', text: `a"b'c\\d` }], target: { kind: 'ACCEPT' } },
    want: `-A X -m comment --comment "a\\"b\\'c\\\\d" -j ACCEPT`,
  },
  {
    name: 'no -j for a counting rule',
    rule: { matches: [{ kind: 'comment', text: 'x y' }], target: { kind: 'none' } },
    want: '-A X -m comment --comment "x y"',
  },
  {
    name: 'any-source range is left out',
    rule: { source: { cidr: '0.0.0.0/0' }, matches: [], target: { kind: 'RETURN' } },
    want: '-A X -j RETURN',
  },
  {
    name: 'negated destination type',
    rule: { matches: [{ kind: 'addrtype', dstType: 'LOCAL', invertDst: true }], target: { kind: 'RETURN' } },
    want: '-A X -m addrtype ! --dst-type LOCAL -j RETURN',
  },
];
for (const tc of renderCases) test(`render: ${tc.name}`, () => assert.equal(renderRule('X', tc.rule), tc.want));
