import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EndpointsSchema,
  type EndpointAddress,
  type EndpointSubset,
  type Endpoints,
} from '../../src/registry/kinds/endpoints/schema.js';
import { PodSchema, type Pod } from '../../src/registry/kinds/pod/schema.js';
import { ServiceSchema, type Service } from '../../src/registry/kinds/service/schema.js';
import { StatusError, errors } from '../../src/apimachinery/errors.js';
import { jsonEqual } from '../../src/apimachinery/equal.js';
import type { KubeObject } from '../../src/apimachinery/object.js';
import { endpoints } from '../../src/registry/kinds/endpoints/index.js';
import {
  OVER_CAPACITY_ANNOTATION,
  TRIGGER_TIME_ANNOTATION,
  desiredEndpoints,
  sameEndpoints,
} from '../../controllers/endpoints/desired.js';
import { endpointsController, serviceOfEndpoints, servicesForPod } from '../../controllers/endpoints/endpoints.js';
import { laggingCluster } from './lagging-cluster.js';

const T0 = '2024-01-01T00:00:00Z';

interface PodOpts {
  ip?: string;
  node?: string;
  ready?: boolean;
  labels?: Record<string, string>;
  namespace?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  sidecarPorts?: { name?: string; containerPort: number }[];
  phase?: string;
  deleting?: boolean;
  hostname?: string;
  subdomain?: string;
  readySince?: string;
}

/** A Pod as the registry stores it (decoded with defaults). */
function pod(name: string, o: PodOpts = {}): Pod {
  return PodSchema.parse({
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
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
      initContainers: o.sidecarPorts
        ? [{ name: 'sidecar', image: 'side:1', restartPolicy: 'Always', ports: o.sidecarPorts }]
        : undefined,
    },
    status: {
      phase: o.phase ?? 'Running',
      podIP: o.ip,
      conditions: [
        { type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? T0 },
      ],
    },
  });
}

/** Service default/store-be (the reference cluster): selector app=store,role=be, port http 80 → targetPort `http`. */
function service(spec: Record<string, unknown> = {}, labels?: Record<string, string>): Service {
  return ServiceSchema.parse({
    metadata: { name: 'store-be', namespace: 'default', uid: 'uid-svc', creationTimestamp: T0, labels },
    spec: {
      selector: { app: 'store', role: 'be' },
      clusterIP: '10.9.3.76',
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      ...spec,
    },
  });
}

function addr(p: Pod, extra: Partial<EndpointAddress> = {}): EndpointAddress {
  const { namespace, name, uid } = p.metadata;
  return {
    ip: p.status!.podIP!,
    nodeName: p.spec.nodeName,
    targetRef: { kind: 'Pod', namespace, name, uid },
    ...extra,
  };
}

const http = (port: number) => ({ name: 'http', port, protocol: 'TCP' });

// Scenario 10 (docs/network-model.md#scenarios):
// A 8080 Ready, B 9090 Ready, C 8080 not Ready, D without a port named http.
const A = pod('a', { ip: '10.11.0.9', node: 'vm1', ports: [{ name: 'http', containerPort: 8080 }] });
const B = pod('b', { ip: '10.11.5.3', node: 'vm2', ports: [{ name: 'http', containerPort: 9090 }] });
const C = pod('c', { ip: '10.11.8.67', node: 'vm3', ready: false, ports: [{ name: 'http', containerPort: 8080 }] });
const D = pod('d', { ip: '10.11.0.18', node: 'vm1', ports: [{ name: 'web', containerPort: 8080 }] });

interface SubsetCase {
  name: string;
  svc: Service;
  pods: Pod[];
  want: EndpointSubset[];
}

