import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LoadBalancerIPPool } from '../../controllers/common/ip-pool.js';
import { clusterUIDFrom, type StoredUrlMap } from '../../controllers/ingress-gce/desired.js';
import { ingressController } from '../../controllers/ingress-gce/ingress-gce.js';
import { ingressForwardingRuleName, l7FirewallName } from '../../src/dataplane/gce-names.js';
import { routeRequest } from '../../src/dataplane/ingress/url-map.js';
import { type Manager } from '../../src/runtime/manager.js';
import { startTestEnv, type TestEnv } from '../../src/runtime/testenv.js';
import type { Firewall } from '../../src/registry/kinds/firewall/schema.js';
import type { ForwardingRule } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import { converge, findObject as find, startControllerOn as startControllerOnEnv } from '../helpers/controller-env.js';

/** The reference cluster's Ingress IP (docs/network-model.md#the-reference-cluster) is the pool's first address. */
const POOL = '86.73.50.8/29';
const INGRESS_IP = '86.73.50.9';
const CUSTOMERS_NODE_PORT = 30001;
const PRODUCTS_NODE_PORT = 30002;

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startEnv(pool = new LoadBalancerIPPool(POOL)): Promise<TestEnv> {
  const env = await startTestEnv({ controllers: [ingressController({ ipPool: pool })] });
  cleanups.push(() => env.close());
  return env;
}

/** A fresh controller instance (its own, empty pool) on `env`'s store: a restart, or a second replica. */
async function startControllerOn(env: TestEnv): Promise<Manager> {
  const manager = await startControllerOnEnv(env, ingressController({ ipPool: new LoadBalancerIPPool(POOL) }));
  cleanups.push(() => manager.stop());
  return manager;
}

async function clusterUID(env: TestEnv): Promise<string> {
  return clusterUIDFrom(await env.client.get('Namespace', { name: 'kube-system' }))!;
}

async function ruleOf(env: TestEnv, name: string, namespace = 'default'): Promise<ForwardingRule | undefined> {
  return find(env, 'ForwardingRule', { name: ingressForwardingRuleName(namespace, name, await clusterUID(env)) });
}

async function l7Firewall(env: TestEnv): Promise<Firewall | undefined> {
  return find(env, 'Firewall', { name: l7FirewallName(await clusterUID(env)) });
}

function urlMapOf(fr: ForwardingRule): StoredUrlMap {
  return fr.spec.target.urlMap as unknown as StoredUrlMap;
}

function node(name: string, ready: boolean) {
  return {
    metadata: { name },
    spec: {},
    status: {
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'KubeletReady' : 'KubeletNotReady' },
      ],
    },
  };
}

function service(name: string, type: 'NodePort' | 'ClusterIP', nodePort: number) {
  const port = {
    name: 'http',
    port: 80,
    targetPort: 8080,
    protocol: 'TCP',
    ...(type === 'NodePort' ? { nodePort } : {}),
  };
  return { metadata: { namespace: 'default', name }, spec: { type, selector: { app: name }, ports: [port] } };
}

/** Scenario 21's Ingress: /customers → customers-be, /products → products-be, Prefix, no default backend. */
function storeIngress(name = 'store', extra: { className?: string; annotations?: Record<string, string> } = {}) {
  const path = (p: string, svc: string) => ({
    path: p,
    pathType: 'Prefix',
    backend: { service: { name: svc, port: { number: 80 } } },
  });
  return {
    metadata: { namespace: 'default', name, annotations: extra.annotations },
    spec: {
      ingressClassName: extra.className,
      rules: [{ http: { paths: [path('/customers', 'customers-be'), path('/products', 'products-be')] } }],
    },
  };
}

/** Three nodes (vm3 NotReady) and the two backend Services. */
async function seed(env: TestEnv, customersType: 'NodePort' | 'ClusterIP' = 'NodePort'): Promise<void> {
  for (const [name, ready] of [
    ['vm2', true],
    ['vm1', true],
    ['vm3', false],
  ] as const)
    await env.client.create('Node', node(name, ready));
  await env.client.create('Service', service('customers-be', customersType, CUSTOMERS_NODE_PORT));
  await env.client.create('Service', service('products-be', 'NodePort', PRODUCTS_NODE_PORT));
}

/** The Ingress once its address is published. */
async function published(env: TestEnv, name = 'store'): Promise<Ingress> {
  return converge(env.settle, async () => {
    const ing = await env.client.get('Ingress', { namespace: 'default', name });
    assert.ok(ing.status?.loadBalancer?.ingress?.[0]?.ip, `${name} has an address`);
    return ing;
  });
}

