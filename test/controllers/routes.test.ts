import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { NODE_LABEL, desiredNodeRoute, nodeRouteName, routeController } from '../../controllers/routes/routes.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Route } from '../../src/registry/kinds/route/schema.js';
import type { Manager } from '../../src/runtime/manager.js';
import { startTestEnv, type TestEnv } from '../../src/runtime/testenv.js';
import { converge, startControllerOn } from '../helpers/controller-env.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startEnv(clusterName = 'kplane'): Promise<TestEnv> {
  const env = await startTestEnv({ controllers: [routeController({ clusterName })] });
  cleanups.push(() => env.close());
  return env;
}

/** Starts the route controller later, on an environment that already holds objects (a restart). */
async function startRouteControllerOn(env: TestEnv): Promise<Manager> {
  const manager = await startControllerOn(env, routeController({ clusterName: 'kplane' }));
  cleanups.push(() => manager.stop());
  return manager;
}

function node(name: string, podCIDR?: string) {
  return { metadata: { name }, spec: podCIDR ? { podCIDR } : {} };
}

async function routesOf(env: TestEnv): Promise<Route[]> {
  return env.client.list('Route');
}

/** The one Route labelled for `nodeName`, checked against what the controller must write. */
async function nodeRoute(env: TestEnv, created: Node, podCIDR: string): Promise<Route> {
  const mine = (await routesOf(env)).filter((r) => r.metadata.labels?.[NODE_LABEL] === created.metadata.name);
  assert.equal(mine.length, 1, `one route for ${created.metadata.name}`);
  const [route] = mine;
  assert.equal(route.metadata.name, `kplane-${created.metadata.uid}`);
  assert.deepEqual(route.spec, {
    destRange: podCIDR,
    nextHopInstance: created.metadata.name,
    priority: 1000,
    description: 'k8s-node-route',
  });
  return route;
}

const nameCases = [
  { name: 'short cluster name kept whole', cluster: 'kplane', uid: '3f1c', want: 'kplane-3f1c' },
  { name: '26 characters kept whole', cluster: 'a'.repeat(26), uid: 'u', want: `${'a'.repeat(26)}-u` },
  { name: 'longer names truncated to 26', cluster: `${'b'.repeat(26)}xyz`, uid: 'u', want: `${'b'.repeat(26)}-u` },
];
for (const tc of nameCases) {
  test(`nodeRouteName: ${tc.name}`, () => assert.equal(nodeRouteName(tc.cluster, tc.uid), tc.want));
}

const desiredCases: { name: string; node: Node; want: string | undefined }[] = [
  { name: 'no podCIDR: no route', node: { metadata: { name: 'vm1', uid: 'u1' }, spec: {} }, want: undefined },
  {
    name: 'no uid yet: no route',
    node: { metadata: { name: 'vm1' }, spec: { podCIDR: '10.4.0.0/24' } },
    want: undefined,
  },
  {
    name: 'podCIDR: route to the node',
    node: { metadata: { name: 'vm1', uid: 'u1' }, spec: { podCIDR: '10.4.0.0/24' } },
    want: 'kplane-u1 10.4.0.0/24 → vm1',
  },
];
for (const tc of desiredCases) {
  test(`desiredNodeRoute: ${tc.name}`, () => {
    const r = desiredNodeRoute('kplane', tc.node);
    assert.equal(r && `${r.metadata.name} ${r.spec.destRange} → ${r.spec.nextHopInstance}`, tc.want);
  });
}

test('routes: one Route per node with a podCIDR, none without; added when the podCIDR arrives', async () => {
  const env = await startEnv();
  const vm1 = await env.client.create('Node', node('vm1', '10.4.0.0/24'));
  const vm2 = await env.client.create('Node', node('vm2'));
  await converge(env.settle, () => nodeRoute(env, vm1, '10.4.0.0/24'));
  assert.equal((await routesOf(env)).length, 1, 'vm2 has no podCIDR yet');
  await env.client.patch('Node', { name: 'vm2' }, { spec: { podCIDR: '10.4.1.0/24' } });
  await converge(env.settle, () => nodeRoute(env, vm2, '10.4.1.0/24'));
  assert.equal((await routesOf(env)).length, 2);
});