const numericPod = pod('n', { ip: '10.11.0.30' });
const udpPod = pod('u', { ip: '10.11.0.31', ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] });
const tcpDnsPod = pod('t', { ip: '10.11.0.32', ports: [{ name: 'dns', containerPort: 5353, protocol: 'TCP' }] });
const terminating = pod('term', { ip: '10.11.0.40', deleting: true, ports: [{ name: 'http', containerPort: 8080 }] });
const succeeded = pod('done', { ip: '10.11.0.41', phase: 'Succeeded', ports: [{ name: 'http', containerPort: 8080 }] });
const failed = pod('failed', { ip: '10.11.0.42', phase: 'Failed', ports: [{ name: 'http', containerPort: 8080 }] });
const noIP = pod('pending', { ports: [{ name: 'http', containerPort: 8080 }] });
const named = pod('web-0', {
  ip: '10.11.0.50',
  hostname: 'web-0',
  subdomain: 'store-be',
  ports: [{ name: 'http', containerPort: 8080 }],
});
const otherSubdomain = pod('web-1', {
  ip: '10.11.0.51',
  hostname: 'web-1',
  subdomain: 'other',
  ports: [{ name: 'http', containerPort: 8080 }],
});
const sidecar = pod('side', { ip: '10.11.0.60', sidecarPorts: [{ name: 'http', containerPort: 7070 }] });
const metricsOnly = pod('m', { ip: '10.11.0.70', ports: [{ name: 'metrics', containerPort: 9100 }] });
const otherNamespace = pod('elsewhere', {
  ip: '10.11.0.80',
  namespace: 'prod',
  ports: [{ name: 'http', containerPort: 8080 }],
});
const frontend = pod('fe', {
  ip: '10.11.8.68',
  labels: { app: 'store', role: 'fe' },
  ports: [{ name: 'http', containerPort: 8080 }],
});
const twin = pod('a2', { ip: '10.11.5.9', node: 'vm2', ports: [{ name: 'http', containerPort: 8080 }] });
const multiPort = service({
  ports: [
    { name: 'http', port: 80, targetPort: 'http' },
    { name: 'metrics', port: 9100, targetPort: 9100 },
  ],
});

const subsetCases: SubsetCase[] = [
  {
    name: 'scenario 10: named port per pod, not-ready C beside A, D absent',
    svc: service(),
    pods: [A, B, C, D],
    want: [
      { addresses: [addr(A)], notReadyAddresses: [addr(C)], ports: [http(8080)] },
      { addresses: [addr(B)], ports: [http(9090)] },
    ],
  },
  {
    name: 'scenario 10 with publishNotReadyAddresses: C becomes ready',
    svc: service({ publishNotReadyAddresses: true }),
    pods: [A, B, C, D],
    want: [
      { addresses: [addr(A), addr(C)], ports: [http(8080)] },
      { addresses: [addr(B)], ports: [http(9090)] },
    ],
  },
  {
    name: 'numeric targetPort: pod ports are not consulted',
    svc: service({ ports: [{ name: 'http', port: 80, targetPort: 8080 }] }),
    pods: [numericPod, D],
    want: [{ addresses: [addr(D), addr(numericPod)], ports: [http(8080)] }],
  },
  {
    name: 'omitted targetPort defaults to port',
    svc: service({ ports: [{ port: 80 }] }),
    pods: [numericPod],
    want: [{ addresses: [addr(numericPod)], ports: [{ port: 80, protocol: 'TCP' }] }],
  },
  {
    name: 'named targetPort must match the protocol too',
    svc: service({ ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }] }),
    pods: [udpPod, tcpDnsPod],
    want: [{ addresses: [addr(udpPod)], ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] }],
  },
  {
    name: 'named targetPort found on a restartable init (sidecar) container',
    svc: service(),
    pods: [sidecar],
    want: [{ addresses: [addr(sidecar)], ports: [http(7070)] }],
  },
  {
    name: 'terminating, Succeeded, Failed and IP-less pods are left out',
    svc: service(),
    pods: [A, terminating, succeeded, failed, noIP],
    want: [{ addresses: [addr(A)], ports: [http(8080)] }],
  },
  {
    name: 'publishNotReadyAddresses keeps a terminating pod (as ready) but never a finished one',
    svc: service({ publishNotReadyAddresses: true }),
    pods: [A, terminating, succeeded, failed, noIP],
    // Addresses sort by IP as text, as upstream's LessEndpointAddress.
    want: [{ addresses: [addr(terminating), addr(A)], ports: [http(8080)] }],
  },
  {
    name: 'hostname only when the subdomain names the Service',
    svc: service(),
    pods: [named, otherSubdomain],
    want: [{ addresses: [addr(named, { hostname: 'web-0' }), addr(otherSubdomain)], ports: [http(8080)] }],
  },
  {
    name: 'headless without ports: addresses only',
    svc: service({ clusterIP: 'None', ports: undefined }),
    pods: [A, C],
    want: [{ addresses: [addr(A)], notReadyAddresses: [addr(C)] }],
  },
  {
    name: 'non-headless without ports: no subsets',
    svc: service({ ports: undefined }),
    pods: [A, C],
    want: [],
  },
  {
    name: 'multi-port: a pod without the named port keeps the numeric one',
    svc: multiPort,
    pods: [A, metricsOnly],
    // Repacking groups by port: http is served by A alone, metrics by both.
    want: [
      { addresses: [addr(metricsOnly), addr(A)], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
      { addresses: [addr(A)], ports: [http(8080)] },
    ],
  },
  {
    name: 'multi-port: pods resolving every port alike share one subset with all ports',
    svc: multiPort,
    pods: [A, twin],
    want: [{ addresses: [addr(A), addr(twin)], ports: [http(8080), { name: 'metrics', port: 9100, protocol: 'TCP' }] }],
  },
  {
    name: 'only pods of the namespace whose labels include the selector',
    svc: service(),
    pods: [A, otherNamespace, frontend],
    want: [{ addresses: [addr(A)], ports: [http(8080)] }],
  },
];

