import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_RETRY_MS, namespaceController } from '../../controllers/namespace/namespace.js';
import type { KindMap } from '../../src/runtime/api.js';
import type { Namespace } from '../../src/registry/kinds/namespace/schema.js';
import { FakeCluster } from './fake-context.js';

const NOW = '2025-01-01T12:00:00Z';

function namespace(name: string, opts: { deleting?: boolean; finalizers?: string[] } = {}): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(opts.deleting ? { deletionTimestamp: '2025-01-01T11:59:00Z' } : {}) },
    spec: { finalizers: opts.finalizers ?? ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function content(namespaceName: string, finalizers?: string[]): KindMap[keyof KindMap][] {
  const meta = (name: string) => ({ name, namespace: namespaceName, ...(finalizers ? { finalizers } : {}) });
  return [
    { apiVersion: 'v1', kind: 'Pod', metadata: meta('web'), spec: { containers: [] } } as unknown as KindMap['Pod'],
    { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: {} } as unknown as KindMap['Service'],
    { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web') },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta('web-abc'),
      addressType: 'IPv4',
      endpoints: [],
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web.1'),
      involvedObject: {},
      reportingComponent: '',
      reportingInstance: '',
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web'),
      spec: {},
    } as unknown as KindMap['Ingress'],
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: meta('lock'),
      spec: {},
    } as unknown as KindMap['Lease'],
  ];
}

const conditionsOf = (ns: Namespace | undefined) =>
  ns?.status.conditions?.map((c) => [c.type, c.status, c.reason, c.message]);

