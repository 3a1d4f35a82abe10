import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseAddress } from '../../controllers/cloud-lb/address.js';
import {
  desiredLoadBalancer,
  forwardingRuleName,
  isHandled,
  protocolGroups,
  sharedHealthCheckFirewall,
} from '../../controllers/cloud-lb/desired.js';
import { backendsHealth, kubeProxyHealth, localReadyEndpoints } from '../../controllers/cloud-lb/health.js';
import { LoadBalancerIPPool } from '../../controllers/common/ip-pool.js';
import type { EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Service, ServiceSpec } from '../../src/registry/kinds/service/schema.js';

const UID = '5d3e0f2a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const LB_NAME = 'a5d3e0f2a1b2c4d5e8f90a1b2c3d4e5f';
const HC_RANGES = ['130.211.0.0/22', '35.191.0.0/16', '209.85.152.0/22', '209.85.204.0/22'];

function service(spec: Partial<ServiceSpec>, extra: { deleting?: boolean } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      namespace: 'default',
      name: 'store-lb',
      uid: UID,
      ...(extra.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 31380 }],
      ...spec,
    },
  } as Service;
}

function node(
  name: string,
  ready: 'True' | 'False' | undefined,
  extra: Partial<Node['metadata']> & { taint?: string } = {},
): Node {
  const { taint, ...meta } = extra;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...meta },
    spec: taint ? { taints: [{ key: taint, effect: 'NoSchedule' }] } : {},
    status: ready ? { conditions: [{ type: 'Ready', status: ready }] } : {},
  } as Node;
}

function slice(endpoints: { ip: string; node?: string; ready?: boolean }[], addressType = 'IPv4'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: 'default',
      name: `store-lb-${endpoints.length}`,
      labels: { 'kubernetes.io/service-name': 'store-lb' },
    },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node,
      conditions: e.ready === undefined ? undefined : { ready: e.ready },
    })),
  } as EndpointSlice;
}

const handledCases = [
  { name: 'LoadBalancer, no class', svc: service({}), want: true },
  { name: 'another loadBalancerClass', svc: service({ loadBalancerClass: 'example.com/metallb' }), want: false },
  { name: 'NodePort', svc: service({ type: 'NodePort' }), want: false },
  { name: 'ClusterIP', svc: service({ type: 'ClusterIP' }), want: false },
  { name: 'being deleted', svc: service({}, { deleting: true }), want: false },
];
for (const tc of handledCases) test(`isHandled: ${tc.name}`, () => assert.equal(isHandled(tc.svc), tc.want));

const groupCases = [
  { name: 'one TCP port', ports: [{ protocol: 'TCP', port: 80 }], want: [{ protocol: 'TCP', ports: ['80'] }] },
  {
    name: 'TCP and UDP, in order of first appearance, ports deduplicated',
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
      { protocol: 'UDP', port: 5353 },
      { protocol: 'UDP', port: 53 },
    ],
    want: [
      { protocol: 'UDP', ports: ['53', '5353'] },
      { protocol: 'TCP', ports: ['53'] },
    ],
  },
  {
    name: 'SCTP is not load-balanced',
    ports: [
      { protocol: 'SCTP', port: 9 },
      { protocol: 'TCP', port: 443 },
    ],
    want: [{ protocol: 'TCP', ports: ['443'] }],
  },
];
for (const tc of groupCases) {
  test(`protocolGroups: ${tc.name}`, () => {
    const svc = service({ ports: tc.ports.map((p) => ({ ...p, targetPort: p.port })) });
    assert.deepEqual(protocolGroups(svc), tc.want);
  });
}

const ruleNameCases = [
  { protocol: 'TCP', index: 0, want: LB_NAME },
  { protocol: 'UDP', index: 0, want: LB_NAME },
  { protocol: 'UDP', index: 1, want: `${LB_NAME}-udp` },
];
for (const tc of ruleNameCases) {
  test(`forwardingRuleName: ${tc.protocol} #${tc.index}`, () =>
    assert.equal(forwardingRuleName(LB_NAME, tc.protocol, tc.index), tc.want));
}

const labels = {
  'compute.kplane.io/service-namespace': 'default',
  'compute.kplane.io/service-name': 'store-lb',
  'compute.kplane.io/service-uid': UID,
};
const fwDescription = '{"kubernetes.io/service-name":"default/store-lb", "kubernetes.io/service-ip":"86.75.30.9"}';