for (const tc of subsetCases) {
  test(`desiredEndpoints: ${tc.name}`, () => {
    const ep = desiredEndpoints(tc.svc, tc.pods);
    assert.ok(ep);
    assert.deepEqual(ep.subsets, tc.want);
  });
}

const unmanagedCases: { name: string; svc: Service }[] = [
  { name: 'no selector', svc: service({ selector: undefined }) },
  { name: 'empty selector', svc: service({ selector: {} }) },
  {
    name: 'ExternalName',
    svc: service({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: undefined }),
  },
];

for (const tc of unmanagedCases) {
  test(`desiredEndpoints: ${tc.name} → left alone`, () => {
    assert.equal(desiredEndpoints(tc.svc, [A, B]), undefined);
  });
}

test('desiredEndpoints: metadata carries the Service labels, the headless marker and the trigger time', () => {
  const plain = desiredEndpoints(service({}, { tier: 'be' }), [A])!;
  assert.deepEqual(plain.metadata, {
    name: 'store-be',
    namespace: 'default',
    labels: { tier: 'be' },
    annotations: { [TRIGGER_TIME_ANNOTATION]: T0 },
  });
  const headless = desiredEndpoints(service({ clusterIP: 'None' }, { tier: 'be' }), [A])!;
  assert.deepEqual(headless.metadata.labels, { tier: 'be', 'service.kubernetes.io/headless': '' });
  const later = pod('late', {
    ip: '10.11.0.99',
    readySince: '2024-01-02T03:04:05Z',
    ports: [{ name: 'http', containerPort: 8080 }],
  });
  assert.equal(
    desiredEndpoints(service(), [A, later])!.metadata.annotations?.[TRIGGER_TIME_ANNOTATION],
    '2024-01-02T03:04:05Z',
  );
});

/** `n` selected pods with distinct IPs serving numeric port 80; the first `notReady` are not Ready. */
function manyPods(n: number, notReady = 0): Pod[] {
  return Array.from({ length: n }, (_, i) =>
    pod(`p${i}`, { ip: `10.11.${Math.floor(i / 200)}.${(i % 200) + 1}`, ready: i >= notReady }),
  );
}

const capacityCases: { name: string; pods: Pod[]; ready: number; notReady: number; truncated: boolean }[] = [
  { name: '1000 addresses fit', pods: manyPods(1000), ready: 1000, notReady: 0, truncated: false },
  { name: '1001 ready are cut to 1000', pods: manyPods(1001), ready: 1000, notReady: 0, truncated: true },
  {
    name: 'ready addresses win over not-ready ones',
    pods: manyPods(1010, 20),
    ready: 990,
    notReady: 10,
    truncated: true,
  },
  {
    name: 'over 1000 ready drops every not-ready one',
    pods: manyPods(1050, 30),
    ready: 1000,
    notReady: 0,
    truncated: true,
  },
];

