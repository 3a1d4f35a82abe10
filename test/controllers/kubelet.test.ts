import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SANDBOX_RETRY_MS, kubeletController } from '../../controllers/kubelet/kubelet.js';
import { desiredPodStatus } from '../../controllers/kubelet/pod-status.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Pod, PodSpec } from '../../src/registry/kinds/pod/schema.js';
import { PodLogStore } from '../../src/podlogs/store.js';
import { FakeCluster } from './fake-context.js';

const NOW = '2025-01-01T12:00:00Z';

function node(name: string, podCIDR: string | undefined, internalIP = '10.240.0.2'): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: {
      addresses: [{ type: 'InternalIP', address: internalIP }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function pod(
  name: string,
  opts: {
    node?: string;
    annotations?: Record<string, string>;
    spec?: Partial<PodSpec>;
    podIP?: string;
    uid?: string;
  } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: opts.uid ?? `uid-${name}`, annotations: opts.annotations },
    spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], nodeName: opts.node ?? 'vm1', ...opts.spec } as PodSpec,
    status: {
      phase: 'Pending',
      qosClass: 'BestEffort',
      ...(opts.podIP ? { podIP: opts.podIP, podIPs: [{ ip: opts.podIP }] } : {}),
    },
  };
}

const stored = (cluster: FakeCluster, name: string) => cluster.get('Pod', { namespace: 'default', name })!;

async function reconcile(cluster: FakeCluster, kubelet: ReturnType<typeof kubeletController>, ...names: string[]) {
  const results = [];
  for (const name of names) results.push(await kubelet.reconcile(cluster.ctx(), { namespace: 'default', name }));
  return results;
}

test('kubelet: a bound pod runs, with an IP from its node podCIDR and the kubelet status', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.0.0/24'), pod('web')]);
  await reconcile(cluster, kubeletController(), 'web');
  const status = stored(cluster, 'web').status!;
  const sha = (s: string) => s.replace(/[0-9a-f]{64}/, '<sha>');
  assert.deepEqual(
    {
      ...status,
      containerStatuses: status.containerStatuses!.map((c) => ({
        ...c,
        imageID: sha(c.imageID),
        containerID: sha(c.containerID!),
      })),
    },
    {
      phase: 'Running',
      qosClass: 'BestEffort',
      hostIP: '10.240.0.2',
      hostIPs: [{ ip: '10.240.0.2' }],
      podIP: '10.11.0.2',
      podIPs: [{ ip: '10.11.0.2' }],
      startTime: NOW,
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: NOW },
        { type: 'Initialized', status: 'True', lastTransitionTime: NOW },
        { type: 'Ready', status: 'True', lastTransitionTime: NOW },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: NOW },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: NOW },
      ],
      containerStatuses: [
        {
          name: 'web',
          image: 'nginx:1.25',
          imageID: 'sha256:<sha>',
          containerID: 'containerd://<sha>',
          restartCount: 0,
          lastState: {},
          state: { running: { startedAt: NOW } },
          ready: true,
          started: true,
        },
      ],
    },
  );
});

test('kubelet: reconciling an unchanged running pod writes nothing, even later', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.0.0/24'), pod('web')]);
  const kubelet = kubeletController();
  await reconcile(cluster, kubelet, 'web');
  cluster.nowMs += 60_000;
  await reconcile(cluster, kubelet, 'web');
  assert.equal(cluster.callsOf('updateStatus').length, 1);
});

test('kubelet: pods on one node get consecutive IPs, never the gateway', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.5.0/24'), pod('a'), pod('b'), pod('c')]);
  await reconcile(cluster, kubeletController(), 'a', 'b', 'c');
  assert.deepEqual(
    ['a', 'b', 'c'].map((n) => stored(cluster, n).status?.podIP),
    ['10.11.5.2', '10.11.5.3', '10.11.5.4'],
  );
});

