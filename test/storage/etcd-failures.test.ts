import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { EtcdBackend } from '../../src/storage/etcd.js';
import type { StorageEvent } from '../../src/storage/interface.js';
import { eventually } from '../helpers/eventually.js';
import { etcdMissing, killAllEtcd, startEtcd } from '../helpers/etcd.js';

const missing = etcdMissing();
after(killAllEtcd);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('start rejects when etcd cannot be reached', async () => {
  const backend = new EtcdBackend({ endpoints: [`http://127.0.0.1:${await closedPort()}`], timeoutMs: 2000 });
  await assert.rejects(backend.start());
  await assert.rejects(backend.get('/registry/a'), /closed/);
});

test('endpoints other than http:// are refused up front', () => {
  assert.throws(() => new EtcdBackend({ endpoints: ['https://127.0.0.1:2379'] }), /only http:\/\//);
  assert.throws(() => new EtcdBackend({ endpoints: [] }), /at least one endpoint/);
});

test(
  'while etcd is down calls reject; once it is back the watch stream resumes and writes resolve again',
  { skip: missing },
  async () => {
    const etcd = await startEtcd();
    const backend = new EtcdBackend({ endpoints: [etcd.endpoint], prefix: '/outage', timeoutMs: 1000 });
    try {
      await backend.start();
      const seen: StorageEvent[] = [];
      const watching = new AbortController();
      await backend.watch('/', 0, (events) => seen.push(...events), watching.signal);
      await backend.create('/registry/a', '1');

      await etcd.kill();
      await assert.rejects(backend.create('/registry/b', '1'));
      await assert.rejects(backend.get('/registry/a'));
      await assert.rejects(backend.list('/'));

      await etcd.restart();
      const revision = await eventually(() => backend.create('/registry/c', '1'), 20_000, 250);
      assert.deepEqual(
        seen.map((e) => [e.kv.key, e.revision]),
        [
          ['/registry/a', 1],
          ['/registry/c', revision],
        ],
        'the resumed stream delivered the write',
      );
      assert.deepEqual(
        (await backend.list('/')).kvs.map((kv) => kv.key),
        ['/registry/a', '/registry/c'],
      );
      watching.abort();
    } finally {
      await backend.close();
      await etcd.stop();
    }
  },
);