for (const tc of capacityCases) {
  test(`desiredEndpoints capacity: ${tc.name}`, () => {
    const ep = desiredEndpoints(service({ ports: [{ name: 'http', port: 80, targetPort: 80 }] }), tc.pods)!;
    const count = (field: 'addresses' | 'notReadyAddresses') =>
      (ep.subsets ?? []).reduce((n, s) => n + (s[field]?.length ?? 0), 0);
    assert.equal(count('addresses'), tc.ready);
    assert.equal(count('notReadyAddresses'), tc.notReady);
    assert.equal(ep.metadata.annotations?.[OVER_CAPACITY_ANNOTATION], tc.truncated ? 'truncated' : undefined);
    assert.ok((ep.subsets ?? []).every((s) => (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0) > 0));
  });
}

test('desiredEndpoints: its output passes registry validation and is already canonical (no churn)', () => {
  const headless = service({ clusterIP: 'None', ports: undefined });
  const numeric = service({ ports: [{ name: 'http', port: 80, targetPort: 80 }] });
  for (const svc of [service(), headless, multiPort, numeric]) {
    const ep = desiredEndpoints(svc, [A, B, C, D, named, twin, metricsOnly, ...manyPods(1010, 20)])!;
    const decoded = endpoints.schema.parse(structuredClone(ep));
    assert.deepEqual(endpoints.strategy.validate(decoded), []);
    endpoints.strategy.canonicalize?.(decoded);
    assert.ok(jsonEqual(decoded, ep));
  }
});

/** `desiredEndpoints` for scenario 10, as stored (decoded) with `edit` applied. */
function stored(edit: (ep: Endpoints) => void = () => {}): Endpoints {
  const ep = EndpointsSchema.parse(structuredClone(desiredEndpoints(service(), [A, B, C])!));
  edit(ep);
  return ep;
}

const sameCases: { name: string; b: Endpoints; want: boolean }[] = [
  { name: 'identical', b: stored(), want: true },
  {
    name: 'only the trigger time differs',
    b: stored((e) => (e.metadata.annotations![TRIGGER_TIME_ANNOTATION] = '2030-01-01T00:00:00Z')),
    want: true,
  },
  {
    name: 'a targetRef resourceVersion differs',
    b: stored((e) => (e.subsets![0].addresses![0].targetRef!.resourceVersion = '42')),
    want: true,
  },
  {
    name: 'server metadata differs',
    b: stored((e) => Object.assign(e.metadata, { resourceVersion: '7', uid: 'x' })),
    want: true,
  },
  {
    name: 'an address moved to notReady',
    b: stored((e) => (e.subsets![1] = { notReadyAddresses: e.subsets![1].addresses, ports: e.subsets![1].ports })),
    want: false,
  },
  { name: 'a port number differs', b: stored((e) => (e.subsets![0].ports![0].port = 8081)), want: false },
  { name: 'a label differs', b: stored((e) => (e.metadata.labels = { tier: 'x' })), want: false },
  {
    name: 'the over-capacity annotation differs',
    b: stored((e) => (e.metadata.annotations![OVER_CAPACITY_ANNOTATION] = 'truncated')),
    want: false,
  },
];

for (const tc of sameCases) {
  test(`sameEndpoints: ${tc.name}`, () => {
    assert.equal(sameEndpoints(stored(), tc.b), tc.want);
    assert.equal(sameEndpoints(tc.b, stored()), tc.want);
  });
}

test('sameEndpoints: absent and empty subsets are the same', () => {
  const a = stored((e) => delete e.subsets);
  assert.equal(
    sameEndpoints(
      a,
      stored((e) => (e.subsets = [])),
    ),
    true,
  );
});

// ---------------------------------------------------------------------------------------------
// Reconcile, against a tiny in-memory stand-in for the informer caches and the registry client.

const KEY = { namespace: 'default', name: 'store-be' };
const typed = <T extends KubeObject>(kind: string, obj: T): KubeObject => ({ ...obj, kind });

test('reconcile: creates the Endpoints, then writes nothing while nothing changes', async () => {
  const cluster = laggingCluster([
    typed('Service', service()),
    typed('Pod', A),
    typed('Pod', B),
    typed('Pod', C),
    typed('Pod', D),
  ]);
  await endpointsController.reconcile(cluster.ctx, KEY);
  assert.deepEqual(cluster.calls, ['create Endpoints store-be']);
  assert.deepEqual(
    (cluster.stored('Endpoints', 'store-be') as Endpoints).subsets,
    desiredEndpoints(service(), [A, B, C, D])!.subsets,
  );
  cluster.sync();
  await endpointsController.reconcile(cluster.ctx, KEY);
  assert.deepEqual(cluster.calls, ['create Endpoints store-be']);
});

