import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../helpers/eventually.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;
let kc: k8s.KubeConfig;

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

function pod(name: string): k8s.V1Pod {
  return { metadata: { name, labels: { app: 'informer' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

test('the kubeconfig written by `npm start` works with nothing else, over TLS with the admin token', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const list = await core.listNamespace();
  assert.deepEqual(list.items.map((n) => n.metadata?.name).sort(), [
    'default',
    'kube-node-lease',
    'kube-public',
    'kube-system',
  ]);
  assert.ok(server.url.startsWith('https://'));
});

test('requests without a valid token are 401; health endpoints need none', async () => {
  const insecureAgent = { rejectUnauthorized: false };
  const https = await import('node:https');
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      https
        .get(`${server.url}${path}`, { ...insecureAgent, headers }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on('error', reject);
    });
  assert.equal(await get('/api/v1/pods'), 401);
  assert.equal(await get('/api/v1/pods', { authorization: 'Bearer wrong' }), 401);
  assert.equal(await get('/readyz'), 200);
  assert.equal(await get('/healthz'), 200);
  assert.equal(await get('/version/'), 200);
});

test('a client-node informer sees add, update and delete', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', () =>
    core.listNamespacedPod({ namespace: 'default' }),
  );
  const seen: string[] = [];
  const waitFor = (entry: string) =>
    eventually(async () => assert.ok(seen.includes(entry), `no ${entry} in ${JSON.stringify(seen)}`), 10_000, 25);
  informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.metadata?.labels?.stage ?? ''}`.trim()));
  informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
  informer.on('error', (err) => seen.push(`error ${String(err)}`));
  await informer.start();
  try {
    await core.createNamespacedPod({ namespace: 'default', body: pod('inf-1') });
    await waitFor('add inf-1');
    await core.patchNamespacedPod({
      namespace: 'default',
      name: 'inf-1',
      body: [{ op: 'add', path: '/metadata/labels/stage', value: 'two' }],
    });
    await waitFor('update inf-1 two');
    await core.deleteNamespacedPod({ namespace: 'default', name: 'inf-1' });
    await waitFor('delete inf-1');
    assert.ok(!seen.some((s) => s.startsWith('error')), JSON.stringify(seen));
  } finally {
    await informer.stop();
  }
});

test('read-then-write round trips through client-node are no-ops', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedPod({ namespace: 'default', body: pod('roundtrip') });
  // Wait until the scheduler and the simulated kubelet are done with it (Running and Ready, with timestamps).
  const read = await eventually(
    async () => {
      const current = await core.readNamespacedPod({ namespace: 'default', name: 'roundtrip' });
      assert.ok(
        current.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        'Ready',
      );
      return current;
    },
    10_000,
    25,
  );
  assert.ok(read.status?.podIP, 'the pod got an IP');
  const replaced = await core.replaceNamespacedPod({ namespace: 'default', name: 'roundtrip', body: read });
  assert.equal(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
  const statusReplaced = await core.replaceNamespacedPodStatus({
    namespace: 'default',
    name: 'roundtrip',
    body: replaced,
  });
  assert.equal(
    statusReplaced.metadata?.resourceVersion,
    read.metadata?.resourceVersion,
    'status timestamps round-trip too',
  );
});

test('the built-in controllers make a cluster: nodes with pod CIDRs, pods with IPs, Services with ClusterIPs, Endpoints that follow', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nodes = await core.listNode();
  assert.deepEqual(
    nodes.items.map((n) => [n.metadata?.name, n.spec?.podCIDR]),
    [
      ['vm1', '10.4.0.0/24'],
      ['vm2', '10.4.1.0/24'],
      ['vm3', '10.4.2.0/24'],
    ],
  );
  const dns = await core.readNamespacedService({ namespace: 'kube-system', name: 'kube-dns' });
  assert.equal(dns.spec?.clusterIP, '10.0.0.10');
  assert.equal(
    (await core.readNamespacedService({ namespace: 'default', name: 'kubernetes' })).spec?.clusterIP,
    '10.0.0.1',
  );
  const svc = await core.createNamespacedService({
    namespace: 'default',
    body: {
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
  });
  assert.match(svc.spec?.clusterIP ?? '', /^10\.0\.\d+\.\d+$/, 'the ClusterIP is allocated inside the create request');
  for (const name of ['web-1', 'web-2']) {
    await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    });
  }
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name: 'web-3', labels: { app: 'web' }, annotations: { 'kplane.io/ready': 'false' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    },
  });
  const ep = await eventually(
    async () => {
      const current = await core.readNamespacedEndpoints({ namespace: 'default', name: 'web' });
      const ready = current.subsets?.[0]?.addresses?.length ?? 0;
      const notReady = current.subsets?.[0]?.notReadyAddresses?.length ?? 0;
      assert.deepEqual([ready, notReady], [2, 1], 'ready and not-ready addresses');
      return current;
    },
    10_000,
    25,
  );
  const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
  const ipOf = new Map(pods.items.map((p) => [p.metadata?.name, p.status?.podIP]));
  assert.deepEqual(
    (ep?.subsets?.[0]?.addresses ?? []).map((a) => a.ip).sort(),
    [ipOf.get('web-1'), ipOf.get('web-2')].sort(),
  );
  assert.deepEqual(
    (ep?.subsets?.[0]?.notReadyAddresses ?? []).map((a) => a.ip),
    [ipOf.get('web-3')],
  );
  assert.deepEqual(
    (ep?.subsets?.[0]?.ports ?? []).map((p) => ({ ...p })),
    [{ name: 'http', port: 8080, protocol: 'TCP' }],
  );
  for (const p of pods.items) assert.match(p.status?.podIP ?? '', /^10\.4\.[0-2]\.\d+$/);
});
