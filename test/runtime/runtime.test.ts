import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { endpointCounter } from '../../examples/seen-annotator.js';
import {
  defineController,
  runRemoteControllers,
  startTestEnv,
  TerminalError,
  type ObjectKey,
} from '../../src/index.js';
import type { Kind, KindMap } from '../../src/runtime/api.js';
import { realClock } from '../../src/runtime/clock.js';
import { Informer, ResourceExpiredError, type ListWatchSource } from '../../src/runtime/informer.js';
import { Manager } from '../../src/runtime/manager.js';
import { kindLookup, LocalClient, localSource } from '../../src/runtime/local.js';
import { eventually } from '../helpers/eventually.js';
import { scratchDir } from '../helpers/process.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function service(name: string, annotations?: Record<string, string>) {
  return {
    metadata: { name, namespace: 'default', annotations },
    spec: { ports: [{ port: 80 }], selector: { app: name } },
  };
}

test('several test environments run side by side, each with its own store', async () => {
  const envs = await Promise.all([startTestEnv(), startTestEnv()]);
  cleanups.push(...envs.map((e) => () => e.close()));
  await envs[0].client.create('Service', service('only-in-first'));
  assert.equal((await envs[1].client.list('Service', { namespace: 'default' })).length, 0);
});

test('a custom reconciler in process: level-based, reacts to its own kind and to watched kinds', async () => {
  const env = await startTestEnv({ controllers: [endpointCounter] });
  cleanups.push(() => env.close());
  await env.client.create('Service', service('web'));
  await env.settle();
  assert.equal(
    (await env.client.get('Service', { namespace: 'default', name: 'web' })).metadata.annotations?.[
      'example.com/ready-endpoints'
    ],
    '0',
  );
  await env.client.create('Endpoints', {
    metadata: { name: 'web', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '10.4.0.5' }, { ip: '10.4.1.5' }], ports: [{ port: 80 }] }],
  });
  await env.settle();
  assert.equal(
    (await env.client.get('Service', { namespace: 'default', name: 'web' })).metadata.annotations?.[
      'example.com/ready-endpoints'
    ],
    '2',
  );
});

test('errors are retried with backoff, TerminalError is not, requeueAfter reconciles again', async () => {
  const calls = new Map<string, number>();
  const flaky = defineController({
    name: 'flaky',
    for: 'Service',
    async reconcile(_ctx, key: ObjectKey) {
      const n = (calls.get(key.name) ?? 0) + 1;
      calls.set(key.name, n);
      if (key.name === 'fails-twice' && n <= 2) throw new Error('transient');
      if (key.name === 'terminal') throw new TerminalError('cannot ever work');
      if (key.name === 'again' && n < 3) return { requeueAfterMs: 20 };
    },
  });
  const env = await startTestEnv({ controllers: [flaky] });
  cleanups.push(() => env.close());
  for (const name of ['fails-twice', 'terminal', 'again']) await env.client.create('Service', service(name));
  await eventually(
    async () => assert.deepEqual([calls.get('fails-twice'), calls.get('again')], [3, 3], 'retries and requeues'),
    5000,
    10,
  );
  // Idle means no retry or requeue is due within a second: any further reconcile would show here.
  await env.settle();
  assert.equal(calls.get('fails-twice'), 3);
  assert.equal(calls.get('terminal'), 1);
  assert.equal(calls.get('again'), 3);
});