test('desiredLoadBalancer: eTP=Cluster, one TCP port (S82)', () => {
  const plan = desiredLoadBalancer(service({}), '86.75.30.9', ['vm1', 'vm2', 'vm3']);
  assert.equal(plan.lbName, LB_NAME);
  assert.deepEqual(plan.forwardingRules, [
    {
      metadata: { name: LB_NAME, labels },
      spec: {
        ipAddress: '86.75.30.9',
        protocol: 'TCP',
        ports: ['80'],
        target: { nodes: ['vm1', 'vm2', 'vm3'] },
        description: '{"kubernetes.io/service-name":"default/store-lb"}',
      },
    },
  ]);
  assert.deepEqual(plan.firewalls, [
    {
      metadata: { name: `k8s-fw-${LB_NAME}`, labels },
      spec: {
        sourceRanges: ['0.0.0.0/0'],
        allowed: [{ protocol: 'tcp', ports: ['80'] }],
        priority: 1000,
        description: fwDescription,
      },
    },
  ]);
});

test('desiredLoadBalancer: eTP=Local adds the healthCheckNodePort firewall; source ranges are used', () => {
  const svc = service({
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 32012,
    loadBalancerSourceRanges: ['198.51.100.0/24 ', '192.0.2.7/32'],
  });
  const { firewalls } = desiredLoadBalancer(svc, '86.75.30.9', ['vm1']);
  assert.deepEqual(
    firewalls.map((f) => [f.metadata.name, f.spec.sourceRanges, f.spec.allowed]),
    [
      [`k8s-fw-${LB_NAME}`, ['198.51.100.0/24', '192.0.2.7/32'], [{ protocol: 'tcp', ports: ['80'] }]],
      [`k8s-${LB_NAME}-http-hc`, HC_RANGES, [{ protocol: 'tcp', ports: ['32012'] }]],
    ],
  );
});

test('desiredLoadBalancer: mixed protocols make one rule per protocol, one firewall for both', () => {
  const svc = service({
    ports: [
      { protocol: 'TCP', port: 53, targetPort: 53 },
      { protocol: 'UDP', port: 53, targetPort: 53 },
    ],
  });
  const plan = desiredLoadBalancer(svc, '86.75.30.9', ['vm1']);
  assert.deepEqual(
    plan.forwardingRules.map((r) => [r.metadata.name, r.spec.protocol, r.spec.ports, r.spec.ipAddress]),
    [
      [LB_NAME, 'TCP', ['53'], '86.75.30.9'],
      [`${LB_NAME}-udp`, 'UDP', ['53'], '86.75.30.9'],
    ],
  );
  assert.deepEqual(plan.firewalls[0].spec.allowed, [
    { protocol: 'tcp', ports: ['53'] },
    { protocol: 'udp', ports: ['53'] },
  ]);
});

test('sharedHealthCheckFirewall: kube-proxy healthz from the health checkers', () => {
  const fw = sharedHealthCheckFirewall('kplane');
  assert.equal(fw.metadata.name, 'k8s-kplane-node-http-hc');
  assert.deepEqual(fw.spec.sourceRanges, HC_RANGES);
  assert.deepEqual(fw.spec.allowed, [{ protocol: 'tcp', ports: ['10256'] }]);
});

const proxyCases = [
  { name: 'Ready', node: node('vm1', 'True'), want: { healthy: true, reason: 'kube-proxy healthz 200' } },
  { name: 'NotReady', node: node('vm1', 'False'), want: { healthy: false, reason: 'node NotReady' } },
  { name: 'no Ready condition', node: node('vm1', undefined), want: { healthy: false, reason: 'node NotReady' } },
  {
    name: 'being deleted',
    node: node('vm1', 'True', { deletionTimestamp: '2024-01-01T00:00:00Z' }),
    want: { healthy: false, reason: 'kube-proxy healthz 503: node is being deleted' },
  },
  {
    name: 'autoscaler deletion taint',
    node: node('vm1', 'True', { taint: 'ToBeDeletedByClusterAutoscaler' }),
    want: { healthy: false, reason: 'kube-proxy healthz 503: node has taint ToBeDeletedByClusterAutoscaler' },
  },
];
for (const tc of proxyCases)
  test(`kubeProxyHealth: ${tc.name}`, () => assert.deepEqual(kubeProxyHealth(tc.node), { node: 'vm1', ...tc.want }));

