import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { cloudLoadBalancerController } from '../../controllers/cloud-lb/cloud-lb.js';
import { LoadBalancerIPPool } from '../../controllers/common/ip-pool.js';
import { endpointSliceController } from '../../controllers/endpointslices/endpointslices.js';
import { lbFirewallName, loadBalancerName, serviceHealthCheckFirewallName } from '../../src/dataplane/gce-names.js';
import { type Manager } from '../../src/runtime/manager.js';
import { startTestEnv, type TestEnv } from '../../src/runtime/testenv.js';
import type { Firewall } from '../../src/registry/kinds/firewall/schema.js';
import type { ForwardingRule } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { converge, findObject as find, startControllerOn as startControllerOnEnv } from '../helpers/controller-env.js';

/** The talk's LB IP (S82) is the pool's first address. */
const POOL = '86.75.30.8/29';
const LB_IP = '86.75.30.9';
const CLUSTER = 'kplane';
const SHARED_HC_FIREWALL = 'k8s-kplane-node-http-hc';
const HC_RANGES = ['130.211.0.0/22', '35.191.0.0/16', '209.85.152.0/22', '209.85.204.0/22'];

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function lbController(pool = new LoadBalancerIPPool(POOL)) {
  return cloudLoadBalancerController({ clusterName: CLUSTER, ipPool: pool });
}

async function startEnv(): Promise<TestEnv> {
  const env = await startTestEnv({ controllers: [endpointSliceController, lbController()] });
  cleanups.push(() => env.close());
  return env;
}

/** A fresh controller instance (its own, empty pool) on `env`'s store: a restart, or a second replica. */
async function startControllerOn(env: TestEnv): Promise<Manager> {
  const manager = await startControllerOnEnv(env, lbController());
  cleanups.push(() => manager.stop());
  return manager;
}

function readyNode(name: string, ready = true) {
  return {
    metadata: { name },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

async function addNodes(env: TestEnv, names = ['vm1', 'vm2', 'vm3']): Promise<void> {
  for (const name of names) await env.client.create('Node', readyNode(name));
}

/** A running pod of app=store on `node`, its readiness set by hand (no kubelet here). */
async function addPod(env: TestEnv, name: string, node: string, ip: string): Promise<void> {
  const container = { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] };
  await env.client.create('Pod', {
    metadata: { namespace: 'default', name, labels: { app: 'store' } },
    spec: { nodeName: node, containers: [container] },
  });
  await setPodReady(env, name, ip, true);
}

async function setPodReady(env: TestEnv, name: string, ip: string, ready: boolean): Promise<void> {
  const status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  };
  await env.client.patch('Pod', { namespace: 'default', name }, { status }, { subresource: 'status' });
}

type SpecExtras = Partial<
  Pick<Service['spec'], 'externalTrafficPolicy' | 'loadBalancerIP' | 'loadBalancerSourceRanges'>
> & { ports?: { port: number; protocol: string }[] };

async function addLoadBalancer(env: TestEnv, name: string, extras: SpecExtras = {}): Promise<Service> {
  const { ports = [{ port: 80, protocol: 'TCP' }], ...spec } = extras;
  return env.client.create('Service', {
    metadata: { namespace: 'default', name },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'store' },
      ports: ports.map((p) => ({ ...p, name: `${p.protocol.toLowerCase()}-${p.port}` })),
      ...spec,
    },
  });
}

/** The Service once its address is published. */
async function published(env: TestEnv, name: string, settle = env.settle): Promise<Service> {
  return converge(settle, async () => {
    const svc = await env.client.get('Service', { namespace: 'default', name });
    assert.ok(svc.status?.loadBalancer?.ingress?.[0]?.ip, `${name} has an address`);
    return svc;
  });
}

function lbNameOf(svc: Service): string {
  return loadBalancerName(svc.metadata.uid!);
}

async function ruleOf(env: TestEnv, svc: Service): Promise<ForwardingRule | undefined> {
  return find(env, 'ForwardingRule', { name: lbNameOf(svc) });
}

async function firewallsOf(env: TestEnv, svc: Service): Promise<(Firewall | undefined)[]> {
  const lbName = lbNameOf(svc);
  return Promise.all(
    [lbFirewallName(lbName), serviceHealthCheckFirewallName(lbName)].map((name) => find(env, 'Firewall', { name })),
  );
}

async function events(env: TestEnv, reason: string) {
  return (await env.client.list('Event', { namespace: 'default' })).filter((e) => e.reason === reason);
}

