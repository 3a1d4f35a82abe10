import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
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
  assert.deepEqual(list.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  assert.ok(server.url.startsWith('https://'));
});

test('requests without a valid token are 401; health endpoints need none', async () => {
  const insecureAgent = { rejectUnauthorized: false };
  const https = await import('node:https');
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      https.get(`${server.url}${path}`, { ...insecureAgent, headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
  assert.equal(await get('/api/v1/pods'), 401);
  assert.equal(await get('/api/v1/pods', { authorization: 'Bearer wrong' }), 401);
  assert.equal(await get('/readyz'), 200);
  assert.equal(await get('/healthz'), 200);
});

test('a client-node informer sees add, update and delete', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
  const seen: string[] = [];
  const waitFor = async (entry: string) => {
    const deadline = Date.now() + 10_000;
    while (!seen.includes(entry)) {
      if (Date.now() > deadline) throw new Error(`no ${entry} in ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.metadata?.labels?.stage ?? ''}`.trim()));
  informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
  informer.on('error', (err) => seen.push(`error ${String(err)}`));
  await informer.start();
  try {
    await core.createNamespacedPod({ namespace: 'default', body: pod('inf-1') });
    await waitFor('add inf-1');
    await core.patchNamespacedPod(
      { namespace: 'default', name: 'inf-1', body: [{ op: 'add', path: '/metadata/labels/stage', value: 'two' }] },
    );
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
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('roundtrip') });
  const read = await core.readNamespacedPod({ namespace: 'default', name: 'roundtrip' });
  const replaced = await core.replaceNamespacedPod({ namespace: 'default', name: 'roundtrip', body: read });
  assert.equal(replaced.metadata?.resourceVersion, created.metadata?.resourceVersion);
});