const localCases = [
  {
    name: 'ready endpoints counted per node, by distinct IP',
    slices: [
      slice([
        { ip: '10.11.0.9', node: 'vm1' },
        { ip: '10.11.5.3', node: 'vm2', ready: true },
      ]),
      slice([
        { ip: '10.11.5.3', node: 'vm2' },
        { ip: '10.11.5.4', node: 'vm2' },
      ]),
    ],
    want: { vm1: 1, vm2: 2 },
  },
  {
    name: 'not-ready endpoints do not count',
    slices: [slice([{ ip: '10.11.0.9', node: 'vm1', ready: false }])],
    want: {},
  },
  { name: 'endpoints without a node do not count', slices: [slice([{ ip: '10.11.0.9' }])], want: {} },
  { name: 'FQDN slices are ignored', slices: [slice([{ ip: 'db.example.com', node: 'vm1' }], 'FQDN')], want: {} },
];
for (const tc of localCases) {
  test(`localReadyEndpoints: ${tc.name}`, () =>
    assert.deepEqual(Object.fromEntries(localReadyEndpoints(tc.slices)), tc.want));
}

test('backendsHealth: the talk S116 case under Local (VM1 {pod1}, VM2 {pod2, pod3}, VM3 {})', () => {
  const svc = service({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32012 });
  const nodes = ['vm1', 'vm2', 'vm3'].map((n) => node(n, 'True'));
  const slices = [
    slice([
      { ip: '10.11.0.9', node: 'vm1' },
      { ip: '10.11.5.3', node: 'vm2' },
      { ip: '10.11.5.4', node: 'vm2' },
    ]),
  ];
  assert.deepEqual(backendsHealth(svc, nodes, slices), [
    { node: 'vm1', healthy: true, reason: 'healthCheckNodePort 32012: 200 localEndpoints=1' },
    { node: 'vm2', healthy: true, reason: 'healthCheckNodePort 32012: 200 localEndpoints=2' },
    { node: 'vm3', healthy: false, reason: 'healthCheckNodePort 32012: 503 localEndpoints=0' },
  ]);
});

test('backendsHealth: the same nodes under Cluster are all healthy, endpoints or not', () => {
  const nodes = ['vm1', 'vm2', 'vm3'].map((n) => node(n, 'True'));
  assert.deepEqual(
    backendsHealth(service({}), nodes, []).map((b) => b.healthy),
    [true, true, true],
  );
});

const POOL = '86.75.30.8/29';
const addressCases: {
  name: string;
  taken?: [string, string][];
  inUse?: string[];
  requested?: string;
  remembered?: string;
  current?: string;
  want: { ip?: string; problem?: string };
}[] = [
  { name: 'first free address of the pool', want: { ip: '86.75.30.9' } },
  { name: 'skips addresses other rules hold', inUse: ['86.75.30.9'], want: { ip: '86.75.30.10' } },
  {
    name: 'skips addresses the Ingress controller picked',
    taken: [['ingress/default/web', '86.75.30.9']],
    want: { ip: '86.75.30.10' },
  },
  { name: 'requested and free', requested: '86.75.30.12', want: { ip: '86.75.30.12' } },
  {
    name: 'requested but taken',
    requested: '86.75.30.9',
    inUse: ['86.75.30.9'],
    want: { problem: 'requested load balancer IP 86.75.30.9 is already in use' },
  },
  {
    name: 'requested outside the pool',
    requested: '192.0.2.1',
    want: { problem: 'requested load balancer IP 192.0.2.1 is not in loadBalancerIPPool' },
  },
  {
    name: 'requested move to a taken address keeps the current one',
    requested: '86.75.30.9',
    inUse: ['86.75.30.9'],
    current: '86.75.30.11',
    want: { ip: '86.75.30.11', problem: 'requested load balancer IP 86.75.30.9 is already in use' },
  },
  { name: 'existing rule kept (restart)', current: '86.75.30.13', want: { ip: '86.75.30.13' } },
  {
    name: 'remembered address wins over a hand-edited rule',
    remembered: '86.75.30.10',
    current: '86.75.30.13',
    want: { ip: '86.75.30.10' },
  },
  {
    name: 'rule edited to a taken address: a free one',
    current: '86.75.30.9',
    inUse: ['86.75.30.9'],
    want: { ip: '86.75.30.10' },
  },
  {
    name: 'pool full',
    inUse: ['86.75.30.9', '86.75.30.10', '86.75.30.11', '86.75.30.12', '86.75.30.13', '86.75.30.14'],
    want: { problem: 'no free address left in loadBalancerIPPool' },
  },
];
for (const tc of addressCases) {
  test(`chooseAddress: ${tc.name}`, () => {
    const pool = new LoadBalancerIPPool(POOL);
    for (const [owner, ip] of tc.taken ?? []) pool.allocate(owner, new Set(), ip);
    const choice = chooseAddress(pool, {
      owner: 'svc/default/store-lb',
      requested: tc.requested,
      remembered: tc.remembered,
      current: tc.current,
      inUse: new Set(tc.inUse),
    });
    assert.deepEqual(choice, tc.want);
  });
}