test('reconcile: a readiness change updates in place, keeping foreign annotations', async () => {
  const cluster = laggingCluster([typed('Service', service()), typed('Pod', A), typed('Pod', C)]);
  await endpointsController.reconcile(cluster.ctx, KEY);
  const created = cluster.stored('Endpoints', 'store-be')!;
  created.metadata.annotations = { ...created.metadata.annotations, 'example.com/note': 'keep' };
  cluster.put(
    typed('Pod', pod('c', { ip: '10.11.8.67', node: 'vm3', ports: [{ name: 'http', containerPort: 8080 }] })),
  );
  cluster.sync();
  await endpointsController.reconcile(cluster.ctx, KEY);
  assert.deepEqual(cluster.calls, ['create Endpoints store-be', 'update Endpoints store-be']);
  const updated = cluster.stored('Endpoints', 'store-be') as Endpoints;
  assert.deepEqual(updated.subsets, [{ addresses: [addr(A), addr(C)], ports: [http(8080)] }]);
  assert.equal(updated.metadata.annotations?.['example.com/note'], 'keep');
});

test('reconcile: a 409 from a stale cache is thrown so the key is retried', async () => {
  const cluster = laggingCluster([typed('Service', service()), typed('Pod', A)]);
  await endpointsController.reconcile(cluster.ctx, KEY);
  cluster.sync();
  cluster.put(typed('Pod', B));
  cluster.sync();
  cluster.failNextWrite(errors.conflict({ group: '', plural: 'endpoints' }, 'store-be'));
  await assert.rejects(
    endpointsController.reconcile(cluster.ctx, KEY),
    (err: unknown) => err instanceof StatusError && err.code === 409,
  );
});

test('reconcile: the Endpoints go when the Service goes', async () => {
  const cluster = laggingCluster([typed('Service', service()), typed('Pod', A)]);
  await endpointsController.reconcile(cluster.ctx, KEY);
  cluster.remove('Service', 'store-be');
  cluster.sync();
  await endpointsController.reconcile(cluster.ctx, KEY);
  assert.deepEqual(cluster.calls, ['create Endpoints store-be', 'delete Endpoints store-be']);
  assert.equal(cluster.stored('Endpoints', 'store-be'), undefined);
});

test('reconcile: a selector-less Service keeps its user-managed Endpoints untouched', async () => {
  const manual: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'store-be', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '192.0.2.1' }] }],
  };
  const cluster = laggingCluster([
    typed('Service', service({ selector: undefined })),
    typed('Pod', A),
    typed('Endpoints', manual),
  ]);
  await endpointsController.reconcile(cluster.ctx, KEY);
  assert.deepEqual(cluster.calls, []);
});

test('Pod watch map: selecting Services, plus Services whose Endpoints still list a relabelled Pod', async () => {
  const other = ServiceSchema.parse({
    metadata: { name: 'db', namespace: 'default', uid: 'uid-db' },
    spec: { selector: { app: 'db' }, clusterIP: '10.9.0.20' },
  });
  const cluster = laggingCluster([typed('Service', service()), typed('Service', other), typed('Pod', A)]);
  await endpointsController.reconcile(cluster.ctx, KEY);
  cluster.sync();
  const listers = cluster.ctx.listers;
  assert.deepEqual(servicesForPod(A, listers), [KEY]);
  const relabelled = pod('a', { ip: '10.11.0.9', labels: { app: 'db' } });
  assert.deepEqual(servicesForPod(relabelled, listers), [{ namespace: 'default', name: 'db' }, KEY]);
  assert.deepEqual(servicesForPod(pod('z', { ip: '10.11.0.99', labels: { app: 'none' } }), listers), []);
  assert.deepEqual(servicesForPod(pod('a', { ip: '10.11.0.9', namespace: 'prod' }), listers), []);
});

test('Endpoints watch map: its Service while that exists, nothing for an orphan', () => {
  const orphan: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'later', namespace: 'default' } };
  const cluster = laggingCluster([typed('Service', service())]);
  assert.deepEqual(
    serviceOfEndpoints({ ...orphan, metadata: { name: 'store-be', namespace: 'default' } }, cluster.ctx.listers),
    [KEY],
  );
  assert.deepEqual(serviceOfEndpoints(orphan, cluster.ctx.listers), []);
});
