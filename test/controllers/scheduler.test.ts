import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tolerates, unfitReason, unschedulableMessage } from '../../controllers/scheduler/feasibility.js';
import { schedulerController } from '../../controllers/scheduler/scheduler.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Pod, PodSpec } from '../../src/registry/kinds/pod/schema.js';
import { FakeCluster } from './fake-context.js';

function node(
  name: string,
  opts: {
    ready?: boolean;
    unschedulable?: boolean;
    taints?: Node['spec']['taints'];
    labels?: Record<string, string>;
    pods?: string;
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { unschedulable: opts.unschedulable, taints: opts.taints },
    status: {
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
      allocatable: { pods: opts.pods ?? '110' },
    },
  };
}

function pod(name: string, spec: Partial<PodSpec> = {}, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'nginx' }], schedulerName: 'default-scheduler', ...spec } as PodSpec,
    status: { phase: 'Pending' },
    ...extra,
  };
}

const toleranceCases: { name: string; toleration: Parameters<typeof tolerates>[0]; ok: boolean }[] = [
  {
    name: 'same key, value and effect',
    toleration: { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
    ok: true,
  },
  { name: 'empty operator means Equal', toleration: { key: 'dedicated', value: 'gpu' }, ok: true },
  { name: 'different value', toleration: { key: 'dedicated', value: 'cpu' }, ok: false },
  { name: 'Exists ignores the value', toleration: { key: 'dedicated', operator: 'Exists' }, ok: true },
  { name: 'empty key with Exists tolerates everything', toleration: { operator: 'Exists' }, ok: true },
  { name: 'other effect', toleration: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, ok: false },
  { name: 'other key', toleration: { key: 'zone', operator: 'Exists' }, ok: false },
];

for (const tc of toleranceCases) {
  test(`tolerates: ${tc.name}`, () => {
    assert.equal(tolerates(tc.toleration, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }), tc.ok);
  });
}

