import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KUBELET_VERSION } from '../../controllers/nodes/node-status.js';
import { nodesController } from '../../controllers/nodes/nodes.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import { FakeCluster } from './fake-context.js';

const FIXTURE = { nodes: 3, vpcCIDR: '10.240.0.0/16', externalIPPool: '35.0.0.0/24' };
const NOW = '2025-01-01T12:00:00Z';

const addresses = (node: Node | undefined) => node?.status?.addresses?.map((a) => `${a.type}=${a.address}`);

test('nodes: the first start registers vm1…vmN with the fixture addresses', async () => {
  const cluster = new FakeCluster();
  await nodesController(FIXTURE).start!(cluster.ctx());
  const nodes = cluster.all('Node');
  assert.deepEqual(
    nodes.map((n) => [n.metadata.name, addresses(n)]),
    [
      ['vm1', ['InternalIP=10.240.0.2', 'ExternalIP=35.0.0.1', 'Hostname=vm1']],
      ['vm2', ['InternalIP=10.240.0.3', 'ExternalIP=35.0.0.2', 'Hostname=vm2']],
      ['vm3', ['InternalIP=10.240.0.4', 'ExternalIP=35.0.0.3', 'Hostname=vm3']],
    ],
  );
  const vm1 = nodes[0];
  assert.deepEqual(vm1.metadata.labels, {
    'kubernetes.io/hostname': 'vm1',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
  });
  assert.deepEqual(
    vm1.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', NOW],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', NOW],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', NOW],
      ['Ready', 'True', 'KubeletReady', NOW],
    ],
  );
  assert.deepEqual(vm1.status?.capacity, { cpu: '2', memory: '7.5Gi', pods: '110' });
  assert.deepEqual(vm1.status?.allocatable, { cpu: '2', memory: '7.5Gi', pods: '110' });
  const info = vm1.status?.nodeInfo as Record<string, string>;
  assert.equal(info.kubeletVersion, KUBELET_VERSION);
  assert.equal(KUBELET_VERSION, 'v1.32.0-kplane');
  assert.equal(info.operatingSystem, 'linux');
  assert.notEqual(info.machineID, (nodes[1].status?.nodeInfo as Record<string, string>).machineID);
});

test('nodes: nothing is registered when a Node already exists', async () => {
  const existing: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'mine' }, spec: {} };
  const cluster = new FakeCluster([existing]);
  await nodesController(FIXTURE).start!(cluster.ctx());
  assert.deepEqual(cluster.callsOf('create'), []);
});

test('nodes: registering is idempotent when a VM already exists in storage but not in the cache', async () => {
  const cluster = new FakeCluster();
  cluster.stale();
  cluster.put('Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'vm2' }, spec: {} });
  await nodesController(FIXTURE).start!(cluster.ctx());
  assert.deepEqual(
    cluster.all('Node').map((n) => n.metadata.name),
    ['vm2', 'vm1', 'vm3'],
  );
});

test('nodes: a VPC range with no room for a VM fails the start', async () => {
  await assert.rejects(
    nodesController({ ...FIXTURE, vpcCIDR: '10.240.0.0/30' }).start!(new FakeCluster().ctx()),
    /has no address left for node vm1/,
  );
});

test('nodes: a Node created without status gets a kubelet status with free addresses', async () => {
  const cluster = new FakeCluster();
  const controller = nodesController(FIXTURE);
  await controller.start!(cluster.ctx());
  cluster.put('Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'vm4' }, spec: { podCIDR: '10.11.3.0/24' } });
  cluster.remove('Node', { name: 'vm2' });
  await controller.reconcile(cluster.ctx(), { name: 'vm2' });
  await controller.reconcile(cluster.ctx(), { name: 'vm4' });
  const vm4 = cluster.get('Node', { name: 'vm4' });
  assert.deepEqual(addresses(vm4), ['InternalIP=10.240.0.3', 'ExternalIP=35.0.0.2', 'Hostname=vm4']);
  assert.equal(vm4?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(vm4?.spec.podCIDR, '10.11.3.0/24');
  assert.deepEqual(
    cluster.callsOf('updateStatus').map((c) => c.key),
    ['vm4'],
  );
});

test('nodes: what a Node already reports is kept (a NotReady node stays NotReady, no ExternalIP stays none)', async () => {
  const partial: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'private' },
    spec: {},
    status: {
      addresses: [{ type: 'InternalIP', address: '10.240.0.50' }],
      conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
    },
  };
  const cluster = new FakeCluster([partial]);
  await nodesController(FIXTURE).reconcile(cluster.ctx(), { name: 'private' });
  const stored = cluster.get('Node', { name: 'private' });
  assert.deepEqual(addresses(stored), ['InternalIP=10.240.0.50']);
  assert.deepEqual(stored?.status?.conditions, partial.status?.conditions);
  assert.deepEqual(stored?.status?.capacity, { cpu: '2', memory: '7.5Gi', pods: '110' });
});

test('nodes: a complete Node is not written', async () => {
  const cluster = new FakeCluster();
  const controller = nodesController(FIXTURE);
  await controller.start!(cluster.ctx());
  cluster.nowMs += 3_600_000;
  for (const name of ['vm1', 'vm2', 'vm3']) await controller.reconcile(cluster.ctx(), { name });
  assert.deepEqual(cluster.callsOf('updateStatus'), []);
});

test('nodes: addresses picked for Nodes the cache does not show yet are not picked twice', async () => {
  const cluster = new FakeCluster();
  const controller = nodesController({ ...FIXTURE, nodes: 0 });
  cluster.put('Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'a' }, spec: {} });
  cluster.put('Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'b' }, spec: {} });
  cluster.stale();
  await controller.reconcile(cluster.ctx(), { name: 'a' });
  await controller.reconcile(cluster.ctx(), { name: 'b' });
  assert.deepEqual(
    ['a', 'b'].map((name) => addresses(cluster.get('Node', { name }))?.[0]),
    ['InternalIP=10.240.0.2', 'InternalIP=10.240.0.3'],
  );
});
