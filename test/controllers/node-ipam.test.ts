import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CidrExhaustedError, CidrSet, NO_CIDRS_REMAINING } from '../../controllers/node-ipam/cidr-set.js';
import { EXHAUSTED_RETRY_MS, nodeIpamController } from '../../controllers/node-ipam/node-ipam.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import { FakeCluster } from './fake-context.js';

type Step = { allocate: string } | { occupy: string } | { release: string } | { exhausted: true } | { free: number };

interface Case {
  name: string;
  cluster: string;
  mask?: number;
  steps: Step[];
}

const cases: Case[] = [
  {
    name: 'a fresh allocator hands out ranges in order',
    cluster: '10.11.0.0/16',
    steps: [{ allocate: '10.11.0.0/24' }, { allocate: '10.11.1.0/24' }, { allocate: '10.11.2.0/24' }],
  },
  {
    name: 'round robin: a released range is reused only after the others',
    cluster: '10.11.0.0/16',
    steps: [
      { allocate: '10.11.0.0/24' },
      { allocate: '10.11.1.0/24' },
      { release: '10.11.0.0/24' },
      { allocate: '10.11.2.0/24' },
    ],
  },
  {
    name: 'occupied ranges (preset podCIDRs) are skipped',
    cluster: '10.11.0.0/16',
    steps: [
      { occupy: '10.11.0.0/24' },
      { occupy: '10.11.1.0/24' },
      { occupy: '10.11.5.0/24' },
      { allocate: '10.11.2.0/24' },
      { free: 252 },
    ],
  },
  {
    name: 'occupying a larger range (an overlapping service CIDR) takes every node range in it',
    cluster: '10.8.0.0/14',
    steps: [{ occupy: '10.8.0.0/20' }, { allocate: '10.8.16.0/24' }, { free: 1024 - 17 }],
  },
  {
    name: 'occupying a range containing the cluster CIDR takes everything',
    cluster: '10.11.0.0/22',
    steps: [{ occupy: '10.0.0.0/8' }, { free: 0 }, { exhausted: true }],
  },
  {
    name: 'a /22 with /24 nodes holds four ranges; the fifth allocation fails',
    cluster: '10.11.0.0/22',
    steps: [
      { allocate: '10.11.0.0/24' },
      { allocate: '10.11.1.0/24' },
      { allocate: '10.11.2.0/24' },
      { allocate: '10.11.3.0/24' },
      { exhausted: true },
    ],
  },
  {
    name: 'after exhaustion a released range is found by wrapping around',
    cluster: '10.11.0.0/22',
    steps: [
      { allocate: '10.11.0.0/24' },
      { allocate: '10.11.1.0/24' },
      { allocate: '10.11.2.0/24' },
      { allocate: '10.11.3.0/24' },
      { release: '10.11.1.0/24' },
      { allocate: '10.11.1.0/24' },
      { exhausted: true },
    ],
  },
  {
    name: 'releasing twice and occupying twice are idempotent',
    cluster: '10.11.0.0/22',
    steps: [
      { occupy: '10.11.2.0/24' },
      { occupy: '10.11.2.0/24' },
      { free: 3 },
      { release: '10.11.2.0/24' },
      { release: '10.11.2.0/24' },
      { free: 4 },
    ],
  },
  {
    name: 'a node mask of /26 cuts a /24 into four',
    cluster: '10.11.0.0/24',
    mask: 26,
    steps: [{ allocate: '10.11.0.0/26' }, { allocate: '10.11.0.64/26' }, { free: 2 }],
  },
];

function run(set: CidrSet, step: Step): void {
  if ('allocate' in step) assert.equal(set.allocateNext(), step.allocate);
  else if ('occupy' in step) set.occupy(step.occupy);
  else if ('release' in step) set.release(step.release);
  else if ('free' in step) assert.equal(set.free, step.free);
  else
    assert.throws(
      () => set.allocateNext(),
      (err: Error) => err instanceof CidrExhaustedError && err.message === NO_CIDRS_REMAINING,
    );
}

for (const tc of cases) {
  test(`CidrSet: ${tc.name}`, () => {
    const set = new CidrSet(tc.cluster, tc.mask ?? 24);
    for (const step of tc.steps) run(set, step);
  });
}

test('CidrSet: an exhausted set refuses with upstream’s message, word for word', () => {
  const set = new CidrSet('10.11.0.0/24', 24);
  assert.equal(set.allocateNext(), '10.11.0.0/24');
  assert.throws(() => set.allocateNext(), {
    name: 'CidrExhaustedError',
    message: 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range',
  });
});

test('CidrSet: ranges outside the cluster CIDR and impossible masks are refused', () => {
  const set = new CidrSet('10.11.0.0/16', 24);
  assert.throws(() => set.occupy('10.12.0.0/24'), /cidr 10.12.0.0\/24 is out the range of cluster cidr 10.11.0.0\/16/);
  assert.throws(() => set.release('192.168.0.0/24'), /out the range/);
  assert.throws(() => new CidrSet('10.11.0.0/16', 8), /does not fit/);
});

function node(name: string, podCIDR?: string, uid = `uid-${name}`): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  };
}

async function reconcileAll(cluster: FakeCluster, controller: ReturnType<typeof nodeIpamController>, names: string[]) {
  const results = [];
  for (const name of names) results.push(await controller.reconcile(cluster.ctx(), { name }));
  return results;
}