/** Every object the controller could have written, by kind/name → resourceVersion. */
async function snapshot(env: TestEnv): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const kind of ['ForwardingRule', 'Firewall', 'Service'] as const) {
    for (const obj of await env.client.list(kind))
      out[`${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`] = obj.metadata.resourceVersion!;
  }
  return out;
}

test('service-lb: eTP=Cluster gets the pool address, its rule, firewalls, then its status', async () => {
  const env = await startEnv();
  await addNodes(env, ['vm2', 'vm1', 'vm3']);
  const created = await addLoadBalancer(env, 'store-lb');
  const svc = await published(env, 'store-lb');
  assert.deepEqual(
    svc.status?.loadBalancer?.ingress?.map((i) => i.ip),
    [LB_IP],
  );
  const lbName = lbNameOf(created);
  const rule = (await ruleOf(env, created))!;
  assert.deepEqual(rule.spec, {
    ipAddress: LB_IP,
    protocol: 'TCP',
    ports: ['80'],
    target: { nodes: ['vm1', 'vm2', 'vm3'] },
    description: '{"kubernetes.io/service-name":"default/store-lb"}',
  });
  assert.deepEqual(rule.metadata.labels, {
    'compute.kplane.io/service-namespace': 'default',
    'compute.kplane.io/service-name': 'store-lb',
    'compute.kplane.io/service-uid': created.metadata.uid,
  });
  assert.deepEqual(
    rule.status?.backends,
    ['vm1', 'vm2', 'vm3'].map((node) => ({ node, healthy: true, reason: 'kube-proxy healthz 200' })),
  );
  assert.ok(
    Number(rule.metadata.resourceVersion) < Number(svc.metadata.resourceVersion),
    'backends written before the Service status',
  );
  const [fw, localHc] = await firewallsOf(env, created);
  assert.deepEqual(fw?.spec, {
    sourceRanges: ['0.0.0.0/0'],
    allowed: [{ protocol: 'tcp', ports: ['80'] }],
    priority: 1000,
    description: `{"kubernetes.io/service-name":"default/store-lb", "kubernetes.io/service-ip":"${LB_IP}"}`,
  });
  assert.equal(fw?.metadata.name, `k8s-fw-${lbName}`);
  assert.equal(localHc, undefined, 'no per-service health check under Cluster');
  const shared = await find(env, 'Firewall', { name: SHARED_HC_FIREWALL });
  assert.deepEqual(
    [shared?.spec.sourceRanges, shared?.spec.allowed],
    [HC_RANGES, [{ protocol: 'tcp', ports: ['10256'] }]],
  );
  assert.equal((await events(env, 'EnsuredLoadBalancer')).length, 1);
});

const addressCases = [
  { name: 'requested address in the pool', requested: '86.75.30.12', want: '86.75.30.12' },
  { name: 'no request: first free address', requested: undefined, want: LB_IP },
];
for (const tc of addressCases) {
  test(`service-lb: ${tc.name}`, async () => {
    const env = await startEnv();
    await addNodes(env);
    const svc = await addLoadBalancer(env, 'store-lb', { loadBalancerIP: tc.requested });
    const done = await published(env, 'store-lb');
    assert.deepEqual(
      done.status?.loadBalancer?.ingress?.map((i) => i.ip),
      [tc.want],
    );
    assert.equal((await ruleOf(env, svc))?.spec.ipAddress, tc.want);
  });
}

const unavailableCases = [
  {
    name: 'requested address taken',
    requested: LB_IP,
    message: `requested load balancer IP ${LB_IP} is already in use`,
  },
  {
    name: 'requested address outside the pool',
    requested: '192.0.2.1',
    message: 'requested load balancer IP 192.0.2.1 is not in loadBalancerIPPool',
  },
];
for (const tc of unavailableCases) {
  test(`service-lb: ${tc.name} → Warning, no load balancer`, async () => {
    const env = await startEnv();
    await addNodes(env);
    const first = await addLoadBalancer(env, 'first');
    await published(env, 'first');
    const second = await addLoadBalancer(env, 'second', { loadBalancerIP: tc.requested });
    await converge(env.settle, async () => assert.equal((await events(env, 'LoadBalancerIPNotAvailable')).length, 1));
    const [warning] = await events(env, 'LoadBalancerIPNotAvailable');
    assert.deepEqual(
      [warning.type, warning.message, warning.involvedObject.name, warning.count],
      ['Warning', tc.message, 'second', 1],
    );
    assert.equal(await ruleOf(env, second), undefined);
    assert.deepEqual(await firewallsOf(env, second), [undefined, undefined]);
    assert.equal(
      (await env.client.get('Service', { namespace: 'default', name: 'second' })).status?.loadBalancer?.ingress,
      undefined,
    );
    if (tc.requested !== LB_IP) return;
    await env.client.delete('Service', { namespace: 'default', name: 'first' });
    const moved = await published(env, 'second');
    assert.deepEqual(
      moved.status?.loadBalancer?.ingress?.map((i) => i.ip),
      [LB_IP],
      'gets the address once freed',
    );
    assert.equal(await ruleOf(env, first), undefined);
  });
}

