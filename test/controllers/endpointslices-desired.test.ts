import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import { PodSchema, type Pod } from '../../src/registry/kinds/pod/schema.js';
import { ServiceSchema, type Service } from '../../src/registry/kinds/service/schema.js';
import { jsonEqual } from '../../src/apimachinery/equal.js';
import type { KubeObject } from '../../src/apimachinery/object.js';
import { endpointSlices } from '../../src/registry/kinds/endpointslice/index.js';
import { TRIGGER_TIME_ANNOTATION } from '../../controllers/endpoints/desired.js';
import {
  CONTROLLER_NAME,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  planEndpointSlices,
  type SlicePlan,
} from '../../controllers/endpointslices/desired.js';
import {
  createEndpointSliceController,
  servicesForPodSlices,
} from '../../controllers/endpointslices/endpointslices.js';
import { laggingCluster } from './lagging-cluster.js';

const T0 = '2024-01-01T00:00:00Z';

interface PodOpts {
  ip?: string;
  node?: string;
  ready?: boolean;
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  phase?: string;
  deleting?: boolean;
  hostname?: string;
  subdomain?: string;
}

/** A Pod as the registry stores it (decoded with defaults). */
function pod(name: string, o: PodOpts = {}): Pod {
  return PodSchema.parse({
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'store', role: 'be' },
      creationTimestamp: T0,
      ...(o.deleting ? { deletionTimestamp: T0 } : {}),
    },
    spec: {
      nodeName: o.node ?? 'vm1',
      hostname: o.hostname,
      subdomain: o.subdomain,
      containers: [{ name: 'app', image: 'app:1', ports: o.ports ?? [] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      podIP: o.ip,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: T0 }],
    },
  });
}

/** Service default/store-be (the reference cluster): selector app=store,role=be, port http 80 → targetPort `http`. */
function service(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Service {
  return ServiceSchema.parse({
    metadata: { name: 'store-be', namespace: 'default', uid: 'uid-svc', creationTimestamp: T0, ...meta },
    spec: {
      selector: { app: 'store', role: 'be' },
      clusterIP: '10.9.3.76',
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      ...spec,
    },
  });
}

const httpPod = (name: string, ip: string, o: PodOpts = {}) =>
  pod(name, { ip, ports: [{ name: 'http', containerPort: 8080 }], ...o });

// Scenario 10 (docs/network-model.md#scenarios):
// A 8080 Ready, B 9090 Ready, C 8080 not Ready, D without a port named http.
const A = pod('a', { ip: '10.11.0.9', node: 'vm1', ports: [{ name: 'http', containerPort: 8080 }] });
const B = pod('b', { ip: '10.11.5.3', node: 'vm2', ports: [{ name: 'http', containerPort: 9090 }] });
const C = pod('c', { ip: '10.11.8.67', node: 'vm3', ready: false, ports: [{ name: 'http', containerPort: 8080 }] });
const D = pod('d', { ip: '10.11.0.18', node: 'vm1', ports: [{ name: 'web', containerPort: 8080 }] });

/** A slice as `ports | pod:ready/serving/terminating …`, for compact expectations. */
function summary(slice: EndpointSlice): string {
  const ports = (slice.ports ?? []).map((p) => `${p.name}:${p.port}/${p.protocol}`).join(',');
  const flag = (b: boolean | undefined) => (b ? 'T' : 'F');
  const eps = slice.endpoints.map(
    (e) =>
      `${e.targetRef?.name}:${flag(e.conditions?.ready)}${flag(e.conditions?.serving)}${flag(e.conditions?.terminating)}`,
  );
  return `${ports} | ${eps.join(' ')}`;
}

const plan = (svc: Service, pods: Pod[], existing: EndpointSlice[] = []) => planEndpointSlices(svc, pods, existing)!;

const createCases: { name: string; svc: Service; pods: Pod[]; want: string[] }[] = [
  {
    name: 'scenario 10: one slice per resolved port list; D keeps a port-less slice',
    svc: service(),
    pods: [A, B, C, D],
    want: ['http:8080/TCP | a:TTF c:FFF', 'http:9090/TCP | b:TTF', ' | d:TTF'],
  },
  {
    name: 'scenario 10 with publishNotReadyAddresses: C ready but not serving',
    svc: service({ publishNotReadyAddresses: true }),
    pods: [A, B, C],
    want: ['http:8080/TCP | a:TTF c:TFF', 'http:9090/TCP | b:TTF'],
  },
  {
    name: 'terminating pods stay, serving but not ready',
    svc: service(),
    pods: [
      httpPod('t', '10.11.0.40', { deleting: true }),
      httpPod('u', '10.11.0.41', { deleting: true, ready: false }),
    ],
    want: ['http:8080/TCP | t:FTT u:FFT'],
  },
  {
    name: 'publishNotReadyAddresses makes terminating pods ready',
    svc: service({ publishNotReadyAddresses: true }),
    pods: [httpPod('t', '10.11.0.40', { deleting: true })],
    want: ['http:8080/TCP | t:TTT'],
  },
  {
    name: 'Succeeded, Failed and IP-less pods are left out',
    svc: service(),
    pods: [
      A,
      httpPod('s', '10.11.0.50', { phase: 'Succeeded' }),
      httpPod('f', '10.11.0.51', { phase: 'Failed' }),
      httpPod('p', ''),
    ],
    want: ['http:8080/TCP | a:TTF'],
  },
  {
    name: 'numeric targetPort: every pod, whatever it declares',
    svc: service({ ports: [{ name: 'http', port: 80, targetPort: 8080 }] }),
    pods: [A, D],
    want: ['http:8080/TCP | a:TTF d:TTF'],
  },
  {
    name: 'protocol mismatch drops the port, not the pod',
    svc: service({ ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }] }),
    pods: [
      pod('u', { ip: '10.11.0.31', ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] }),
      pod('t', { ip: '10.11.0.32', ports: [{ name: 'dns', containerPort: 5353 }] }),
    ],
    want: [' | t:TTF', 'dns:5353/UDP | u:TTF'],
  },
  {
    name: 'multi-port service',
    svc: service({
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'metrics', port: 9100 },
      ],
    }),
    pods: [A, D],
    want: ['http:8080/TCP,metrics:9100/TCP | a:TTF', 'metrics:9100/TCP | d:TTF'],
  },
  {
    name: 'headless without ports: one port-less slice',
    svc: service({ clusterIP: 'None', ports: undefined }),
    pods: [A, C],
    want: [' | a:TTF c:FFF'],
  },
  {
    name: 'no pods: one empty placeholder slice',
    svc: service(),
    pods: [],
    want: [' | '],
  },
];