test('node IPAM: nodes get podCIDR and podCIDRs; preset ones are kept and occupied at start', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.0.0/24'), node('vm2'), node('vm3', '10.11.1.0/24'), node('vm4')]);
  const controller = nodeIpamController({ clusterCIDR: '10.11.0.0/16', serviceCIDR: '10.9.0.0/16' });
  await controller.start!(cluster.ctx());
  await reconcileAll(cluster, controller, ['vm1', 'vm2', 'vm3', 'vm4']);
  assert.deepEqual(
    cluster.all('Node').map((n) => [n.metadata.name, n.spec.podCIDR, n.spec.podCIDRs]),
    [
      ['vm1', '10.11.0.0/24', ['10.11.0.0/24']],
      ['vm2', '10.11.2.0/24', ['10.11.2.0/24']],
      ['vm3', '10.11.1.0/24', ['10.11.1.0/24']],
      ['vm4', '10.11.3.0/24', ['10.11.3.0/24']],
    ],
  );
  assert.equal(cluster.callsOf('patch', 'Node').length, 2, 'nodes with a podCIDR are not written');
});

test('node IPAM: ranges overlapping the service CIDR are never handed out', async () => {
  const cluster = new FakeCluster([node('vm1')]);
  const controller = nodeIpamController({ clusterCIDR: '10.0.0.0/14', serviceCIDR: '10.0.0.0/16' });
  await controller.start!(cluster.ctx());
  await controller.reconcile(cluster.ctx(), { name: 'vm1' });
  assert.equal(cluster.get('Node', { name: 'vm1' })?.spec.podCIDR, '10.1.0.0/24');
});

test('node IPAM: the fifth node of a /22 gets CIDRNotAvailable, and the range of a deleted node later', async () => {
  const names = ['vm1', 'vm2', 'vm3', 'vm4', 'vm5'];
  const cluster = new FakeCluster(names.map((n) => node(n)));
  const controller = nodeIpamController({ clusterCIDR: '10.11.0.0/22', serviceCIDR: '10.9.0.0/16' });
  await controller.start!(cluster.ctx());
  const results = await reconcileAll(cluster, controller, names);
  assert.deepEqual(results.at(-1), { requeueAfterMs: EXHAUSTED_RETRY_MS });
  assert.equal(cluster.get('Node', { name: 'vm5' })?.spec.podCIDR, undefined);
  const [event] = cluster.all('Event');
  assert.equal(event.reason, 'CIDRNotAvailable');
  assert.equal(
    event.message,
    'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range',
  );
  assert.equal(event.metadata.namespace, 'default');
  assert.deepEqual(event.involvedObject, {
    kind: 'Node',
    apiVersion: 'v1',
    namespace: undefined,
    name: 'vm5',
    uid: 'uid-vm5',
  });

  await controller.reconcile(cluster.ctx(), { name: 'vm5' });
  assert.equal(cluster.all('Event').length, 1, 'repeats are aggregated into one event');
  assert.equal(cluster.all('Event')[0].count, 2);

  cluster.remove('Node', { name: 'vm2' });
  await controller.reconcile(cluster.ctx(), { name: 'vm2' });
  await controller.reconcile(cluster.ctx(), { name: 'vm5' });
  assert.equal(cluster.get('Node', { name: 'vm5' })?.spec.podCIDR, '10.11.1.0/24');
});

test('node IPAM: a stale cache does not make a node take a second range', async () => {
  const cluster = new FakeCluster([node('vm1'), node('vm2')]);
  const controller = nodeIpamController({ clusterCIDR: '10.11.0.0/16', serviceCIDR: '10.9.0.0/16' });
  cluster.stale();
  await controller.reconcile(cluster.ctx(), { name: 'vm1' });
  await controller.reconcile(cluster.ctx(), { name: 'vm1' });
  await controller.reconcile(cluster.ctx(), { name: 'vm2' });
  cluster.fresh();
  assert.equal(cluster.get('Node', { name: 'vm1' })?.spec.podCIDR, '10.11.0.0/24');
  assert.equal(cluster.get('Node', { name: 'vm2' })?.spec.podCIDR, '10.11.1.0/24');
});

test('node IPAM: a failed write gives the range back', async () => {
  const cluster = new FakeCluster([node('vm1'), node('vm2')]);
  const controller = nodeIpamController({ clusterCIDR: '10.11.0.0/16', serviceCIDR: '10.9.0.0/16' });
  cluster.failures.push({ verb: 'patch', kind: 'Node', error: new Error('storage unavailable') });
  await assert.rejects(controller.reconcile(cluster.ctx(), { name: 'vm1' }), /storage unavailable/);
  await controller.reconcile(cluster.ctx(), { name: 'vm2' });
  await controller.reconcile(cluster.ctx(), { name: 'vm1' });
  assert.equal(cluster.get('Node', { name: 'vm2' })?.spec.podCIDR, '10.11.1.0/24');
  assert.equal(cluster.get('Node', { name: 'vm1' })?.spec.podCIDR, '10.11.2.0/24');
});

test('node IPAM: a node replaced under the same name releases the old range', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.0.0/22', 'old')]);
  const controller = nodeIpamController({ clusterCIDR: '10.11.0.0/22', serviceCIDR: '10.9.0.0/16' });
  await controller.start!(cluster.ctx());
  cluster.put('Node', node('vm1', undefined, 'new'));
  await controller.reconcile(cluster.ctx(), { name: 'vm1' });
  assert.equal(cluster.get('Node', { name: 'vm1' })?.spec.podCIDR, '10.11.0.0/24');
});
