import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitmap } from '../../src/allocators/bitmap.js';
import { NodePortRange, openNodePortStore } from '../../src/allocators/node-port-range.js';
import { REPAIR_KEY } from '../../controllers/common/range-repair.js';
import type { AdmissionHook } from '../../src/registry/admission.js';
import { registryRoot, resourcePrefix } from '../../src/registry/keys.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';
import { namespaces } from '../../src/registry/kinds/namespace/index.js';
import { services } from '../../src/registry/kinds/service/index.js';
import { Registry } from '../../src/registry/store.js';
import type { Client, Listers, ReconcileContext } from '../../src/runtime/api.js';
import { MemoryBackend } from '../../src/storage/memory.js';
import { CacheHub } from '../../src/watch/hub.js';
import type { Event } from '../../src/registry/kinds/event/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { clusterIPAdmission } from '../../src/registry/kinds/service/cluster-ip-admission.js';
import {
  nodePortAdmission,
  type NodePortAllocatorOptions,
} from '../../src/registry/kinds/service/node-port-admission.js';
import {
  collectServiceNodePorts,
  nodePortRepairController,
  planNodePortRepair,
} from '../../controllers/nodeport/repair.js';

import { refusal } from '../helpers/refusal.js';

type Body = Record<string, any>;
const DEFAULT_RANGE = '30000-32767';

/** A registry like `startCore` builds, with both Service allocators, and the namespace `default`. */
async function startCluster(opts: Partial<NodePortAllocatorOptions> = {}) {
  const backend = new MemoryBackend();
  await backend.start();
  const hub = new CacheHub(backend, {
    root: registryRoot,
    resourcePrefixes: builtinKinds.map((rt) => resourcePrefix(rt)),
  });
  await hub.start();
  const nodePortRange = opts.nodePortRange ?? DEFAULT_RANGE;
  const hooks = [
    clusterIPAdmission({ backend, serviceCIDR: '10.0.0.0/16' }),
    nodePortAdmission({ ...opts, backend, nodePortRange }),
  ];
  const registry = new Registry(backend, hub, { admission: hooks as AdmissionHook[] });
  await registry.create(namespaces, undefined, { metadata: { name: 'default' } });
  const store = openNodePortStore(backend, nodePortRange);
  return {
    backend,
    registry,
    /** The ports the stored bitmap says are taken. */
    taken: async () => (await store.snapshot()).allocated().map((i) => store.range.itemAt(i)),
    create: (body: Body, dryRun = false) => registry.create(services, 'default', body, { dryRun }) as Promise<Service>,
    patch: (name: string, patch: Body) =>
      registry.patch(services, 'default', name, 'merge', patch, undefined) as Promise<Service>,
    close: () => hub.stop(),
  };
}

function svc(name: string, type: string, ports: Body[] = [{ port: 80 }], spec: Body = {}): Body {
  return { metadata: { name }, spec: { type, selector: { app: name }, ports, ...spec } };
}

const inDynamicBand = (port: number | undefined) => port !== undefined && port >= 30086 && port <= 32767;

test('scenario 25: 53/UDP and 53/TCP share one nodePort from the dynamic band', async () => {
  const c = await startCluster();
  const dns = await c.create(
    svc('dns', 'NodePort', [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ]),
  );
  const [udp, tcp] = dns.spec.ports!.map((p) => p.nodePort);
  assert.equal(udp, tcp);
  assert.ok(inDynamicBand(udp), `${udp} is in [30086, 32767]`);
  assert.ok(dns.spec.clusterIP, 'both allocators ran');
  assert.deepEqual(await c.taken(), [udp]);
  c.close();
});

