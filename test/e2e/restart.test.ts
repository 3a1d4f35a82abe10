import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let dir: Awaited<ReturnType<typeof scratchDir>>;
let server: ServerProcess | undefined;
before(async () => (dir = await scratchDir()));
after(async () => {
  await server?.stop();
  await dir.remove();
});

function api(s: ServerProcess): k8s.CoreV1Api {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(s.kubeconfigPath);
  return kc.makeApiClient(k8s.CoreV1Api);
}

test('a kill -9 loses no acknowledged write; the same certificates, token and rising resourceVersions after restart', async () => {
  server = await startServerProcess(dir.path, [], false);
  const core = api(server);
  await core.createNamespace({ body: { metadata: { name: 'durable' } } });
  const acked: string[] = [];
  let lastRV = 0;
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < 25; i++) {
      const name = `p-${w}-${i}`;
      const created = await core.createNamespacedPod({
        namespace: 'durable',
        body: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      });
      acked.push(name);
      lastRV = Math.max(lastRV, Number(created.metadata?.resourceVersion));
    }
  });
  await Promise.all(writers);
  await server.kill();

  server = await startServerProcess(dir.path, [], false);
  const again = api(server);
  const pods = await again.listNamespacedPod({ namespace: 'durable' });
  const names = new Set(pods.items.map((p) => p.metadata?.name));
  assert.deepEqual(
    acked.filter((n) => !names.has(n)),
    [],
  );
  assert.ok(Number(pods.metadata?.resourceVersion) >= lastRV);
  const next = await again.createNamespacedPod({
    namespace: 'durable',
    body: { metadata: { name: 'after' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
  });
  assert.ok(Number(next.metadata?.resourceVersion) > lastRV, 'resourceVersions keep rising across restarts');
});