test('service-lb: the talk S116 case under Local, then an endpoint turns unready, then Cluster', async () => {
  const env = await startEnv();
  await addNodes(env);
  await addPod(env, 'pod1', 'vm1', '10.11.0.9');
  await addPod(env, 'pod2', 'vm2', '10.11.5.3');
  await addPod(env, 'pod3', 'vm2', '10.11.5.4');
  const created = await addLoadBalancer(env, 'store-lb', { externalTrafficPolicy: 'Local' });
  const hcPort = created.spec.healthCheckNodePort!;
  assert.ok(hcPort, 'the apiserver allocated a healthCheckNodePort');
  const backends = async (want: [string, boolean, string][]) =>
    converge(env.settle, async () => {
      const got = (await ruleOf(env, created))?.status?.backends?.map((b) => [b.node, b.healthy, b.reason]);
      assert.deepEqual(got, want);
    });
  await published(env, 'store-lb');
  await backends([
    ['vm1', true, `healthCheckNodePort ${hcPort}: 200 localEndpoints=1`],
    ['vm2', true, `healthCheckNodePort ${hcPort}: 200 localEndpoints=2`],
    ['vm3', false, `healthCheckNodePort ${hcPort}: 503 localEndpoints=0`],
  ]);
  const [, localHc] = await firewallsOf(env, created);
  assert.deepEqual(
    [localHc?.spec.sourceRanges, localHc?.spec.allowed],
    [HC_RANGES, [{ protocol: 'tcp', ports: [String(hcPort)] }]],
  );
  assert.equal(await find(env, 'Firewall', { name: SHARED_HC_FIREWALL }), undefined, 'no Cluster-policy load balancer');

  await setPodReady(env, 'pod1', '10.11.0.9', false);
  await backends([
    ['vm1', false, `healthCheckNodePort ${hcPort}: 503 localEndpoints=0`],
    ['vm2', true, `healthCheckNodePort ${hcPort}: 200 localEndpoints=2`],
    ['vm3', false, `healthCheckNodePort ${hcPort}: 503 localEndpoints=0`],
  ]);

  await env.client.patch(
    'Service',
    { namespace: 'default', name: 'store-lb' },
    { spec: { externalTrafficPolicy: 'Cluster' } },
  );
  await backends(['vm1', 'vm2', 'vm3'].map((n) => [n, true, 'kube-proxy healthz 200']));
  await converge(env.settle, async () => {
    assert.deepEqual(
      (await firewallsOf(env, created)).map((f) => f?.metadata.name),
      [lbFirewallName(lbNameOf(created)), undefined],
    );
    assert.ok(await find(env, 'Firewall', { name: SHARED_HC_FIREWALL }), 'shared kube-proxy health-check firewall');
  });
});

test('service-lb: eTP=Cluster backends follow Node readiness', async () => {
  const env = await startEnv();
  await addNodes(env, ['vm1', 'vm2']);
  const svc = await addLoadBalancer(env, 'store-lb');
  await published(env, 'store-lb');
  const health = async (want: [string, boolean][]) =>
    converge(env.settle, async () =>
      assert.deepEqual(
        (await ruleOf(env, svc))?.status?.backends?.map((b) => [b.node, b.healthy]),
        want,
      ),
    );
  await env.client.patch('Node', { name: 'vm2' }, readyNode('vm2', false), { subresource: 'status' });
  await health([
    ['vm1', true],
    ['vm2', false],
  ]);
  await env.client.create('Node', readyNode('vm3'));
  await health([
    ['vm1', true],
    ['vm2', false],
    ['vm3', true],
  ]);
  assert.deepEqual((await ruleOf(env, svc))?.spec.target.nodes, ['vm1', 'vm2', 'vm3']);
});