test('scenario 25: a requested port is honoured once; every protocol collides', async () => {
  const c = await startCluster();
  const first = await c.create(svc('a', 'NodePort', [{ port: 80, nodePort: 30080 }]));
  assert.equal(first.spec.ports![0].nodePort, 30080, 'a static-band port can be requested');
  const err = await refusal(c.create(svc('b', 'NodePort', [{ port: 53, protocol: 'UDP', nodePort: 30080 }])));
  assert.equal(err.code, 422);
  assert.equal(
    err.message,
    'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  assert.equal(err.details?.causes?.[0]?.field, 'spec.ports[0].nodePort');
  c.close();
});

test('scenario 25: a port outside the range is a 422 naming the range', async () => {
  const c = await startCluster();
  const err = await refusal(c.create(svc('web', 'NodePort', [{ port: 80, nodePort: 80 }])));
  assert.equal(
    err.message,
    'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.deepEqual(await c.taken(), []);
  c.close();
});

test('scenario 25: LoadBalancer + Local gets a healthCheckNodePort; switching to Cluster releases it', async () => {
  const c = await startCluster();
  const lb = await c.create(svc('lb', 'LoadBalancer', [{ port: 80 }], { externalTrafficPolicy: 'Local' }));
  const hc = lb.spec.healthCheckNodePort;
  const nodePort = lb.spec.ports![0].nodePort;
  assert.ok(inDynamicBand(hc) && inDynamicBand(nodePort) && hc !== nodePort);
  assert.deepEqual((await c.taken()).sort(), [hc, nodePort].sort());
  const cluster = await c.patch('lb', { spec: { externalTrafficPolicy: 'Cluster' } });
  assert.equal(cluster.spec.healthCheckNodePort, undefined);
  assert.deepEqual(await c.taken(), [nodePort]);
  const local = await c.patch('lb', { spec: { externalTrafficPolicy: 'Local' } });
  assert.ok(inDynamicBand(local.spec.healthCheckNodePort));
  assert.equal(local.spec.ports![0].nodePort, nodePort);
  c.close();
});

test('a requested healthCheckNodePort is honoured, a taken one is an internal error', async () => {
  const c = await startCluster();
  const lb = await c.create(
    svc('lb', 'LoadBalancer', [{ port: 80 }], { externalTrafficPolicy: 'Local', healthCheckNodePort: 30100 }),
  );
  assert.equal(lb.spec.healthCheckNodePort, 30100);
  const err = await refusal(
    c.create(
      svc('lb2', 'LoadBalancer', [{ port: 80 }], { externalTrafficPolicy: 'Local', healthCheckNodePort: 30100 }),
    ),
  );
  assert.equal(err.code, 500);
  assert.equal(
    err.message,
    'Internal error occurred: failed to allocate requested HealthCheck NodePort 30100: provided port is already allocated',
  );
  assert.equal((await c.taken()).includes(30100), true);
  assert.equal((await c.taken()).length, 2, 'the failed create kept nothing');
  c.close();
});

test('allocateLoadBalancerNodePorts: false allocates nothing but honours requests', async () => {
  const c = await startCluster();
  const lb = await c.create(
    svc(
      'lb',
      'LoadBalancer',
      [
        { name: 'a', port: 80 },
        { name: 'b', port: 81, nodePort: 30081 },
      ],
      { allocateLoadBalancerNodePorts: false },
    ),
  );
  assert.deepEqual(
    lb.spec.ports!.map((p) => p.nodePort),
    [undefined, 30081],
  );
  assert.deepEqual(await c.taken(), [30081]);
  c.close();
});

test('ClusterIP Services get no nodePort, and asking for one is refused by validation', async () => {
  const c = await startCluster();
  const plain = await c.create(svc('plain', 'ClusterIP'));
  assert.equal(plain.spec.ports![0].nodePort, undefined);
  const err = await refusal(c.create(svc('asks', 'ClusterIP', [{ port: 80, nodePort: 30080 }])));
  assert.match(err.message, /spec\.ports\[0\]\.nodePort: Forbidden: may not be used when `type` is 'ClusterIP'/);
  assert.deepEqual(await c.taken(), []);
  c.close();
});

test('one nodePort for two port numbers of the same protocol is a duplicate', async () => {
  const c = await startCluster();
  const err = await refusal(
    c.create(
      svc('dup', 'NodePort', [
        { name: 'a', port: 53, nodePort: 30053 },
        { name: 'b', port: 54, nodePort: 30053 },
      ]),
    ),
  );
  assert.equal(err.message, 'Service "dup" is invalid: spec.ports[1].nodePort: Duplicate value: 30053');
  assert.deepEqual(await c.taken(), []);
  c.close();
});

test('a full range is a 500 with upstream text', async () => {
  const c = await startCluster({ nodePortRange: '30000-30002' });
  await c.create(
    svc('a', 'NodePort', [
      { name: 'x', port: 80 },
      { name: 'y', port: 81 },
      { name: 'z', port: 82 },
    ]),
  );
  const err = await refusal(c.create(svc('b', 'NodePort')));
  assert.equal(err.code, 500);
  assert.equal(err.message, 'Internal error occurred: failed to allocate a nodePort: range is full');
  c.close();
});

test('a create that fails validation gives its ports back', async () => {
  const c = await startCluster();
  const err = await refusal(
    c.create(
      svc(
        'bad',
        'NodePort',
        [
          { name: 'a', port: 80, nodePort: 30100 },
          { name: 'b', port: 81 },
        ],
        { sessionAffinity: 'Sometimes' },
      ),
    ),
  );
  assert.equal(err.code, 422);
  assert.deepEqual(await c.taken(), []);
  c.close();
});

test('a dry run shows nodePorts but takes none', async () => {
  const c = await startCluster();
  const dry = await c.create(svc('web', 'NodePort'), true);
  assert.ok(inDynamicBand(dry.spec.ports![0].nodePort));
  assert.deepEqual(await c.taken(), []);
  c.close();
});

test('updates keep omitted ports, allocate new ones and release dropped ones after commit', async () => {
  const c = await startCluster();
  const created = await c.create(
    svc('web', 'NodePort', [
      { name: 'http', port: 80 },
      { name: 'https', port: 443 },
    ]),
  );
  const [http, https] = created.spec.ports!.map((p) => p.nodePort!);
  // A PUT of the original manifest (no nodePorts) keeps them, matched by name.
  const replaced = await c.registry.update(
    services,
    'default',
    'web',
    svc('web', 'NodePort', [
      { name: 'https', port: 443 },
      { name: 'http', port: 80 },
    ]),
    undefined,
  );
  assert.deepEqual(
    replaced.spec.ports!.map((p) => p.nodePort),
    [https, http],
  );
  const changed = await c.registry.update(
    services,
    'default',
    'web',
    svc('web', 'NodePort', [
      { name: 'http', port: 80 },
      { name: 'admin', port: 9000 },
    ]),
    undefined,
  );
  const admin = changed.spec.ports![1].nodePort!;
  assert.equal(changed.spec.ports![0].nodePort, http);
  assert.deepEqual((await c.taken()).sort(), [http, admin].sort(), `${https} was released`);
  c.close();
});

test('changing to ClusterIP releases every port and clears the fields; delete frees the rest', async () => {
  const c = await startCluster();
  await c.create(svc('lb', 'LoadBalancer', [{ port: 80 }], { externalTrafficPolicy: 'Local' }));
  const plain = await c.patch('lb', { spec: { type: 'ClusterIP' } });
  assert.deepEqual([plain.spec.ports![0].nodePort, plain.spec.healthCheckNodePort], [undefined, undefined]);
  assert.deepEqual(await c.taken(), []);
  await c.create(svc('np', 'NodePort', [{ port: 80, nodePort: 30080 }]));
  await c.registry.delete(services, 'default', 'np');
  assert.deepEqual(await c.taken(), []);
  assert.equal(
    (await c.create(svc('again', 'NodePort', [{ port: 80, nodePort: 30080 }]))).spec.ports![0].nodePort,
    30080,
  );
  c.close();
});

test('an update that fails validation frees what it allocated and keeps what it would release', async () => {
  const c = await startCluster();
  const web = await c.create(svc('web', 'NodePort', [{ name: 'http', port: 80 }]));
  const held = web.spec.ports![0].nodePort!;
  const err = await refusal(
    c.registry.update(
      services,
      'default',
      'web',
      svc('web', 'NodePort', [{ name: 'admin', port: 9000, nodePort: 30900 }], { sessionAffinity: 'Sometimes' }),
      undefined,
    ),
  );
  assert.equal(err.code, 422);
  assert.deepEqual(await c.taken(), [held]);
  c.close();
});

// --- repair ---------------------------------------------------------------------------------

const range = NodePortRange.parse(DEFAULT_RANGE);
const service = (name: string, ports: Body[], healthCheckNodePort?: number): Service =>
  ({
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { type: 'NodePort', ports, healthCheckNodePort },
  }) as Service;
const bits = (...ports: number[]) => {
  const b = new Bitmap(range.size, range.offset);
  for (const p of ports) b.allocate(range.indexOf(p)!);
  return b;
};
const portsOf = (b: Bitmap) => b.allocated().map((i) => range.itemAt(i));

const collectCases = [
  { name: 'no nodePorts', ports: [{ port: 80, protocol: 'TCP' }], hc: undefined, want: [] },
  {
    name: 'different protocols share once',
    ports: [
      { port: 53, protocol: 'UDP', nodePort: 30053 },
      { port: 53, protocol: 'TCP', nodePort: 30053 },
    ],
    hc: undefined,
    want: [30053],
  },
  {
    name: 'same protocol twice counts twice',
    ports: [
      { port: 80, protocol: 'TCP', nodePort: 30080 },
      { port: 81, protocol: 'TCP', nodePort: 30080 },
    ],
    hc: undefined,
    want: [30080, 30080],
  },
  {
    name: 'the health-check port counts',
    ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }],
    hc: 30100,
    want: [30080, 30100],
  },
  {
    name: 'a health-check port on a TCP nodePort counts twice',
    ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }],
    hc: 30080,
    want: [30080, 30080],
  },
  {
    name: 'a health-check port on a UDP nodePort counts once',
    ports: [{ port: 80, protocol: 'UDP', nodePort: 30080 }],
    hc: 30080,
    want: [30080],
  },
];
for (const tc of collectCases) {
  test(`collectServiceNodePorts: ${tc.name}`, () => {
    assert.deepEqual(collectServiceNodePorts(service('s', tc.ports, tc.hc).spec), tc.want);
  });
}