for (const tc of createCases) {
  test(`planEndpointSlices: ${tc.name}`, () => {
    const p = plan(tc.svc, tc.pods);
    assert.deepEqual(p.create.map(summary), tc.want);
    assert.deepEqual([p.update, p.delete], [[], []]);
  });
}

test('planEndpointSlices: selector-less and ExternalName Services are left alone', () => {
  assert.equal(planEndpointSlices(service({ selector: undefined }), [A], []), undefined);
  assert.equal(
    planEndpointSlices(
      service({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: undefined }),
      [A],
      [],
    ),
    undefined,
  );
});

test('planEndpointSlices: slice metadata, ports and endpoint fields', () => {
  const named = pod('web-0', {
    ip: '10.11.0.50',
    node: 'vm2',
    hostname: 'web-0',
    subdomain: 'store-be',
    ports: [{ name: 'http', containerPort: 8080 }],
  });
  const svc = service(
    { ports: [{ name: 'http', port: 80, targetPort: 'http', appProtocol: 'http' }] },
    { labels: { tier: 'be', [SERVICE_NAME_LABEL]: 'spoof' } },
  );
  const [slice] = planEndpointSlices(svc, [A, named], [], {
    zoneOfNode: (n) => (n === 'vm1' ? 'zone-a' : undefined),
  })!.create;
  assert.deepEqual(slice.metadata, {
    generateName: 'store-be-',
    namespace: 'default',
    labels: { tier: 'be', [SERVICE_NAME_LABEL]: 'store-be', [MANAGED_BY_LABEL]: CONTROLLER_NAME },
    ownerReferences: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'store-be',
        uid: 'uid-svc',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
    annotations: { [TRIGGER_TIME_ANNOTATION]: T0 },
  });
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }]);
  assert.deepEqual(slice.endpoints, [
    {
      addresses: ['10.11.0.9'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
      nodeName: 'vm1',
      zone: 'zone-a',
    },
    {
      addresses: ['10.11.0.50'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-web-0' },
      nodeName: 'vm2',
      hostname: 'web-0',
    },
  ]);
  const headless = plan(service({ clusterIP: 'None' }), [A]).create[0];
  assert.equal(headless.metadata.labels?.['service.kubernetes.io/headless'], '');
});

test('planEndpointSlices: its slices pass registry validation and decode unchanged (no churn)', () => {
  const named = pod('web-0', {
    ip: '10.11.0.50',
    hostname: 'web-0',
    subdomain: 'store-be',
    ports: [{ name: 'http', containerPort: 8080 }],
  });
  for (const svc of [
    service(),
    service({ clusterIP: 'None', ports: undefined }),
    service({ ports: [{ name: 'http', port: 80, targetPort: 'http' }, { port: 9100 }] }),
  ]) {
    for (const slice of plan(svc, [A, B, C, D, named, ...manyPods(120)]).create) {
      const decoded = endpointSlices.schema.parse(structuredClone(slice));
      assert.deepEqual(endpointSlices.strategy.validate(decoded), []);
      assert.ok(jsonEqual(decoded, slice));
    }
  }
});

