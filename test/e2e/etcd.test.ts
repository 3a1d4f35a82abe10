import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { etcdMissing, killAllEtcd, startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { eventually } from '../helpers/eventually.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

const missing = etcdMissing();
let etcd: EtcdProcess | undefined;
const servers: ServerProcess[] = [];
const dirs: Array<Awaited<ReturnType<typeof scratchDir>>> = [];
after(async () => {
  for (const server of servers) await server.stop();
  await etcd?.stop();
  killAllEtcd();
  for (const dir of dirs) await dir.remove();
});

function kubeconfig(server: ServerProcess): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  return kc;
}

/** Starts `kplane serve --storage etcd` on the shared etcd, with a data dir of its own (certificates, token). */
async function serveOnEtcd(extraFlags: string[] = []): Promise<ServerProcess> {
  const dir = await scratchDir();
  dirs.push(dir);
  const server = await startServerProcess(
    dir.path,
    ['--storage', 'etcd', '--etcd-endpoints', etcd!.endpoint, ...extraFlags],
    false,
  );
  servers.push(server);
  return server;
}

test(
  "kplane serve --storage etcd serves, and two servers on one etcd see each other's writes",
  { skip: missing },
  async () => {
    etcd = await startEtcd();
    const a = await serveOnEtcd();
    // The first server created the simulated nodes already.
    const b = await serveOnEtcd(['--nodes', '0']);
    const [apiA, apiB] = [kubeconfig(a), kubeconfig(b)].map((kc) => kc.makeApiClient(k8s.CoreV1Api));

    const seenByB: Array<[string, string]> = [];
    const watch = await new k8s.Watch(kubeconfig(b)).watch(
      '/api/v1/namespaces',
      {},
      (type, obj: k8s.V1Namespace) => obj.metadata?.name === 'shared' && seenByB.push([type, obj.metadata.name]),
      () => {},
    );
    try {
      const created = await apiA.createNamespace({ body: { metadata: { name: 'shared', labels: { from: 'a' } } } });
      const readByB = await apiB.readNamespace({ name: 'shared' });
      assert.equal(readByB.metadata?.labels?.from, 'a', 'a read through b right after the create through a sees it');
      assert.equal(readByB.metadata?.resourceVersion, created.metadata?.resourceVersion);
      await eventually(async () => assert.deepEqual(seenByB, [['ADDED', 'shared']]), 5000, 50);

      const updated = await apiB.replaceNamespace({
        name: 'shared',
        body: { ...readByB, metadata: { ...readByB.metadata, labels: { from: 'b' } } },
      });
      assert.equal((await apiA.readNamespace({ name: 'shared' })).metadata?.labels?.from, 'b');
      const listedByA = await eventually(
        async () => {
          const list = await apiA.listNamespace();
          assert.ok(Number(list.metadata?.resourceVersion) >= Number(updated.metadata?.resourceVersion));
          return list;
        },
        5000,
        50,
      );
      assert.deepEqual(
        listedByA.items.filter((ns) => ns.metadata?.name === 'shared').map((ns) => ns.metadata?.labels?.from),
        ['b'],
      );
      await eventually(
        async () =>
          assert.deepEqual(seenByB, [
            ['ADDED', 'shared'],
            ['MODIFIED', 'shared'],
          ]),
        5000,
        50,
      );
    } finally {
      watch.abort();
    }
  },
);