const fitCases: { name: string; node: Node; pod: Pod; load?: number; reason: string | undefined }[] = [
  { name: 'a ready node fits', node: node('vm1'), pod: pod('p'), reason: undefined },
  {
    name: 'a cordoned node',
    node: node('vm1', { unschedulable: true }),
    pod: pod('p'),
    reason: 'node(s) were unschedulable',
  },
  {
    name: 'a cordoned node, tolerated',
    node: node('vm1', { unschedulable: true }),
    pod: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }] }),
    reason: undefined,
  },
  {
    name: 'a node that is not ready',
    node: node('vm1', { ready: false }),
    pod: pod('p'),
    reason: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
  },
  {
    name: 'a NoSchedule taint',
    node: node('vm1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    pod: pod('p'),
    reason: 'node(s) had untolerated taint {dedicated: gpu}',
  },
  {
    name: 'a PreferNoSchedule taint does not filter',
    node: node('vm1', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
    pod: pod('p'),
    reason: undefined,
  },
  {
    name: 'nodeSelector mismatch',
    node: node('vm1'),
    pod: pod('p', { nodeSelector: { disk: 'ssd' } }),
    reason: "node(s) didn't match Pod's node affinity/selector",
  },
  {
    name: 'nodeSelector match',
    node: node('vm1', { labels: { disk: 'ssd' } }),
    pod: pod('p', { nodeSelector: { disk: 'ssd' } }),
    reason: undefined,
  },
  { name: 'a full node', node: node('vm1', { pods: '2' }), pod: pod('p'), load: 2, reason: 'Too many pods' },
];

for (const tc of fitCases) {
  test(`unfitReason: ${tc.name}`, () => {
    assert.equal(unfitReason(tc.pod, tc.node, tc.load ?? 0), tc.reason);
  });
}

test('unschedulableMessage: upstream FitError wording, reasons counted and sorted', () => {
  assert.equal(
    unschedulableMessage(3, [
      'node(s) were unschedulable',
      'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
      'node(s) were unschedulable',
    ]),
    '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
  assert.equal(unschedulableMessage(0, []), 'no nodes available to schedule pods');
});

async function scheduleAll(cluster: FakeCluster, names: string[]) {
  const scheduler = schedulerController();
  for (const name of names) await scheduler.reconcile(cluster.ctx(), { namespace: 'default', name });
  return scheduler;
}

const nodeOf = (cluster: FakeCluster, name: string) =>
  cluster.get('Pod', { namespace: 'default', name })?.spec.nodeName;

test('scheduler: spreads pods evenly, ties broken by node name', async () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const cluster = new FakeCluster([node('vm2'), node('vm1'), node('vm3'), ...names.map((n) => pod(n))]);
  await scheduleAll(cluster, names);
  assert.deepEqual(
    names.map((n) => nodeOf(cluster, n)),
    ['vm1', 'vm2', 'vm3', 'vm1', 'vm2', 'vm3'],
  );
});

test('scheduler: binds with spec.nodeName, then reports PodScheduled=True through status', async () => {
  const cluster = new FakeCluster([node('vm1'), pod('a')]);
  await scheduleAll(cluster, ['a']);
  const [bind] = cluster.callsOf('patch', 'Pod');
  assert.deepEqual(bind, {
    verb: 'patch',
    kind: 'Pod',
    key: 'default/a',
    body: { spec: { nodeName: 'vm1' } },
    subresource: undefined,
  });
  const scheduled = cluster.get('Pod', { namespace: 'default', name: 'a' })!;
  assert.deepEqual(scheduled.status?.conditions, [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T12:00:00Z' },
  ]);
  assert.equal(cluster.callsOf('updateStatus', 'Pod').length, 1);
});

test('scheduler: counts the pods nodes already run', async () => {
  const cluster = new FakeCluster([
    node('vm1'),
    node('vm2'),
    pod('x', { nodeName: 'vm1' }),
    pod('y', { nodeName: 'vm1' }),
    pod('z', { nodeName: 'vm2' }),
    pod('a'),
    pod('b'),
  ]);
  await scheduleAll(cluster, ['a', 'b']);
  assert.deepEqual([nodeOf(cluster, 'a'), nodeOf(cluster, 'b')], ['vm2', 'vm1']);
});

test('scheduler: finished pods do not count', async () => {
  const done = pod('x', { nodeName: 'vm1' }, { status: { phase: 'Succeeded' } });
  const cluster = new FakeCluster([node('vm1'), node('vm2'), done, pod('z', { nodeName: 'vm2' }), pod('a')]);
  await scheduleAll(cluster, ['a']);
  assert.equal(nodeOf(cluster, 'a'), 'vm1');
});

test('scheduler: a burst against a stale cache still spreads (assumed pods)', async () => {
  const names = ['a', 'b', 'c', 'd'];
  const cluster = new FakeCluster([node('vm1'), node('vm2'), ...names.map((n) => pod(n))]);
  cluster.stale();
  await scheduleAll(cluster, names);
  assert.deepEqual(
    names.map((n) => nodeOf(cluster, n)),
    ['vm1', 'vm2', 'vm1', 'vm2'],
  );
});

test('scheduler: leaves alone pods with a nodeName, another scheduler, scheduling gates, or being deleted', async () => {
  const cluster = new FakeCluster([
    node('vm1'),
    pod('pinned', { nodeName: 'vm9' }),
    pod('other', { schedulerName: 'my-scheduler' }),
    pod('gated', { schedulingGates: [{ name: 'wait' }] }),
    pod(
      'going',
      {},
      {
        metadata: { name: 'going', namespace: 'default', deletionTimestamp: '2025-01-01T11:00:00Z', finalizers: ['x'] },
      },
    ),
  ]);
  await scheduleAll(cluster, ['pinned', 'other', 'gated', 'going']);
  assert.deepEqual(cluster.calls, []);
});

test('scheduler: with no Ready node the pod stays Pending, PodScheduled=False Unschedulable, with an event', async () => {
  const cluster = new FakeCluster([node('vm1', { ready: false }), node('vm2', { unschedulable: true }), pod('a')]);
  const scheduler = await scheduleAll(cluster, ['a']);
  const message =
    '0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
  const stored = cluster.get('Pod', { namespace: 'default', name: 'a' })!;
  assert.equal(stored.spec.nodeName, undefined);
  assert.equal(stored.status?.phase, 'Pending');
  assert.deepEqual(stored.status?.conditions, [
    {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastTransitionTime: '2025-01-01T12:00:00Z',
    },
  ]);
  const [event] = cluster.all('Event');
  assert.deepEqual(
    [event.type, event.reason, event.message, event.metadata.namespace],
    ['Warning', 'FailedScheduling', message, 'default'],
  );

  await scheduler.reconcile(cluster.ctx(), { namespace: 'default', name: 'a' });
  assert.equal(cluster.callsOf('updateStatus', 'Pod').length, 1, 'an unchanged condition is not written again');
});

test('scheduler: with no node at all the message says so', async () => {
  const cluster = new FakeCluster([pod('a')]);
  await scheduleAll(cluster, ['a']);
  const condition = cluster.get('Pod', { namespace: 'default', name: 'a' })!.status?.conditions?.[0];
  assert.equal(condition?.message, 'no nodes available to schedule pods');
});

test('scheduler: a Node change requeues only pods waiting to be scheduled', () => {
  const cluster = new FakeCluster([node('vm1'), pod('waiting'), pod('bound', { nodeName: 'vm1' })]);
  const [watch] = schedulerController().watches!;
  assert.deepEqual(watch.map(cluster.get('Node', { name: 'vm1' })!, { listers: cluster.ctx().listers }), [
    { namespace: 'default', name: 'waiting' },
  ]);
});

test('scheduler: a failed bind is not counted for the node', async () => {
  const cluster = new FakeCluster([node('vm1'), node('vm2'), pod('a'), pod('b')]);
  cluster.failures.push({ verb: 'patch', kind: 'Pod', error: new Error('boom') });
  const scheduler = schedulerController();
  await assert.rejects(scheduler.reconcile(cluster.ctx(), { namespace: 'default', name: 'a' }), /boom/);
  await scheduler.reconcile(cluster.ctx(), { namespace: 'default', name: 'b' });
  assert.equal(nodeOf(cluster, 'b'), 'vm1');
});