test('kubelet: IPs pods already report are kept across a restart and not handed out again', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.0.0/24'), pod('old', { podIP: '10.11.0.2' }), pod('new')]);
  await reconcile(cluster, kubeletController(), 'new', 'old');
  assert.equal(stored(cluster, 'old').status?.podIP, '10.11.0.2');
  assert.equal(stored(cluster, 'new').status?.podIP, '10.11.0.3');
});

test('kubelet: a deleted pod releases its IP; exhaustion keeps a pod Pending with FailedCreatePodSandBox', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.8.0/30'), pod('a'), pod('b')]);
  const kubelet = kubeletController();
  const results = await reconcile(cluster, kubelet, 'a', 'b');
  assert.deepEqual(results, [undefined, { requeueAfterMs: SANDBOX_RETRY_MS }]);
  const b = stored(cluster, 'b');
  assert.equal(b.status?.phase, 'Pending');
  assert.equal(b.status?.podIP, undefined);
  assert.equal(b.status?.hostIP, '10.240.0.2');
  assert.deepEqual(b.status?.containerStatuses?.[0].state, { waiting: { reason: 'ContainerCreating' } });
  const [event] = cluster.all('Event');
  assert.equal(event.reason, 'FailedCreatePodSandBox');
  assert.equal(event.type, 'Warning');
  assert.match(event.message!, /no IP addresses available in range set: 10\.11\.8\.1-10\.11\.8\.2$/);

  cluster.remove('Pod', { namespace: 'default', name: 'a' });
  await reconcile(cluster, kubelet, 'a', 'b');
  assert.equal(stored(cluster, 'b').status?.podIP, '10.11.8.2');
  assert.equal(stored(cluster, 'b').status?.phase, 'Running');
});

test('kubelet: a pod recreated under the same name gets a fresh allocation', async () => {
  const cluster = new FakeCluster([node('vm1', '10.11.8.0/30'), pod('a', { uid: 'one' })]);
  const kubelet = kubeletController();
  await reconcile(cluster, kubelet, 'a');
  cluster.remove('Pod', { namespace: 'default', name: 'a' });
  cluster.put('Pod', pod('a', { uid: 'two' }));
  await reconcile(cluster, kubelet, 'a');
  assert.equal(stored(cluster, 'a').status?.podIP, '10.11.8.2');
});

test('kubelet: kplane.io/pod-ip asks for a specific IP; an unavailable one fails the sandbox', async () => {
  const cluster = new FakeCluster([
    node('vm1', '10.11.0.0/24'),
    pod('store', { annotations: { 'kplane.io/pod-ip': '10.11.0.9' } }),
    pod('copycat', { annotations: { 'kplane.io/pod-ip': '10.11.0.9' } }),
  ]);
  const results = await reconcile(cluster, kubeletController(), 'store', 'copycat');
  assert.equal(stored(cluster, 'store').status?.podIP, '10.11.0.9');
  assert.deepEqual(results[1], { requeueAfterMs: SANDBOX_RETRY_MS });
  assert.match(
    cluster.all('Event')[0].message!,
    /requested IP address 10\.11\.0\.9 is not available in range set 10\.11\.0\.1-10\.11\.0\.254$/,
  );
});

test('kubelet: hostNetwork pods use the node address and take no pod IP', async () => {
  const cluster = new FakeCluster([
    node('vm1', '10.11.8.0/30'),
    pod('agent', { spec: { hostNetwork: true } }),
    pod('web'),
  ]);
  await reconcile(cluster, kubeletController(), 'agent', 'web');
  assert.equal(stored(cluster, 'agent').status?.podIP, '10.240.0.2');
  assert.equal(stored(cluster, 'web').status?.podIP, '10.11.8.2');
});