test('service-lb: TCP and UDP ports get one rule per protocol on one address', async () => {
  const env = await startEnv();
  await addNodes(env);
  const svc = await addLoadBalancer(env, 'dns', {
    ports: [
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ],
  });
  await published(env, 'dns');
  const rules = await env.client.list('ForwardingRule');
  assert.deepEqual(
    rules.map((r) => [r.metadata.name, r.spec.protocol, r.spec.ipAddress, r.status?.backends?.length]).sort(),
    [
      [lbNameOf(svc), 'UDP', LB_IP, 3],
      [`${lbNameOf(svc)}-tcp`, 'TCP', LB_IP, 3],
    ],
  );
  const [fw] = await firewallsOf(env, svc);
  assert.deepEqual(fw?.spec.allowed, [
    { protocol: 'udp', ports: ['53'] },
    { protocol: 'tcp', ports: ['53'] },
  ]);
});

const releaseCases: { name: string; release: (env: TestEnv) => Promise<unknown>; serviceKept: boolean }[] = [
  {
    name: 'type changed to ClusterIP',
    release: (env) =>
      env.client.patch('Service', { namespace: 'default', name: 'store-lb' }, { spec: { type: 'ClusterIP' } }),
    serviceKept: true,
  },
  {
    name: 'type changed to NodePort',
    release: (env) =>
      env.client.patch('Service', { namespace: 'default', name: 'store-lb' }, { spec: { type: 'NodePort' } }),
    serviceKept: true,
  },
  {
    name: 'Service deleted',
    release: (env) => env.client.delete('Service', { namespace: 'default', name: 'store-lb' }),
    serviceKept: false,
  },
];
for (const tc of releaseCases) {
  test(`service-lb: ${tc.name} releases everything`, async () => {
    const env = await startEnv();
    await addNodes(env);
    const svc = await addLoadBalancer(env, 'store-lb', { externalTrafficPolicy: 'Local' });
    await addLoadBalancer(env, 'cluster-lb', { loadBalancerIP: '86.75.30.14' });
    await published(env, 'store-lb');
    await published(env, 'cluster-lb');
    await env.client.delete('Service', { namespace: 'default', name: 'cluster-lb' });
    await tc.release(env);
    await converge(env.settle, async () => {
      assert.equal((await env.client.list('ForwardingRule')).length, 0, 'no forwarding rules');
      assert.deepEqual(await env.client.list('Firewall'), [], 'no firewalls, the shared one included');
    });
    if (tc.serviceKept) {
      const after = await env.client.get('Service', { namespace: 'default', name: 'store-lb' });
      assert.deepEqual(after.status?.loadBalancer, {});
      assert.equal(
        (await events(env, 'DeletedLoadBalancer')).filter((e) => e.involvedObject.uid === svc.metadata.uid).length,
        1,
      );
    }
    await addLoadBalancer(env, 'next');
    const next = await published(env, 'next');
    assert.deepEqual(
      next.status?.loadBalancer?.ingress?.map((i) => i.ip),
      [LB_IP],
      'the address went back to the pool',
    );
  });
}

test('service-lb: a loadBalancerClass of another implementation is left alone', async () => {
  const env = await startEnv();
  await addNodes(env);
  await env.client.create('Service', {
    metadata: { namespace: 'default', name: 'metal' },
    spec: {
      type: 'LoadBalancer',
      loadBalancerClass: 'example.com/metallb',
      selector: { app: 'store' },
      ports: [{ port: 80 }],
    },
  });
  await env.client.patch(
    'Service',
    { namespace: 'default', name: 'metal' },
    { status: { loadBalancer: { ingress: [{ ip: '192.0.2.50' }] } } },
    { subresource: 'status' },
  );
  await env.settle();
  assert.deepEqual(await env.client.list('ForwardingRule'), []);
  const svc = await env.client.get('Service', { namespace: 'default', name: 'metal' });
  assert.deepEqual(
    svc.status?.loadBalancer?.ingress?.map((i) => i.ip),
    ['192.0.2.50'],
    "its status is its own controller's",
  );
});