/** `count` selected pods serving `http` on 8080, named so that name order is index order. */
function manyPods(count: number): Pod[] {
  return Array.from({ length: count }, (_, i) =>
    httpPod(`p${String(i).padStart(3, '0')}`, `10.11.${Math.floor(i / 200)}.${(i % 200) + 1}`),
  );
}

let sliceSeq = 0;

/** The slices after the server applied `p` to `existing` (names and versions as the registry would). */
function applyPlan(existing: EndpointSlice[], p: SlicePlan): EndpointSlice[] {
  const gone = new Set([...p.delete, ...p.update].map((s) => s.metadata.name));
  const updated = p.update.map((s) => ({
    ...s,
    metadata: { ...s.metadata, generation: (s.metadata.generation ?? 1) + 1 },
  }));
  const created = p.create.map((s) => ({
    ...s,
    metadata: {
      ...s.metadata,
      name: `${s.metadata.generateName}${++sliceSeq}`,
      uid: `slice-${sliceSeq}`,
      generation: 1,
    },
  }));
  return [...existing.filter((s) => !gone.has(s.metadata.name)), ...updated, ...created];
}

const sizes = (slices: EndpointSlice[]) => slices.map((s) => s.endpoints.length).sort((a, b) => b - a);
const writes = (p: SlicePlan) => ({ create: p.create.length, update: p.update.length, delete: p.delete.length });

test('planEndpointSlices: 250 pods → 3 slices of at most 100, then no churn', () => {
  const svc = service();
  const pods = manyPods(250);
  const first = plan(svc, pods);
  assert.deepEqual(sizes(first.create), [100, 100, 50]);
  const slices = applyPlan([], first);
  assert.deepEqual(writes(plan(svc, pods, slices)), { create: 0, update: 0, delete: 0 });
});

test('planEndpointSlices: one pod gone → one slice updated', () => {
  const svc = service();
  const pods = manyPods(250);
  const slices = applyPlan([], plan(svc, pods));
  const p = plan(svc, pods.slice(1), slices);
  assert.deepEqual(writes(p), { create: 0, update: 1, delete: 0 });
  assert.equal(p.update[0].endpoints.length, 99);
  assert.ok(p.update[0].metadata.name);
});

test('planEndpointSlices: a new pod goes into the slice it fills best', () => {
  const svc = service();
  const pods = manyPods(250);
  const slices = applyPlan([], plan(svc, pods));
  const p = plan(svc, [...pods, httpPod('zz', '10.11.9.9')], slices);
  assert.deepEqual(writes(p), { create: 0, update: 1, delete: 0 });
  assert.equal(p.update[0].endpoints.length, 51);
});

test('planEndpointSlices: a readiness change updates that endpoint in place', () => {
  const svc = service();
  const slices = applyPlan([], plan(svc, [A, C]));
  const p = plan(svc, [A, httpPod('c', '10.11.8.67', { node: 'vm3' })], slices);
  assert.deepEqual(p.update.map(summary), ['http:8080/TCP | a:TTF c:TTF']);
  assert.equal(p.update[0].metadata.name, slices[0].metadata.name);
});

test('planEndpointSlices: the placeholder stays put, then is recycled for the first endpoints', () => {
  const svc = service();
  const slices = applyPlan([], plan(svc, []));
  assert.deepEqual(writes(plan(svc, [], slices)), { create: 0, update: 0, delete: 0 });
  const p = plan(svc, [A], slices);
  assert.deepEqual(writes(p), { create: 0, update: 1, delete: 0 });
  assert.equal(p.update[0].metadata.name, slices[0].metadata.name);
  assert.deepEqual(p.update.map(summary), ['http:8080/TCP | a:TTF']);
  const emptied = plan(svc, [], applyPlan(slices, p));
  assert.deepEqual(emptied.update.map(summary), [' | ']);
});

test('planEndpointSlices: a slice owned by another Service object is deleted, not reused', () => {
  const svc = service();
  const stale = applyPlan([], plan(service({}, { uid: 'uid-old' }), [A]));
  const p = plan(svc, [A], stale);
  assert.deepEqual(writes(p), { create: 1, update: 0, delete: 1 });
  assert.equal(p.delete[0].metadata.name, stale[0].metadata.name);
});