async function translateEvents(env: TestEnv) {
  return (await env.client.list('Event', { namespace: 'default' })).filter((e) => e.reason === 'Translate');
}

test('ingress: scenario 21, path routing through the ForwardingRule URL map', async () => {
  const env = await startEnv();
  await seed(env);
  const created = await env.client.create('Ingress', storeIngress());
  const ing = await published(env);
  const uid = await clusterUID(env);
  assert.deepEqual(ing.status?.loadBalancer?.ingress, [{ ip: INGRESS_IP }]);

  const fr = (await ruleOf(env, 'store'))!;
  assert.equal(fr.metadata.name, `k8s-fw-default-store--${uid}`);
  assert.deepEqual(fr.metadata.labels, {
    'compute.kplane.io/ingress-namespace': 'default',
    'compute.kplane.io/ingress-name': 'store',
    'compute.kplane.io/ingress-uid': created.metadata.uid,
  });
  assert.deepEqual(
    { ip: fr.spec.ipAddress, protocol: fr.spec.protocol, ports: fr.spec.ports },
    { ip: INGRESS_IP, protocol: 'TCP', ports: ['80'] },
  );
  const urlMap = urlMapOf(fr);
  assert.equal(urlMap.name, `k8s-um-default-store--${uid}`);
  assert.deepEqual(urlMap.nodes, ['vm1', 'vm2', 'vm3']);
  assert.deepEqual(urlMap.errors, []);

  const products = routeRequest(urlMap, INGRESS_IP, '/products/42');
  assert.deepEqual(products.backend?.service, { namespace: 'default', name: 'products-be' });
  assert.equal(products.backend?.backendService, `k8s-be-${PRODUCTS_NODE_PORT}--${uid}`);
  assert.deepEqual(products.rule?.urlMapPaths, ['/products', '/products/*']);
  assert.equal(routeRequest(urlMap, INGRESS_IP, '/customers').backend?.service.name, 'customers-be');
  assert.equal(routeRequest(urlMap, INGRESS_IP, '/productsX').backend, undefined, 'no rule, no default backend');

  assert.deepEqual(fr.status?.backends, [
    { node: 'vm1', healthy: true, reason: 'node is Ready' },
    { node: 'vm2', healthy: true, reason: 'node is Ready' },
    { node: 'vm3', healthy: false, reason: 'node is not Ready: Ready=False (KubeletNotReady)' },
  ]);
  const fw = (await l7Firewall(env))!;
  assert.equal(fw.metadata.name, `k8s-fw-l7--${uid}`);
  assert.deepEqual(fw.spec.sourceRanges, ['130.211.0.0/22', '35.191.0.0/16']);
  assert.deepEqual(fw.spec.allowed, [
    { protocol: 'tcp', ports: [String(CUSTOMERS_NODE_PORT), String(PRODUCTS_NODE_PORT)] },
  ]);
  assert.equal(fw.spec.targetNodes, undefined, 'every node');
  assert.deepEqual(await translateEvents(env), []);
});

test('ingress: scenario 22, a ClusterIP backend is one Translate event and falls to no backend; fixing the Service re-translates', async () => {
  const env = await startEnv();
  await seed(env, 'ClusterIP');
  await env.client.create('Ingress', storeIngress());
  await published(env);
  const message =
    'Translation failed: service "default/customers-be" is type "ClusterIP", expected "NodePort" or "LoadBalancer"';
  const [event, ...more] = await translateEvents(env);
  assert.deepEqual(more, []);
  assert.deepEqual(
    {
      type: event.type,
      message: event.message,
      count: event.count,
      object: event.involvedObject.name,
      kind: event.involvedObject.kind,
    },
    { type: 'Warning', message, count: 1, object: 'store', kind: 'Ingress' },
  );
  const urlMap = urlMapOf((await ruleOf(env, 'store'))!);
  assert.deepEqual(urlMap.errors, [message]);
  assert.equal(
    routeRequest(urlMap, INGRESS_IP, '/customers').backend,
    undefined,
    '/customers has no rule: default backend',
  );
  assert.equal(routeRequest(urlMap, INGRESS_IP, '/products/42').backend?.service.name, 'products-be');
  assert.deepEqual((await l7Firewall(env))!.spec.allowed, [{ protocol: 'tcp', ports: [String(PRODUCTS_NODE_PORT)] }]);

  // Resyncs (Node changes reconcile every Ingress) do not repeat the event.
  for (const ready of [false, true])
    await env.client.patch('Node', { name: 'vm1' }, node('vm1', ready), { subresource: 'status' });
  await env.settle();
  assert.deepEqual(
    (await translateEvents(env)).map((e) => e.count),
    [1],
  );

  await env.client.patch(
    'Service',
    { namespace: 'default', name: 'customers-be' },
    {
      spec: {
        type: 'NodePort',
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: CUSTOMERS_NODE_PORT }],
      },
    },
  );
  await converge(env.settle, async () => {
    const fixed = urlMapOf((await ruleOf(env, 'store'))!);
    assert.equal(routeRequest(fixed, INGRESS_IP, '/customers/7').backend?.service.name, 'customers-be');
    assert.deepEqual(fixed.errors, []);
    assert.deepEqual((await l7Firewall(env))!.spec.allowed, [
      { protocol: 'tcp', ports: [String(CUSTOMERS_NODE_PORT), String(PRODUCTS_NODE_PORT)] },
    ]);
  });
});