const OK_CONDITIONS = [
  ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
  [
    'NamespaceDeletionGroupVersionParsingFailure',
    'False',
    'ParsedGroupVersions',
    'All legacy kube types successfully parsed',
  ],
  [
    'NamespaceDeletionContentFailure',
    'False',
    'ContentDeleted',
    'All content successfully deleted, may be waiting on finalization',
  ],
  ['NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'False', 'ContentRemoved', 'All content successfully removed'],
];

test('namespace: a deleted namespace turns Terminating, loses all its content, then is finalized', async () => {
  const cluster = new FakeCluster([
    namespace('shop', { deleting: true }),
    namespace('other'),
    ...content('shop'),
    ...content('other'),
  ]);
  const result = await namespaceController().reconcile(cluster.ctx(), { name: 'shop' });
  assert.equal(result, undefined);
  for (const kind of ['Pod', 'Service', 'Endpoints', 'EndpointSlice', 'Event', 'Ingress', 'Lease'] as const) {
    assert.deepEqual(
      cluster.all(kind).map((o) => o.metadata.namespace),
      ['other'],
      kind,
    );
  }
  const [terminating, conditions] = cluster.callsOf('updateStatus', 'Namespace').map((c) => c.body as Namespace);
  assert.equal(terminating.status.phase, 'Terminating');
  assert.equal(conditions.status.phase, 'Terminating');
  assert.deepEqual(conditionsOf(conditions), OK_CONDITIONS);
  assert.ok(conditions.status.conditions?.every((c) => c.lastTransitionTime === NOW));
  const [finalize] = cluster.callsOf('patch', 'Namespace');
  assert.deepEqual(finalize, {
    verb: 'patch',
    kind: 'Namespace',
    key: 'shop',
    body: { spec: { finalizers: [] } },
    subresource: 'status',
  });
  assert.equal(cluster.get('Namespace', { name: 'shop' }), undefined, 'finalized, the namespace is removed');
});

test('namespace: only the kubernetes finalizer is removed', async () => {
  const cluster = new FakeCluster([
    namespace('shop', { deleting: true, finalizers: ['kubernetes', 'example.com/audit'] }),
  ]);
  await namespaceController().reconcile(cluster.ctx(), { name: 'shop' });
  assert.deepEqual(cluster.callsOf('patch', 'Namespace')[0].body, { spec: { finalizers: ['example.com/audit'] } });
});

test('namespace: content held by finalizers keeps the namespace, with upstream conditions', async () => {
  const cluster = new FakeCluster([
    namespace('shop', { deleting: true }),
    ...content('shop', ['example.com/hold']).slice(0, 2),
  ]);
  const result = await namespaceController().reconcile(cluster.ctx(), { name: 'shop' });
  assert.deepEqual(result, { requeueAfterMs: CONTENT_RETRY_MS });
  assert.deepEqual(cluster.callsOf('patch', 'Namespace'), []);
  assert.equal(cluster.get('Namespace', { name: 'shop' })?.status.phase, 'Terminating');
  const conditions = conditionsOf(cluster.get('Namespace', { name: 'shop' }));
  assert.deepEqual(conditions?.[3], [
    'NamespaceContentRemaining',
    'True',
    'SomeResourcesRemain',
    'Some resources are remaining: pods. has 1 resource instances, services. has 1 resource instances',
  ]);
  assert.deepEqual(conditions?.[4], [
    'NamespaceFinalizersRemaining',
    'True',
    'SomeFinalizersRemain',
    'Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances',
  ]);
  assert.ok(cluster.get('Pod', { namespace: 'shop', name: 'web' })?.metadata.deletionTimestamp);
});

test('namespace: failed deletes are reported in NamespaceDeletionContentFailure and retried', async () => {
  const cluster = new FakeCluster([namespace('shop', { deleting: true }), ...content('shop').slice(0, 1)]);
  cluster.failures.push({ verb: 'delete', kind: 'Pod', error: new Error('etcdserver: request timed out') });
  const result = await namespaceController().reconcile(cluster.ctx(), { name: 'shop' });
  assert.deepEqual(result, { requeueAfterMs: CONTENT_RETRY_MS });
  assert.deepEqual(conditionsOf(cluster.get('Namespace', { name: 'shop' }))?.[2], [
    'NamespaceDeletionContentFailure',
    'True',
    'ContentDeletionFailed',
    'Failed to delete all resource types, 1 remaining: pods.: etcdserver: request timed out',
  ]);
});

test('namespace: a second pass with nothing new writes no status', async () => {
  const cluster = new FakeCluster([
    namespace('shop', { deleting: true }),
    ...content('shop', ['example.com/hold']).slice(0, 1),
  ]);
  const controller = namespaceController();
  await controller.reconcile(cluster.ctx(), { name: 'shop' });
  const writes = cluster.callsOf('updateStatus').length;
  cluster.nowMs += 10_000;
  await controller.reconcile(cluster.ctx(), { name: 'shop' });
  assert.equal(cluster.callsOf('updateStatus').length, writes);
});

test('namespace: active and already finalized namespaces are left alone', async () => {
  const cluster = new FakeCluster([
    namespace('live'),
    namespace('done', { deleting: true, finalizers: [] }),
    ...content('live'),
    ...content('done'),
  ]);
  const controller = namespaceController();
  await controller.reconcile(cluster.ctx(), { name: 'live' });
  await controller.reconcile(cluster.ctx(), { name: 'done' });
  assert.deepEqual(cluster.calls, []);
});

test('namespace: content of a namespace already gone from storage is deleted', async () => {
  const cluster = new FakeCluster([...content('gone'), namespace('kept'), ...content('kept')]);
  await namespaceController().reconcile(cluster.ctx(), { name: 'gone' });
  assert.deepEqual(
    cluster.all('Pod').map((p) => p.metadata.namespace),
    ['kept'],
  );
  assert.equal(cluster.all('Lease').length, 1);
});

test('namespace: a namespace the cache does not know yet but storage has is not emptied', async () => {
  const cluster = new FakeCluster([...content('new')]);
  cluster.stale();
  cluster.put('Namespace', namespace('new'));
  await namespaceController().reconcile(cluster.ctx(), { name: 'new' });
  assert.equal(cluster.all('Pod').length, 1);
  assert.deepEqual(
    cluster.calls.map((c) => c.verb),
    ['get'],
  );
});

test('namespace: changes to objects of terminating or unknown namespaces requeue that namespace', () => {
  const cluster = new FakeCluster([namespace('live'), namespace('dying', { deleting: true })]);
  const watches = namespaceController().watches!;
  assert.equal(watches.length, 7);
  const podWatch = watches.find((w) => w.kind === 'Pod')!;
  const listers = cluster.ctx().listers;
  const podIn = (ns: string) =>
    ({ metadata: { name: 'p', namespace: ns }, spec: { containers: [] } }) as unknown as KindMap['Pod'];
  assert.deepEqual(podWatch.map(podIn('live'), { listers }), []);
  assert.deepEqual(podWatch.map(podIn('dying'), { listers }), [{ name: 'dying' }]);
  assert.deepEqual(podWatch.map(podIn('vanished'), { listers }), [{ name: 'vanished' }]);
});