const planCases = [
  {
    name: 'consistent state',
    services: [service('a', [{ port: 80, protocol: 'TCP', nodePort: 30080 }])],
    stored: [30080],
    bitmap: [30080],
    events: [],
  },
  {
    name: 'a port in use but not allocated is repaired',
    services: [service('a', [{ port: 80, protocol: 'TCP', nodePort: 30080 }])],
    stored: [],
    bitmap: [30080],
    events: [['a', 'PortNotAllocated', 'Port 30080 is not allocated; repairing']],
  },
  {
    name: 'a port used by two Services is reported on the second',
    services: [
      service('a', [{ port: 80, protocol: 'TCP', nodePort: 30080 }]),
      service('b', [{ port: 53, protocol: 'UDP', nodePort: 30080 }]),
    ],
    stored: [30080],
    bitmap: [30080],
    events: [['b', 'PortAlreadyAllocated', 'Port 30080 was assigned to multiple services; please recreate service']],
  },
  {
    name: 'a port outside the range is reported and not stored',
    services: [service('a', [{ port: 80, protocol: 'TCP', nodePort: 8080 }])],
    stored: [],
    bitmap: [],
    events: [['a', 'PortOutOfRange', 'Port 8080 is not within the port range 30000-32767; please recreate service']],
  },
];
for (const tc of planCases) {
  test(`planNodePortRepair: ${tc.name}`, () => {
    const plan = planNodePortRepair(tc.services, bits(...tc.stored), new Map(), range);
    assert.deepEqual(portsOf(plan.bitmap), tc.bitmap);
    assert.deepEqual(
      plan.events.map((e) => [e.service.metadata.name, e.reason, e.message]),
      tc.events,
    );
  });
}