const classCases = [
  { name: 'no class', extra: {}, handled: true },
  { name: 'ingressClassName gce', extra: { className: 'gce' }, handled: true },
  {
    name: 'ingressClassName of a class served by k8s.io/ingress-gce',
    extra: { className: 'gce-internal' },
    handled: true,
  },
  { name: 'ingressClassName nginx', extra: { className: 'nginx' }, handled: false },
  { name: 'legacy annotation gce', extra: { annotations: { 'kubernetes.io/ingress.class': 'gce' } }, handled: true },
  {
    name: 'legacy annotation nginx',
    extra: { annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
    handled: false,
  },
];
for (const tc of classCases) {
  test(`ingress: class filtering, ${tc.name} → ${tc.handled ? 'handled' : 'ignored'}`, async () => {
    const env = await startEnv();
    await seed(env);
    await env.client.create('IngressClass', {
      metadata: { name: 'gce-internal' },
      spec: { controller: 'k8s.io/ingress-gce' },
    });
    await env.client.create('IngressClass', {
      metadata: { name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx' },
    });
    await env.client.create('Ingress', storeIngress('store', tc.extra));
    if (tc.handled) {
      await published(env);
      assert.ok(await ruleOf(env, 'store'));
      return;
    }
    await env.settle();
    assert.equal(await ruleOf(env, 'store'), undefined);
    assert.equal(await l7Firewall(env), undefined);
    assert.deepEqual(
      (await env.client.get('Ingress', { namespace: 'default', name: 'store' })).status?.loadBalancer?.ingress ?? [],
      [],
    );
  });
}

test('ingress: changing the class away releases everything; changing it back restores it', async () => {
  const env = await startEnv();
  await seed(env);
  await env.client.create('Ingress', storeIngress());
  await published(env);
  await env.client.patch('Ingress', { namespace: 'default', name: 'store' }, { spec: { ingressClassName: 'nginx' } });
  await converge(env.settle, async () => {
    assert.equal(await ruleOf(env, 'store'), undefined);
    assert.equal(await l7Firewall(env), undefined);
    const ing = await env.client.get('Ingress', { namespace: 'default', name: 'store' });
    assert.deepEqual(ing.status?.loadBalancer?.ingress ?? [], [], 'our address is withdrawn');
  });
  // The class appears later, served by ingress-gce: the IngressClass watch brings the Ingress back.
  await env.client.create('IngressClass', { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-gce' } });
  const back = await published(env);
  assert.deepEqual(back.status?.loadBalancer?.ingress, [{ ip: INGRESS_IP }], 'the released address is free again');
});

test('ingress: the address reaches the Ingress status only after the ForwardingRule backends', async () => {
  const env = await startEnv();
  const history: { rv: number; what: string }[] = [];
  env.manager.informer('ForwardingRule').addHandler({
    onUpdate: (_old, fr) => {
      if ((fr as ForwardingRule).status?.backends?.length)
        history.push({ rv: Number(fr.metadata.resourceVersion), what: 'backends' });
    },
  });
  env.manager.informer('Ingress').addHandler({
    onUpdate: (_old, ing) => {
      if ((ing as Ingress).status?.loadBalancer?.ingress?.length)
        history.push({ rv: Number(ing.metadata.resourceVersion), what: 'address' });
    },
  });
  await seed(env);
  await env.client.create('Ingress', storeIngress());
  await published(env);
  const ordered = [...history].sort((a, b) => a.rv - b.rv).map((h) => h.what);
  assert.equal(ordered[0], 'backends', `first write was ${ordered[0]}: ${ordered.join(', ')}`);
  assert.ok(ordered.includes('address'));
});

test('ingress: the L7 firewall is shared; deleting Ingresses releases their ports, rules and addresses', async () => {
  const env = await startEnv();
  await seed(env);
  await env.client.create('Service', service('extra-be', 'NodePort', 30007));
  await env.client.create('Ingress', storeIngress('store'));
  await env.client.create('Ingress', {
    metadata: { namespace: 'default', name: 'extra' },
    spec: {
      defaultBackend: { service: { name: 'extra-be', port: { number: 80 } } },
      rules: [
        {
          http: {
            paths: [
              { path: '/p', pathType: 'Exact', backend: { service: { name: 'products-be', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  });
  const [store, extra] = [await published(env, 'store'), await published(env, 'extra')];
  const ips = [store, extra].map((i) => i.status!.loadBalancer!.ingress![0].ip).sort();
  assert.deepEqual(ips, ['86.73.50.10', '86.73.50.9'], 'one address each');
  assert.deepEqual((await l7Firewall(env))!.spec.allowed, [{ protocol: 'tcp', ports: ['30001', '30002', '30007'] }]);

  await env.client.delete('Ingress', { namespace: 'default', name: 'extra' });
  await converge(env.settle, async () => {
    assert.equal(await ruleOf(env, 'extra'), undefined);
    assert.deepEqual(
      (await l7Firewall(env))!.spec.allowed,
      [{ protocol: 'tcp', ports: ['30001', '30002'] }],
      'products-be is still used by store',
    );
  });
  await env.client.delete('Ingress', { namespace: 'default', name: 'store' });
  await converge(env.settle, async () => {
    assert.deepEqual(await env.client.list('ForwardingRule'), []);
    assert.equal(await l7Firewall(env), undefined);
  });
  await env.client.create('Ingress', storeIngress('again'));
  assert.deepEqual(
    (await published(env, 'again')).status?.loadBalancer?.ingress,
    [{ ip: INGRESS_IP }],
    'both addresses went back to the pool',
  );
});

test('ingress: hand-deleted or hand-edited cloud objects are put back', async () => {
  const env = await startEnv();
  await seed(env);
  await env.client.create('Ingress', storeIngress());
  await published(env);
  const before = (await ruleOf(env, 'store'))!;
  const firewall = (await l7Firewall(env))!;

  await env.client.delete('ForwardingRule', { name: before.metadata.name! });
  const reborn = await converge(env.settle, async () => {
    const fr = await ruleOf(env, 'store');
    assert.ok(fr && fr.metadata.uid !== before.metadata.uid, 're-created');
    assert.deepEqual(fr.status?.backends, before.status?.backends);
    return fr;
  });
  assert.deepEqual(reborn.spec, before.spec, 'same address, same URL map');

  await env.client.patch(
    'ForwardingRule',
    { name: before.metadata.name! },
    { spec: { ipAddress: '203.0.113.1', target: { urlMap: { rules: [], errors: [] } } } },
  );
  await env.client.patch(
    'ForwardingRule',
    { name: before.metadata.name! },
    { status: { backends: [] } },
    { subresource: 'status' },
  );
  await converge(env.settle, async () => {
    const fr = (await ruleOf(env, 'store'))!;
    assert.deepEqual(fr.spec, before.spec);
    assert.deepEqual(fr.status?.backends, before.status?.backends);
  });

  await env.client.delete('Firewall', { name: firewall.metadata.name! });
  await converge(env.settle, async () => assert.deepEqual((await l7Firewall(env))?.spec, firewall.spec));
  await env.client.patch(
    'Firewall',
    { name: firewall.metadata.name! },
    { spec: { allowed: [{ protocol: 'tcp', ports: ['1-65535'] }], sourceRanges: ['0.0.0.0/0'] } },
  );
  await converge(env.settle, async () => assert.deepEqual((await l7Firewall(env))?.spec, firewall.spec));
});

test('ingress: Node changes update the URL map nodes and the backends', async () => {
  const env = await startEnv();
  await seed(env);
  await env.client.create('Ingress', storeIngress());
  await published(env);
  await env.client.create('Node', node('vm4', true));
  await env.client.patch('Node', { name: 'vm3' }, node('vm3', true), { subresource: 'status' });
  await env.client.delete('Node', { name: 'vm1' });
  await converge(env.settle, async () => {
    const fr = (await ruleOf(env, 'store'))!;
    assert.deepEqual(urlMapOf(fr).nodes, ['vm2', 'vm3', 'vm4']);
    assert.deepEqual(
      fr.status?.backends?.map((b) => `${b.node}:${b.healthy}`),
      ['vm2:true', 'vm3:true', 'vm4:true'],
    );
  });
});

test('ingress: an exhausted pool is one IPAllocationFailed event; the Ingress gets the address another one releases', async () => {
  const env = await startEnv(new LoadBalancerIPPool('86.73.50.8/30'));
  await seed(env);
  for (const name of ['a', 'b']) await env.client.create('Ingress', storeIngress(name));
  for (const name of ['a', 'b']) await published(env, name);
  await env.client.create('Ingress', storeIngress('c'));
  await converge(env.settle, async () => {
    const events = (await env.client.list('Event', { namespace: 'default' })).filter(
      (e) => e.reason === 'IPAllocationFailed',
    );
    assert.deepEqual(
      events.map((e) => `${e.involvedObject.name} ${e.type} ${e.count}`),
      ['c Warning 1'],
    );
  });
  assert.equal(await ruleOf(env, 'c'), undefined);
  await env.client.delete('Ingress', { namespace: 'default', name: 'a' });
  const c = await published(env, 'c');
  assert.deepEqual(c.status?.loadBalancer?.ingress, [{ ip: (await ruleOf(env, 'c'))!.spec.ipAddress }]);
});

/** resourceVersions of everything the controller writes, to show a restart writes nothing. */
async function snapshot(env: TestEnv): Promise<Record<string, string | undefined>> {
  const kinds = ['ForwardingRule', 'Firewall', 'Ingress', 'Event'] as const;
  const entries: [string, string | undefined][] = [];
  for (const kind of kinds) {
    for (const o of await env.client.list(kind))
      entries.push([`${kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.resourceVersion]);
  }
  return Object.fromEntries(entries);
}

test('ingress: a restarted or second controller changes nothing, keeps addresses, and cleans up what was deleted meanwhile', async () => {
  const env = await startTestEnv();
  cleanups.push(() => env.close());
  const first = await startControllerOn(env);
  await seed(env, 'ClusterIP');
  const names = ['one', 'two', 'three'];
  for (const name of names) {
    await env.client.create('Ingress', storeIngress(name));
    await converge(
      () => first.settle(),
      async () =>
        assert.ok(
          (await env.client.get('Ingress', { namespace: 'default', name })).status?.loadBalancer?.ingress?.length,
        ),
    );
  }
  assert.deepEqual(await Promise.all(names.map(async (n) => (await ruleOf(env, n))?.spec.ipAddress)), [
    '86.73.50.9',
    '86.73.50.10',
    '86.73.50.11',
  ]);
  await env.client.delete('Ingress', { namespace: 'default', name: 'one' });
  await converge(
    () => first.settle(),
    async () => assert.equal(await ruleOf(env, 'one'), undefined),
  );
  const before = await snapshot(env);

  const second = await startControllerOn(env);
  await second.settle();
  await first.settle();
  assert.deepEqual(await snapshot(env), before, 'a second instance writes nothing');
  await first.stop();
  await second.stop();

  // While no controller runs, `three` goes away. The next instance, whose pool would hand out
  // .9 first, keeps `two` on .10 and releases `three`'s rule.
  await env.client.delete('Ingress', { namespace: 'default', name: 'three' });
  const third = await startControllerOn(env);
  await converge(
    () => third.settle(),
    async () => {
      assert.deepEqual(
        (await env.client.list('ForwardingRule')).map(
          (fr) => `${fr.metadata.labels?.['compute.kplane.io/ingress-name']} ${fr.spec.ipAddress}`,
        ),
        ['two 86.73.50.10'],
      );
    },
  );
  const two = await env.client.get('Ingress', { namespace: 'default', name: 'two' });
  assert.deepEqual(two.status?.loadBalancer?.ingress, [{ ip: '86.73.50.10' }]);
  assert.deepEqual(
    (await translateEvents(env)).map((e) => `${e.involvedObject.name} ${e.count}`).sort(),
    ['one 1', 'three 1', 'two 1'],
    'no event repeated across restarts',
  );
});