test('planEndpointSlices: Service label changes reach every slice', () => {
  const slices = applyPlan([], plan(service(), manyPods(150)));
  const p = plan(service({}, { labels: { tier: 'be' } }), manyPods(150), slices);
  assert.deepEqual(writes(p), { create: 0, update: 2, delete: 0 });
  assert.ok(p.update.every((s) => s.metadata.labels?.tier === 'be' && s.endpoints.length > 0));
});

test('planEndpointSlices: nothing is created for a Service being deleted', () => {
  const p = plan(service({}, { deletionTimestamp: T0 }), [A]);
  assert.deepEqual(writes(p), { create: 0, update: 0, delete: 0 });
});

// ---------------------------------------------------------------------------------------------
// Reconcile, against a tiny in-memory stand-in for the informer caches and the registry client.

const KEY = { namespace: 'default', name: 'store-be' };
const typed = <T extends KubeObject>(kind: string, obj: T): KubeObject => ({ ...obj, kind });

test('reconcile: creates the slices, then writes nothing while nothing changes', async () => {
  const controller = createEndpointSliceController();
  const cluster = laggingCluster([typed('Service', service()), ...[A, B, C, D].map((p) => typed('Pod', p))]);
  await controller.reconcile(cluster.ctx, KEY);
  assert.deepEqual((cluster.all('EndpointSlice') as EndpointSlice[]).map(summary), [
    'http:8080/TCP | a:TTF c:FFF',
    'http:9090/TCP | b:TTF',
    ' | d:TTF',
  ]);
  assert.ok((cluster.all('EndpointSlice') as EndpointSlice[]).every((s) => s.metadata.name?.startsWith('store-be-')));
  cluster.sync();
  const before = cluster.calls.length;
  await controller.reconcile(cluster.ctx, KEY);
  assert.equal(cluster.calls.length, before);
});

test('reconcile: a cache missing its own new slice fails instead of duplicating it', async () => {
  const controller = createEndpointSliceController();
  const cluster = laggingCluster([typed('Service', service()), typed('Pod', A)]);
  await controller.reconcile(cluster.ctx, KEY);
  await assert.rejects(controller.reconcile(cluster.ctx, KEY), /out of date/);
  cluster.sync();
  await controller.reconcile(cluster.ctx, KEY);
  assert.deepEqual(cluster.calls, ['create EndpointSlice store-be-x1']);
});

test('reconcile: the slices go when the Service goes (kplane has no garbage collector)', async () => {
  const controller = createEndpointSliceController();
  const cluster = laggingCluster([typed('Service', service()), ...manyPods(150).map((p) => typed('Pod', p))]);
  await controller.reconcile(cluster.ctx, KEY);
  assert.equal((cluster.all('EndpointSlice') as EndpointSlice[]).length, 2);
  cluster.remove('Service', 'store-be');
  cluster.sync();
  await controller.reconcile(cluster.ctx, KEY);
  assert.equal((cluster.all('EndpointSlice') as EndpointSlice[]).length, 0);
});

test('reconcile: a selector-less Service gets no slices', async () => {
  const controller = createEndpointSliceController();
  const cluster = laggingCluster([typed('Service', service({ selector: undefined })), typed('Pod', A)]);
  await controller.reconcile(cluster.ctx, KEY);
  assert.deepEqual(cluster.calls, []);
});

test('watch maps: Pods to selecting Services and to Services whose slices list them; slices to their Service', async () => {
  const controller = createEndpointSliceController();
  const cluster = laggingCluster([typed('Service', service()), typed('Pod', A)]);
  await controller.reconcile(cluster.ctx, KEY);
  cluster.put(
    typed('EndpointSlice', {
      apiVersion: 'discovery.k8s.io/v1',
      metadata: { name: 'manual', namespace: 'default', labels: { [SERVICE_NAME_LABEL]: 'x' } },
      addressType: 'IPv4',
      endpoints: [],
    }),
  );
  cluster.sync();
  const listers = cluster.ctx.listers;
  assert.deepEqual(servicesForPodSlices(A, listers), [KEY]);
  assert.deepEqual(servicesForPodSlices(pod('a', { ip: '10.11.0.9', labels: { app: 'other' } }), listers), [KEY]);
  assert.deepEqual(servicesForPodSlices(pod('z', { ip: '10.11.0.99', labels: { app: 'other' } }), listers), []);
  const sliceWatch = controller.watches!.find((w) => w.kind === 'EndpointSlice')!;
  const [ours, manual] = listers.EndpointSlice.list({ namespace: 'default' });
  assert.deepEqual(sliceWatch.map(ours, { listers }), [KEY]);
  assert.deepEqual(sliceWatch.map(manual, { listers }), []);
});
