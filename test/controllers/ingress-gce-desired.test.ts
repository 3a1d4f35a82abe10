import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGceIngress } from '../../controllers/ingress-gce/class.js';
import {
  backendHealth,
  backendNodePorts,
  clusterUIDFrom,
  desiredForwardingRule,
  desiredL7Firewall,
  forwardingRuleUpToDate,
  labelledIngress,
  type StoredUrlMap,
} from '../../controllers/ingress-gce/desired.js';
import { buildUrlMap, routeRequest, type UrlMap } from '../../src/dataplane/ingress/url-map.js';
import type { ForwardingRule } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import type { IngressClass } from '../../src/registry/kinds/ingressclass/schema.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';

const UID = '0123456789abcdef';

function ingress(over: { annotations?: Record<string, string>; className?: string; tls?: boolean } = {}): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: 'default', name: 'store', uid: 'ing-uid-1', annotations: over.annotations },
    spec: {
      ingressClassName: over.className,
      tls: over.tls ? [{ hosts: ['shop.example.com'], secretName: 'tls' }] : undefined,
      rules: [
        {
          http: {
            paths: [
              {
                path: '/customers',
                pathType: 'Prefix',
                backend: { service: { name: 'customers-be', port: { number: 80 } } },
              },
              {
                path: '/products',
                pathType: 'Prefix',
                backend: { service: { name: 'products-be', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

function service(name: string, type: string, nodePort?: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name },
    spec: { type, ports: [{ name: 'http', port: 80, protocol: 'TCP', ...(nodePort ? { nodePort } : {}) }] },
  } as Service;
}

const classes: Record<string, IngressClass> = {
  'gce-internal': {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'gce-internal' },
    spec: { controller: 'k8s.io/ingress-gce' },
  },
  nginx: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx' },
    spec: { controller: 'k8s.io/ingress-nginx' },
  },
};

const classCases = [
  { name: 'no class at all: the default class gce', ing: ingress(), want: true },
  { name: 'ingressClassName gce', ing: ingress({ className: 'gce' }), want: true },
  {
    name: 'ingressClassName of a class whose controller is ingress-gce',
    ing: ingress({ className: 'gce-internal' }),
    want: true,
  },
  { name: 'ingressClassName of another controller', ing: ingress({ className: 'nginx' }), want: false },
  { name: 'ingressClassName of a class that does not exist', ing: ingress({ className: 'missing' }), want: false },
  {
    name: 'legacy annotation gce',
    ing: ingress({ annotations: { 'kubernetes.io/ingress.class': 'gce' } }),
    want: true,
  },
  {
    name: 'legacy annotation nginx',
    ing: ingress({ annotations: { 'kubernetes.io/ingress.class': 'nginx' } }),
    want: false,
  },
  {
    name: 'empty legacy annotation: as if absent',
    ing: ingress({ annotations: { 'kubernetes.io/ingress.class': '' } }),
    want: true,
  },
  {
    name: 'the annotation wins over ingressClassName',
    ing: ingress({ className: 'gce', annotations: { 'kubernetes.io/ingress.class': 'nginx' } }),
    want: false,
  },
];
for (const tc of classCases) {
  test(`isGceIngress: ${tc.name}`, () =>
    assert.equal(
      isGceIngress(tc.ing, (name) => classes[name]),
      tc.want,
    ));
}

test('clusterUIDFrom: 16 hex digits, stable for one uid, different for another, none without a uid', () => {
  const a = clusterUIDFrom({ metadata: { uid: '5c1b7c0e-0000-4000-8000-000000000001' } });
  assert.match(a ?? '', /^[0-9a-f]{16}$/);
  assert.equal(clusterUIDFrom({ metadata: { uid: '5c1b7c0e-0000-4000-8000-000000000001' } }), a);
  assert.notEqual(clusterUIDFrom({ metadata: { uid: '5c1b7c0e-0000-4000-8000-000000000002' } }), a);
  assert.equal(clusterUIDFrom({ metadata: {} }), undefined);
});

function node(name: string, ready?: { status: string; reason?: string }, deleting = false): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {},
    status: { conditions: ready ? [{ type: 'Ready', ...ready }] : [] },
  };
}

const healthCases = [
  {
    name: 'Ready',
    node: node('vm1', { status: 'True' }),
    want: { node: 'vm1', healthy: true, reason: 'node is Ready' },
  },
  {
    name: 'NotReady with a reason',
    node: node('vm2', { status: 'False', reason: 'KubeletNotReady' }),
    want: { node: 'vm2', healthy: false, reason: 'node is not Ready: Ready=False (KubeletNotReady)' },
  },
  {
    name: 'Unknown',
    node: node('vm3', { status: 'Unknown' }),
    want: { node: 'vm3', healthy: false, reason: 'node is not Ready: Ready=Unknown' },
  },
  {
    name: 'no Ready condition',
    node: node('vm4'),
    want: { node: 'vm4', healthy: false, reason: 'node has no Ready condition' },
  },
  {
    name: 'Ready but being deleted',
    node: node('vm5', { status: 'True' }, true),
    want: { node: 'vm5', healthy: false, reason: 'node is being deleted' },
  },
];
for (const tc of healthCases) {
  test(`backendHealth: ${tc.name}`, () => assert.deepEqual(backendHealth(tc.node), tc.want));
}

const firewallCases = [
  { name: 'no ports: no rule (tcp without ports would open all)', ports: [], want: undefined },
  { name: 'ports sorted and de-duplicated', ports: [30002, 30001, 30002, 31380], want: ['30001', '30002', '31380'] },
];
for (const tc of firewallCases) {
  test(`desiredL7Firewall: ${tc.name}`, () => {
    const fw = desiredL7Firewall(UID, tc.ports);
    if (!tc.want) return assert.equal(fw, undefined);
    assert.equal(fw?.metadata.name, `k8s-fw-l7--${UID}`);
    assert.deepEqual(fw?.spec.sourceRanges, ['130.211.0.0/22', '35.191.0.0/16']);
    assert.deepEqual(fw?.spec.allowed, [{ protocol: 'tcp', ports: tc.want }]);
    assert.equal(fw?.spec.targetNodes, undefined, 'every node');
  });
}

test('backendNodePorts: rules and the default backend, each port once, sorted', () => {
  const be = (nodePort: number) => ({
    service: { namespace: 'default', name: `s${nodePort}` },
    servicePort: 80,
    nodePort,
  });
  const map: UrlMap = {
    rules: [
      { path: '/a', pathType: 'Prefix', backend: be(30005) },
      { path: '/b', pathType: 'Exact', backend: be(30001) },
      { path: '/c', pathType: 'Exact', backend: be(30005) },
    ],
    defaultBackend: be(30003),
    errors: [],
  };
  assert.deepEqual(backendNodePorts(map), [30001, 30003, 30005]);
  assert.deepEqual(backendNodePorts({ rules: [], errors: [] }), []);
});

const services: Record<string, Service> = {
  'customers-be': service('customers-be', 'NodePort', 30001),
  'products-be': service('products-be', 'NodePort', 30002),
};

test('desiredForwardingRule: scenario 21 URL map, nodes, labels and ports', () => {
  const ing = ingress();
  const urlMap = buildUrlMap(ing, (_ns, name) => services[name], UID);
  const fr = desiredForwardingRule(ing, urlMap, UID, '86.73.50.9', ['vm1', 'vm2', 'vm3']);
  assert.equal(fr.metadata.name, `k8s-fw-default-store--${UID}`);
  assert.deepEqual(labelledIngress(fr), { namespace: 'default', name: 'store' });
  assert.equal(fr.metadata.labels['compute.kplane.io/ingress-uid'], 'ing-uid-1');
  assert.deepEqual(
    { ip: fr.spec.ipAddress, protocol: fr.spec.protocol, ports: fr.spec.ports },
    { ip: '86.73.50.9', protocol: 'TCP', ports: ['80'] },
  );
  const stored = fr.spec.target.urlMap as unknown as StoredUrlMap;
  assert.equal(stored.name, `k8s-um-default-store--${UID}`);
  assert.deepEqual(stored.nodes, ['vm1', 'vm2', 'vm3']);
  const routed = routeRequest(stored, 'shop.example.com', '/products/42');
  assert.equal(routed.backend?.service.name, 'products-be');
  assert.equal(routed.backend?.backendService, `k8s-be-30002--${UID}`);
  assert.equal(routeRequest(stored, 'shop.example.com', '/productsX').backend, undefined);
});

test('desiredForwardingRule: TLS adds port 443', () => {
  const ing = ingress({ tls: true });
  const fr = desiredForwardingRule(
    ing,
    buildUrlMap(ing, (_ns, name) => services[name], UID),
    UID,
    '86.73.50.9',
    [],
  );
  assert.deepEqual(fr.spec.ports, ['80', '443']);
});

test('forwardingRuleUpToDate: spec and our labels must match; extra user labels are fine', () => {
  const ing = ingress();
  const desired = desiredForwardingRule(
    ing,
    buildUrlMap(ing, (_ns, name) => services[name], UID),
    UID,
    '86.73.50.9',
    ['vm1'],
  );
  const current = (over: Partial<ForwardingRule['metadata']>, spec = desired.spec): ForwardingRule => ({
    apiVersion: 'compute.kplane.io/v1alpha1',
    kind: 'ForwardingRule',
    metadata: { ...desired.metadata, ...over },
    spec,
  });
  assert.equal(
    forwardingRuleUpToDate(current({ labels: { ...desired.metadata.labels, team: 'shop' } }), desired),
    true,
  );
  assert.equal(forwardingRuleUpToDate(current({ labels: {} }), desired), false);
  assert.equal(forwardingRuleUpToDate(current({}, { ...desired.spec, ipAddress: '86.73.50.10' }), desired), false);
});