test('planNodePortRepair: an orphaned port survives two passes and is freed on the third', () => {
  let stored = bits(30500);
  let leaks: ReadonlyMap<number, number> = new Map();
  const kept: number[][] = [];
  for (let pass = 0; pass < 3; pass++) {
    const plan = planNodePortRepair([], stored, leaks, range);
    kept.push(portsOf(plan.bitmap));
    [stored, leaks] = [plan.bitmap, plan.leaks];
  }
  assert.deepEqual(kept, [[30500], [30500], []]);
  assert.equal(leaks.size, 0);
});

test('the NodePort repair controller stores the rebuilt bitmap and records events', async () => {
  const c = await startCluster();
  const web = await c.create(svc('web', 'NodePort', [{ port: 80, nodePort: 30080 }]));
  await openNodePortStore(c.backend, DEFAULT_RANGE).transact((b) => b.release(range.indexOf(30080)!));
  const controller = nodePortRepairController({ backend: c.backend, nodePortRange: DEFAULT_RANGE });
  assert.deepEqual([controller.name, controller.for], ['nodeport-repair', 'Service']);
  const events: Event[] = [];
  const listers = {
    Service: {
      list: () => c.registry.list(services, undefined, { watch: false, allowWatchBookmarks: false }).items as Service[],
    },
  } as unknown as Listers;
  const client = {
    async create(_kind: string, obj: Event) {
      events.push(obj);
      return obj;
    },
  } as unknown as Client;
  const ctx: ReconcileContext = {
    signal: new AbortController().signal,
    log: { info() {}, error() {}, debug() {} },
    now: () => 0,
    listers,
    client,
  };
  assert.deepEqual(await controller.reconcile(ctx, REPAIR_KEY), { requeueAfterMs: 3 * 60_000 });
  assert.deepEqual(await c.taken(), [30080]);
  assert.deepEqual(
    events.map((e) => [
      e.involvedObject.kind,
      e.involvedObject.name,
      e.involvedObject.uid,
      e.reason,
      e.source?.component,
    ]),
    [['Service', 'web', web.metadata.uid, 'PortNotAllocated', 'portallocator-repair-controller']],
  );
  c.close();
});