test('kubelet: waits for a node that exists, has an address and a podCIDR', async () => {
  const cluster = new FakeCluster([
    node('vm1', undefined),
    pod('no-cidr'),
    pod('no-node', { node: 'vm9' }),
    pod('unbound', { spec: { nodeName: undefined } }),
  ]);
  await reconcile(cluster, kubeletController(), 'no-cidr', 'no-node', 'unbound');
  assert.deepEqual(cluster.calls, []);
});

test('kubelet: a Node change requeues the pods on it', () => {
  const cluster = new FakeCluster([node('vm1', '10.11.0.0/24'), pod('a'), pod('b', { node: 'vm2' })]);
  const [watch] = kubeletController().watches!;
  assert.deepEqual(watch.map(cluster.get('Node', { name: 'vm1' })!, { listers: cluster.ctx().listers }), [
    { namespace: 'default', name: 'a' },
  ]);
});

test('kubelet: a terminating pod without finalizers is deleted at once; one with finalizers waits', async () => {
  const terminating = (name: string, finalizers?: string[]): Pod => {
    const p = pod(name);
    p.metadata.deletionTimestamp = '2025-01-01T11:59:00Z';
    p.metadata.deletionGracePeriodSeconds = 30;
    p.metadata.finalizers = finalizers;
    return p;
  };
  const cluster = new FakeCluster([
    node('vm1', '10.11.0.0/24'),
    terminating('free'),
    terminating('held', ['example.com/hold']),
  ]);
  await reconcile(cluster, kubeletController(), 'free', 'held');
  assert.deepEqual(
    cluster.calls.map((c) => [c.verb, c.key]),
    [['delete', 'default/free']],
  );
  assert.equal(cluster.get('Pod', { namespace: 'default', name: 'free' }), undefined);
});

const knobCases: { name: string; annotations: Record<string, string>; expect: Record<string, unknown> }[] = [
  {
    name: 'kplane.io/ready=false: running but not ready',
    annotations: { 'kplane.io/ready': 'false' },
    expect: {
      phase: 'Running',
      podIP: '10.11.0.2',
      Ready: ['False', 'ContainersNotReady', 'containers with unready status: [sidecar web]'],
      ContainersReady: ['False', 'ContainersNotReady', 'containers with unready status: [sidecar web]'],
      state: { running: { startedAt: NOW } },
    },
  },
  {
    name: 'kplane.io/phase=Pending: no sandbox, no IP',
    annotations: { 'kplane.io/phase': 'Pending' },
    expect: {
      phase: 'Pending',
      podIP: undefined,
      Ready: ['False', 'ContainersNotReady', 'containers with unready status: [sidecar web]'],
      PodReadyToStartContainers: ['False', undefined, undefined],
      state: { waiting: { reason: 'ContainerCreating' } },
    },
  },
  {
    name: 'kplane.io/phase=Succeeded: containers completed',
    annotations: { 'kplane.io/phase': 'Succeeded' },
    expect: {
      phase: 'Succeeded',
      podIP: '10.11.0.2',
      Ready: ['False', 'PodCompleted', undefined],
      Initialized: ['True', 'PodCompleted', undefined],
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: NOW, finishedAt: NOW, containerID: '<id>' } },
    },
  },
  {
    name: 'kplane.io/phase=Failed: containers exited 1',
    annotations: { 'kplane.io/phase': 'Failed' },
    expect: {
      phase: 'Failed',
      podIP: '10.11.0.2',
      Ready: ['False', 'PodFailed', undefined],
      ContainersReady: ['False', 'PodFailed', undefined],
      state: { terminated: { exitCode: 1, reason: 'Error', startedAt: NOW, finishedAt: NOW, containerID: '<id>' } },
    },
  },
  {
    name: 'an unknown phase means Running',
    annotations: { 'kplane.io/phase': 'Exploded' },
    expect: { phase: 'Running', Ready: ['True', undefined, undefined] },
  },
];