test('an informer relists after a 410 and reports deletions that happened meanwhile', async () => {
  let lists = 0;
  let watches = 0;
  const source: ListWatchSource = {
    async list() {
      lists++;
      const items =
        lists === 1
          ? [{ metadata: { name: 'a', resourceVersion: '1' } }, { metadata: { name: 'b', resourceVersion: '2' } }]
          : [{ metadata: { name: 'a', resourceVersion: '1' } }];
      return { items, resourceVersion: String(lists * 10) };
    },
    async watch(_rv, _onEvent, signal) {
      watches++;
      if (watches === 1) throw new ResourceExpiredError('too old resource version');
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    },
  };
  const deleted: string[] = [];
  const inf = new Informer('Thing', source, { clock: realClock });
  inf.addHandler({ onDelete: (o) => deleted.push(o.metadata.name!) });
  inf.start();
  await inf.waitForSync();
  await eventually(async () => assert.equal(lists, 2, 'a relist'), 5000, 10);
  assert.deepEqual(deleted, ['b']);
  assert.deepEqual(
    inf.store.list().map((o) => o.metadata.name),
    ['a'],
  );
  await inf.stop();
});

/** A candidate's client that counts its Lease reads: each one starts an attempt to acquire or renew. */
class LeaseReadCounter extends LocalClient {
  leaseReads = 0;

  override async get<K extends Kind>(kind: K, key: ObjectKey): Promise<KindMap[K]> {
    if (kind === 'Lease') this.leaseReads++;
    return super.get(kind, key);
  }
}

test('leader election: of two managers only one runs controllers; the other takes over when it stops', async () => {
  const env = await startTestEnv();
  cleanups.push(() => env.close());
  const lookup = kindLookup((await import('../../src/registry/kinds/index.js')).builtinKinds);
  const ran: string[] = [];
  const makeManager = (identity: string, client = new LocalClient(env.registry, lookup)) =>
    new Manager({
      controllers: [
        defineController({
          name: 'who',
          for: 'Service',
          async reconcile(_c, key) {
            ran.push(`${identity}:${key.name}`);
          },
        }),
      ],
      source: (kind) => localSource(env.registry, lookup(kind)),
      client,
      leaderElection: {
        namespace: 'kube-system',
        name: 'test-lock',
        identity,
        leaseDurationMs: 900,
        renewDeadlineMs: 600,
        retryPeriodMs: 100,
      },
    });
  const first = makeManager('first');
  const secondClient = new LeaseReadCounter(env.registry, lookup);
  const second = makeManager('second', secondClient);
  await first.start();
  await first.waitForLeadership();
  await second.start();
  await env.client.create('Service', service('s1'));
  await eventually(async () => assert.ok(ran.includes('first:s1'), 'the leader reconciles'), 5000, 10);
  // Not taking over has no event of its own: wait until the second candidate was refused the Lease a few times.
  const readsBefore = secondClient.leaseReads;
  await eventually(
    async () => assert.ok(secondClient.leaseReads >= readsBefore + 3, 'the second candidate retries'),
    5000,
    10,
  );
  assert.equal(second.isLeader(), false);
  assert.ok(!ran.some((r) => r.startsWith('second:')));
  await first.stop();
  await second.waitForLeadership();
  await eventually(async () => assert.ok(ran.includes('second:s1'), 'the new leader reconciles'), 5000, 10);
  const lease = await env.client.get('Lease', { namespace: 'kube-system', name: 'test-lock' });
  assert.equal(lease.spec?.holderIdentity, 'second');
  assert.equal(lease.spec?.leaseTransitions, 1);
  await second.stop();
});

test('the same reconciler runs out of process against a server URL through a kubeconfig', async () => {
  const env = await startTestEnv({ listen: true });
  cleanups.push(() => env.close());
  const dir = await scratchDir();
  cleanups.push(() => dir.remove());
  const kubeconfig = join(dir.path, 'kubeconfig.yaml');
  await writeFile(kubeconfig, env.kubeconfig!);
  const run = await runRemoteControllers({ kubeconfig, controllers: [endpointCounter] });
  cleanups.push(() => run.stop());
  await env.client.create('Service', service('remote'));
  await eventually(
    async () =>
      assert.equal(
        (await env.client.get('Service', { namespace: 'default', name: 'remote' })).metadata.annotations?.[
          'example.com/ready-endpoints'
        ],
        '0',
        'the remote controller annotates',
      ),
    5000,
    10,
  );
});