test('routes: a deleted Route comes back with a new uid', async () => {
  const env = await startEnv();
  const vm1 = await env.client.create('Node', node('vm1', '10.4.0.0/24'));
  const before = await converge(env.settle, () => nodeRoute(env, vm1, '10.4.0.0/24'));
  assert.equal(await env.client.delete('Route', { name: before.metadata.name! }), true);
  const back = await converge(env.settle, async () => {
    const r = await nodeRoute(env, vm1, '10.4.0.0/24');
    assert.notEqual(r.metadata.uid, before.metadata.uid);
    return r;
  });
  assert.equal(back.metadata.name, before.metadata.name);
});

test('routes: a hand-edited Route is put back, spec and label', async () => {
  const env = await startEnv();
  const vm1 = await env.client.create('Node', node('vm1', '10.4.0.0/24'));
  const route = await converge(env.settle, () => nodeRoute(env, vm1, '10.4.0.0/24'));
  const key = { name: route.metadata.name! };
  const edits = [
    { spec: { destRange: '10.4.9.0/24', nextHopInstance: 'vm3', priority: 5, description: 'mine now' } },
    { metadata: { labels: { [NODE_LABEL]: null } } },
  ];
  for (const edit of edits) {
    const edited = await env.client.patch('Route', key, edit);
    const restored = await converge(env.settle, async () => {
      const r = await nodeRoute(env, vm1, '10.4.0.0/24');
      assert.ok(Number(r.metadata.resourceVersion) > Number(edited.metadata.resourceVersion), 'written after the edit');
      return r;
    });
    assert.equal(restored.metadata.uid, route.metadata.uid, 'updated in place, not re-created');
  }
});

test('routes: deleting a Node deletes its Route; a new Node of the same name gets a new one', async () => {
  const env = await startEnv();
  const vm1 = await env.client.create('Node', node('vm1', '10.4.0.0/24'));
  const vm2 = await env.client.create('Node', node('vm2', '10.4.1.0/24'));
  const old = await converge(env.settle, () => nodeRoute(env, vm1, '10.4.0.0/24'));
  await env.client.delete('Node', { name: 'vm1' });
  await converge(env.settle, async () =>
    assert.deepEqual(
      (await routesOf(env)).map((r) => r.metadata.labels?.[NODE_LABEL]),
      ['vm2'],
    ),
  );
  await nodeRoute(env, vm2, '10.4.1.0/24');
  const reborn = await env.client.create('Node', node('vm1', '10.4.2.0/24'));
  const fresh = await converge(env.settle, () => nodeRoute(env, reborn, '10.4.2.0/24'));
  assert.notEqual(fresh.metadata.name, old.metadata.name, 'named after the new uid');
});

test('routes: user Routes are left alone; stale controller Routes are cleaned up at start', async () => {
  const env = await startTestEnv();
  cleanups.push(() => env.close());
  await env.client.create('Route', {
    metadata: { name: 'to-the-vpn' },
    spec: { destRange: '192.168.0.0/16', nextHopInstance: 'vm1', priority: 100 },
  });
  await env.client.create('Route', {
    metadata: { name: 'kplane-gone', labels: { [NODE_LABEL]: 'vm9' } },
    spec: { destRange: '10.4.9.0/24', nextHopInstance: 'vm9', priority: 1000 },
  });
  const vm1 = await env.client.create('Node', node('vm1', '10.4.0.0/24'));
  const manager = await startRouteControllerOn(env);
  await converge(
    () => manager.settle(),
    async () => {
      const names = (await routesOf(env)).map((r) => r.metadata.name).sort();
      assert.deepEqual(names, [`kplane-${vm1.metadata.uid}`, 'to-the-vpn']);
    },
  );
  const user = await env.client.get('Route', { name: 'to-the-vpn' });
  assert.deepEqual(user.spec, { destRange: '192.168.0.0/16', nextHopInstance: 'vm1', priority: 100 });
});

test('routes: the cluster name is the name prefix, truncated to 26 characters', async () => {
  const env = await startEnv('a-very-long-cluster-name-for-routes');
  const vm1 = await env.client.create('Node', node('vm1', '10.4.0.0/24'));
  const [route] = await converge(env.settle, async () => {
    const all = await routesOf(env);
    assert.equal(all.length, 1);
    return all;
  });
  assert.equal(route.metadata.name, `a-very-long-cluster-name-f-${vm1.metadata.uid}`);
  assert.ok(route.metadata.name!.length <= 63);
});