for (const tc of knobCases) {
  test(`pod status: ${tc.name}`, async () => {
    const sidecar = { name: 'sidecar', image: 'envoy', restartPolicy: 'Always' } as PodSpec['containers'][number];
    const cluster = new FakeCluster([
      node('vm1', '10.11.0.0/24'),
      pod('web', { annotations: tc.annotations, spec: { initContainers: [sidecar] } }),
    ]);
    await reconcile(cluster, kubeletController(), 'web');
    const status = stored(cluster, 'web').status!;
    const condition = (type: string) => {
      const c = status.conditions?.find((x) => x.type === type);
      return [c?.status, c?.reason, c?.message];
    };
    for (const [key, value] of Object.entries(tc.expect)) {
      if (key === 'phase' || key === 'podIP') assert.equal(status[key], value, key);
      else if (key === 'state') {
        const state = JSON.parse(
          JSON.stringify(status.containerStatuses![0].state).replace(/containerd:\/\/[0-9a-f]{64}/, '<id>'),
        );
        assert.deepEqual(state, value);
      } else assert.deepEqual(condition(key), value, key);
    }
  });
}

test('pod status: regular init containers are reported completed and ready', () => {
  const p = pod('web', {
    spec: { initContainers: [{ name: 'setup', image: 'busybox' } as PodSpec['containers'][number]] },
  });
  const status = desiredPodStatus(p, 'Running', { hostIP: '10.240.0.2', podIP: '10.11.0.2' }, NOW);
  const [init] = status.initContainerStatuses!;
  assert.equal(init.ready, true);
  assert.equal((init.state as { terminated: { reason: string } }).terminated.reason, 'Completed');
  assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
});

test('pod status: transition times and start times are kept when nothing changes', () => {
  const first = desiredPodStatus(pod('web'), 'Running', { hostIP: '10.240.0.2', podIP: '10.11.0.2' }, NOW);
  const later = desiredPodStatus(
    { ...pod('web'), status: first },
    'Running',
    { hostIP: '10.240.0.2', podIP: '10.11.0.2' },
    '2025-01-01T13:00:00Z',
  );
  assert.deepEqual(later, first);
  const notReady = desiredPodStatus(
    { ...pod('web', { annotations: { 'kplane.io/ready': 'false' } }), status: first },
    'Running',
    { hostIP: '10.240.0.2', podIP: '10.11.0.2' },
    '2025-01-01T13:00:00Z',
  );
  assert.equal(notReady.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2025-01-01T13:00:00Z');
  assert.equal(notReady.conditions?.find((c) => c.type === 'Initialized')?.lastTransitionTime, NOW);
  assert.equal(notReady.startTime, NOW);
});

test('kubelet: each container logs its start once, and its exit; a deleted pod loses its logs', async () => {
  const logs = new PodLogStore();
  const kubelet = kubeletController(logs);
  const cluster = new FakeCluster([node('vm1', '10.11.0.0/24'), pod('web')]);
  const ref = { namespace: 'default', name: 'web', uid: 'uid-web' };
  const texts = () => logs.read(ref, 'web')?.lines.map((l) => l.text);
  await reconcile(cluster, kubelet, 'web');
  await reconcile(cluster, kubelet, 'web');
  assert.deepEqual(texts(), [
    'Pulling image "nginx:1.25"',
    'Successfully pulled image "nginx:1.25"',
    'Created container web',
    'Started container web',
  ]);
  const running = stored(cluster, 'web');
  cluster.put('Pod', { ...running, metadata: { ...running.metadata, annotations: { 'kplane.io/phase': 'Failed' } } });
  await reconcile(cluster, kubelet, 'web');
  await reconcile(cluster, kubelet, 'web');
  assert.equal(texts()?.at(-1), 'Container web exited with code 1 (Error)');
  assert.equal(texts()?.length, 5);
  assert.equal(logs.read(ref, 'web')?.exited, true);
  cluster.remove('Pod', { namespace: 'default', name: 'web' });
  await reconcile(cluster, kubelet, 'web');
  assert.equal(logs.read(ref, 'web'), undefined);
});
