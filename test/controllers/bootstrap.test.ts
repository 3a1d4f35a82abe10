import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COREDNS_POD_NAMES, bootstrapController, serviceIP } from '../../controllers/bootstrap/bootstrap.js';
import type { KindMap } from '../../src/runtime/api.js';
import { FakeCluster } from './fake-context.js';

const FIXTURE = { serviceCIDR: '10.9.0.0/16', vpcCIDR: '10.240.0.0/16' };

const created = (cluster: FakeCluster) => cluster.callsOf('create').map((c) => `${c.kind} ${c.key}`);

test('serviceIP: kubernetes takes the first address, kube-dns the tenth', () => {
  assert.equal(serviceIP('10.0.0.0/16', 1), '10.0.0.1');
  assert.equal(serviceIP('10.0.0.0/16', 10), '10.0.0.10');
  assert.equal(serviceIP('10.9.0.0/16', 10), '10.9.0.10');
});

test('bootstrap: start creates the objects every cluster starts with', async () => {
  const cluster = new FakeCluster();
  await bootstrapController(FIXTURE).start!(cluster.ctx());
  assert.deepEqual(created(cluster), [
    'Service default/kubernetes',
    'Endpoints default/kubernetes',
    'EndpointSlice default/kubernetes',
    'Service kube-system/kube-dns',
    `Pod kube-system/${COREDNS_POD_NAMES[0]}`,
    `Pod kube-system/${COREDNS_POD_NAMES[1]}`,
    'IngressClass gce',
  ]);
});