const handEdits: {
  name: string;
  edit: (env: TestEnv, svc: Service) => Promise<unknown>;
  check: (env: TestEnv, svc: Service) => Promise<void>;
}[] = [
  {
    name: 'deleted service firewall',
    edit: (env, svc) => env.client.delete('Firewall', { name: lbFirewallName(lbNameOf(svc)) }),
    check: async (env, svc) =>
      assert.deepEqual((await firewallsOf(env, svc))[0]?.spec.allowed, [{ protocol: 'tcp', ports: ['80'] }]),
  },
  {
    name: 'deleted shared health-check firewall',
    edit: (env) => env.client.delete('Firewall', { name: SHARED_HC_FIREWALL }),
    check: async (env) => assert.ok(await find(env, 'Firewall', { name: SHARED_HC_FIREWALL })),
  },
  {
    name: 'edited service firewall',
    edit: (env, svc) =>
      env.client.patch('Firewall', { name: lbFirewallName(lbNameOf(svc)) }, { spec: { sourceRanges: ['10.0.0.0/8'] } }),
    check: async (env, svc) => assert.deepEqual((await firewallsOf(env, svc))[0]?.spec.sourceRanges, ['0.0.0.0/0']),
  },
  {
    name: 'deleted forwarding rule (same address, backends again)',
    edit: (env, svc) => env.client.delete('ForwardingRule', { name: lbNameOf(svc) }),
    check: async (env, svc) => {
      const rule = await ruleOf(env, svc);
      assert.deepEqual([rule?.spec.ipAddress, rule?.status?.backends?.length], [LB_IP, 3]);
    },
  },
  {
    name: 'edited forwarding rule (ports, nodes, address, labels)',
    edit: (env, svc) =>
      env.client.patch(
        'ForwardingRule',
        { name: lbNameOf(svc) },
        {
          metadata: { labels: { 'compute.kplane.io/service-name': null } },
          spec: { ports: ['8080'], target: { nodes: ['vm1'] }, ipAddress: '86.75.30.13' },
        },
      ),
    check: async (env, svc) => {
      const rule = await ruleOf(env, svc);
      assert.deepEqual(
        [rule?.spec.ipAddress, rule?.spec.ports, rule?.spec.target.nodes],
        [LB_IP, ['80'], ['vm1', 'vm2', 'vm3']],
      );
      assert.equal(rule?.metadata.labels?.['compute.kplane.io/service-name'], 'store-lb');
    },
  },
  {
    name: 'edited backends status',
    edit: (env, svc) =>
      env.client.patch(
        'ForwardingRule',
        { name: lbNameOf(svc) },
        { status: { backends: [] } },
        { subresource: 'status' },
      ),
    check: async (env, svc) => assert.equal((await ruleOf(env, svc))?.status?.backends?.length, 3),
  },
];
for (const tc of handEdits) {
  test(`service-lb: self-healing, ${tc.name}`, async () => {
    const env = await startEnv();
    await addNodes(env);
    const svc = await addLoadBalancer(env, 'store-lb');
    await published(env, 'store-lb');
    await tc.edit(env, svc);
    await converge(env.settle, () => tc.check(env, svc));
    const status = (await env.client.get('Service', { namespace: 'default', name: 'store-lb' })).status?.loadBalancer
      ?.ingress;
    assert.deepEqual(
      status?.map((i) => i.ip),
      [LB_IP],
    );
  });
}

test('service-lb: a restarted or second controller changes nothing; a restart sweeps what went meanwhile', async () => {
  const env = await startEnv();
  await addNodes(env);
  await addPod(env, 'pod1', 'vm1', '10.11.0.9');
  await addLoadBalancer(env, 'local-lb', { externalTrafficPolicy: 'Local', loadBalancerIP: '86.75.30.12' });
  const clusterLb = await addLoadBalancer(env, 'cluster-lb');
  const gone = await addLoadBalancer(env, 'gone-lb', { ports: [{ port: 443, protocol: 'TCP' }] });
  for (const name of ['local-lb', 'cluster-lb', 'gone-lb']) await published(env, name);
  const before = await snapshot(env);

  const second = await startControllerOn(env);
  await second.settle();
  await env.settle();
  assert.deepEqual(await snapshot(env), before, 'a second instance beside the first writes nothing');

  await env.manager.stop();
  await second.stop();
  const restarted = await startControllerOn(env);
  await restarted.settle();
  assert.deepEqual(await snapshot(env), before, 'a restarted instance writes nothing');
  await restarted.stop();

  await env.client.delete('Service', { namespace: 'default', name: 'gone-lb' });
  await env.client.patch('Service', { namespace: 'default', name: 'cluster-lb' }, { spec: { type: 'ClusterIP' } });
  const third = await startControllerOn(env);
  await converge(
    () => third.settle(),
    async () => {
      const rules = await env.client.list('ForwardingRule');
      assert.deepEqual(
        rules.map((r) => [r.spec.ipAddress, r.metadata.labels?.['compute.kplane.io/service-name']]),
        [['86.75.30.12', 'local-lb']],
      );
      const firewalls = (await env.client.list('Firewall')).map((f) => f.metadata.name);
      assert.equal(firewalls.length, 2, `only local-lb's two firewalls: ${firewalls.join(', ')}`);
    },
  );
  assert.equal(await ruleOf(env, gone), undefined);
  assert.equal(await ruleOf(env, clusterLb), undefined);
  assert.deepEqual(
    (await env.client.get('Service', { namespace: 'default', name: 'cluster-lb' })).status?.loadBalancer,
    {},
  );
});