test('bootstrap: default/kubernetes is the first service IP, https 443 → 6443, endpoints at the VPC gateway', async () => {
  const cluster = new FakeCluster();
  await bootstrapController(FIXTURE).start!(cluster.ctx());
  const svc = cluster.get('Service', { namespace: 'default', name: 'kubernetes' })!;
  assert.equal(svc.spec.clusterIP, '10.9.0.1');
  assert.deepEqual(svc.spec.clusterIPs, ['10.9.0.1']);
  assert.equal(svc.spec.selector, undefined);
  assert.deepEqual(svc.spec.ports, [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }]);
  assert.deepEqual(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
  const ep = cluster.get('Endpoints', { namespace: 'default', name: 'kubernetes' })!;
  assert.deepEqual(ep.subsets, [
    { addresses: [{ ip: '10.240.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
  ]);
  assert.equal(ep.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
  const slice = cluster.get('EndpointSlice', { namespace: 'default', name: 'kubernetes' })!;
  assert.deepEqual(
    [slice.metadata.labels, slice.addressType, slice.endpoints, slice.ports],
    [
      { 'kubernetes.io/service-name': 'kubernetes' },
      'IPv4',
      [{ addresses: ['10.240.0.1'], conditions: { ready: true } }],
      [{ name: 'https', protocol: 'TCP', port: 6443 }],
    ],
  );
});

test('bootstrap: the API server address and port can be given', async () => {
  const cluster = new FakeCluster();
  await bootstrapController({ ...FIXTURE, apiServerAddress: '172.16.0.2', apiServerPort: 443 }).start!(cluster.ctx());
  assert.deepEqual(cluster.get('Endpoints', { namespace: 'default', name: 'kubernetes' })!.subsets, [
    { addresses: [{ ip: '172.16.0.2' }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
  ]);
  assert.equal(cluster.get('Service', { namespace: 'default', name: 'kubernetes' })!.spec.ports?.[0].targetPort, 443);
});

test('bootstrap: kube-dns is the talk’s Service (S53) with the tenth address; CoreDNS pods behind it', async () => {
  const cluster = new FakeCluster();
  await bootstrapController(FIXTURE).start!(cluster.ctx());
  const [, , , dns] = cluster.callsOf('create');
  assert.deepEqual(dns.body, {
    metadata: { namespace: 'kube-system', name: 'kube-dns' },
    spec: {
      clusterIP: '10.9.0.10',
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  });
  const pods = cluster.all('Pod');
  assert.equal(pods.length, 2);
  for (const pod of pods) {
    assert.match(pod.metadata.name!, /^coredns-[a-z0-9]+-[a-z0-9]{5}$/);
    assert.equal(pod.metadata.namespace, 'kube-system');
    assert.equal(pod.metadata.labels?.['k8s-app'], 'kube-dns');
    assert.equal(pod.spec.nodeName, undefined, 'scheduled like any pod');
    assert.deepEqual(pod.spec.containers[0].ports, [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ]);
  }
});

test('bootstrap: the IngressClass gce is the default class', async () => {
  const cluster = new FakeCluster();
  await bootstrapController(FIXTURE).start!(cluster.ctx());
  const gce = cluster.get('IngressClass', { name: 'gce' })!;
  assert.deepEqual(gce.metadata.annotations, { 'ingressclass.kubernetes.io/is-default-class': 'true' });
  assert.equal(gce.spec.controller, 'k8s.io/ingress-gce');
});

test('bootstrap: a restart creates nothing new, and an object the cache missed is fine (409)', async () => {
  const cluster = new FakeCluster();
  await bootstrapController(FIXTURE).start!(cluster.ctx());
  const before = cluster.callsOf('create').length;
  await bootstrapController(FIXTURE).start!(cluster.ctx());
  assert.equal(cluster.callsOf('create').length, before, 'the cache shows everything: no create at all');

  const fresh = new FakeCluster();
  fresh.stale();
  await bootstrapController(FIXTURE).start!(fresh.ctx());
  await bootstrapController(FIXTURE).start!(fresh.ctx());
  assert.equal(fresh.all('Pod').length, 2);
});

test('bootstrap: deleted bootstrap objects come back; other Services are ignored', async () => {
  const cluster = new FakeCluster();
  const controller = bootstrapController(FIXTURE);
  await controller.start!(cluster.ctx());
  cluster.remove('Service', { namespace: 'default', name: 'kubernetes' });
  cluster.remove('Endpoints', { namespace: 'default', name: 'kubernetes' });
  cluster.remove('Pod', { namespace: 'kube-system', name: COREDNS_POD_NAMES[1] });
  const before = cluster.calls.length;
  await controller.reconcile(cluster.ctx(), { namespace: 'default', name: 'web' });
  assert.equal(cluster.calls.length, before);
  await controller.reconcile(cluster.ctx(), { namespace: 'default', name: 'kubernetes' });
  await controller.reconcile(cluster.ctx(), { namespace: 'kube-system', name: 'kube-dns' });
  assert.ok(cluster.get('Service', { namespace: 'default', name: 'kubernetes' }));
  assert.ok(cluster.get('Endpoints', { namespace: 'default', name: 'kubernetes' }));
  assert.ok(cluster.get('Pod', { namespace: 'kube-system', name: COREDNS_POD_NAMES[1] }));
});

test('bootstrap: watches map the kubernetes Endpoints/EndpointSlice and the CoreDNS pods to their Service', () => {
  const listers = new FakeCluster().ctx().listers;
  const watches = bootstrapController(FIXTURE).watches!;
  const map = (kind: string, obj: unknown) =>
    watches.find((w) => w.kind === kind)!.map(obj as KindMap[keyof KindMap], { listers });
  assert.deepEqual(map('Endpoints', { metadata: { namespace: 'default', name: 'kubernetes' } }), [
    { namespace: 'default', name: 'kubernetes' },
  ]);
  assert.deepEqual(map('Endpoints', { metadata: { namespace: 'default', name: 'web' } }), []);
  assert.deepEqual(map('EndpointSlice', { metadata: { namespace: 'default', name: 'kubernetes' } }), [
    { namespace: 'default', name: 'kubernetes' },
  ]);
  assert.deepEqual(map('Pod', { metadata: { namespace: 'kube-system', name: COREDNS_POD_NAMES[0] } }), [
    { namespace: 'kube-system', name: 'kube-dns' },
  ]);
  assert.deepEqual(map('Pod', { metadata: { namespace: 'default', name: COREDNS_POD_NAMES[0] } }), []);
});
