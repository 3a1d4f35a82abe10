import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/apimachinery/errors.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  kindPatchMeta,
  type PatchMeta,
} from '../../src/apimachinery/patch.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';

/** The strategic-merge metadata a built-in kind declares. */
function mergeMetaOf(kind: string): PatchMeta {
  const rt = builtinKinds.find((k) => k.kind === kind);
  if (!rt) throw new Error(`no built-in kind ${kind}`);
  return rt.strategicMerge;
}

/** Freezes a JSON value deeply so any mutation by the code under test throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function assertStatus(fn: () => unknown, code: number, reason: string, message?: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `expected StatusError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.reason, reason);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

/** Paths of keys starting with `$` anywhere in a value: directives must never reach a result. */
function directiveKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => directiveKeys(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k.startsWith('$') ? [`${path}.${k}`] : directiveKeys(v, `${path}.${k}`),
  );
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch

const mergePatchCases: { name: string; target: unknown; patch: unknown; want: unknown }[] = [
  { name: 'adds and replaces keys', target: { a: 1, b: 2 }, patch: { b: 3, c: 4 }, want: { a: 1, b: 3, c: 4 } },
  {
    name: 'null deletes a key',
    target: { a: 1, b: { c: 2, d: 3 } },
    patch: { b: { c: null } },
    want: { a: 1, b: { d: 3 } },
  },
  { name: 'null for an absent key is a no-op', target: { a: 1 }, patch: { z: null }, want: { a: 1 } },
  { name: 'arrays are replaced', target: { a: [1, 2, 3] }, patch: { a: [4] }, want: { a: [4] } },
  {
    name: 'object replaces a scalar and drops nested nulls',
    target: { a: 'x' },
    patch: { a: { b: null, c: 1 } },
    want: { a: { c: 1 } },
  },
  {
    name: 'kubectl label',
    target: { metadata: { name: 'p', labels: { app: 'a' } } },
    patch: { metadata: { labels: { tier: 'fe', app: null } } },
    want: { metadata: { name: 'p', labels: { tier: 'fe' } } },
  },
  { name: 'a non-object patch replaces the target', target: { a: 1 }, patch: ['x'], want: ['x'] },
  { name: 'an object patch on a non-object target', target: 7, patch: { a: 1 }, want: { a: 1 } },
];

for (const tc of mergePatchCases) {
  test(`merge patch: ${tc.name}`, () => {
    assert.deepEqual(applyMergePatch(deepFreeze(tc.target), deepFreeze(tc.patch)), tc.want);
  });
}

test('merge patch: the result shares no objects with the patch', () => {
  const patch = { spec: { list: [{ a: 1 }] } };
  const result = applyMergePatch({}, patch) as { spec: { list: { a: number }[] } };
  result.spec.list[0].a = 2;
  assert.equal(patch.spec.list[0].a, 1);
});

// ---------------------------------------------------------------------------------------------
// JSON patch

const pod = () => ({
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

const jsonPatchCases: { name: string; ops: unknown; want: unknown }[] = [
  {
    name: 'add a label',
    ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'fe' }],
    want: {
      metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    },
  },
  {
    name: 'replace an image by index',
    ops: [{ op: 'replace', path: '/spec/containers/0/image', value: 'httpd' }],
    want: { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'httpd' }] } },
  },
  {
    name: 'append with -',
    ops: [{ op: 'add', path: '/spec/containers/-', value: { name: 'd', image: 'x' } }],
    want: {
      metadata: { name: 'p', labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'c', image: 'nginx' },
          { name: 'd', image: 'x' },
        ],
      },
    },
  },
  {
    name: 'test then remove',
    ops: [
      { op: 'test', path: '/metadata/labels/app', value: 'web' },
      { op: 'remove', path: '/metadata/labels/app' },
    ],
    want: { metadata: { name: 'p', labels: {} }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
  {
    name: 'move and copy',
    ops: [
      { op: 'copy', from: '/metadata/name', path: '/metadata/labels/name' },
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/application' },
    ],
    want: {
      metadata: { name: 'p', labels: { name: 'p', application: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    },
  },
  {
    name: 'escaped pointer tokens',
    ops: [{ op: 'add', path: '/metadata/labels/a~1b~0c', value: 'v' }],
    want: {
      metadata: { name: 'p', labels: { app: 'web', 'a/b~c': 'v' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    },
  },
  { name: 'empty patch', ops: [], want: pod() },
];

for (const tc of jsonPatchCases) {
  test(`json patch: ${tc.name}`, () => {
    const target = deepFreeze(pod());
    assert.deepEqual(applyJsonPatch(target, deepFreeze(tc.ops)), tc.want);
    assert.deepEqual(target, pod());
  });
}

const UNPROCESSABLE = 'the server rejected our request due to an error in our request';

const jsonPatchFailures: { name: string; ops: unknown; code: number; reason: string; message?: string | RegExp }[] = [
  {
    name: 'failing test',
    ops: [{ op: 'test', path: '/metadata/name', value: 'other' }],
    code: 422,
    reason: 'Invalid',
    message: UNPROCESSABLE,
  },
  {
    name: 'test on a missing path',
    ops: [{ op: 'test', path: '/invalid/path', value: 'x' }],
    code: 422,
    reason: 'Invalid',
    message: UNPROCESSABLE,
  },
  {
    name: 'remove a missing path',
    ops: [{ op: 'remove', path: '/metadata/annotations' }],
    code: 422,
    reason: 'Invalid',
    message: UNPROCESSABLE,
  },
  {
    name: 'add under a missing parent',
    ops: [{ op: 'add', path: '/metadata/annotations/a', value: 'b' }],
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'replace a missing path',
    ops: [{ op: 'replace', path: '/spec/nodeName', value: 'n' }],
    code: 422,
    reason: 'Invalid',
  },
  { name: 'unknown op', ops: [{ op: 'merge', path: '/a', value: 1 }], code: 422, reason: 'Invalid' },
  { name: 'internal _get op', ops: [{ op: '_get', path: '/metadata' }], code: 422, reason: 'Invalid' },
  { name: 'missing value', ops: [{ op: 'add', path: '/metadata/labels/x' }], code: 422, reason: 'Invalid' },
  {
    name: 'body is an object',
    ops: { op: 'add' },
    code: 400,
    reason: 'BadRequest',
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  },
  {
    name: 'operation is a string',
    ops: ['add'],
    code: 400,
    reason: 'BadRequest',
    message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
  },
  {
    name: 'too many operations',
    ops: Array.from({ length: 10001 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' })),
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: 'The allowed maximum operations in a JSON patch is 10000, got 10001',
  },
];

for (const tc of jsonPatchFailures) {
  test(`json patch failure: ${tc.name}`, () => {
    const target = deepFreeze(pod());
    assertStatus(() => applyJsonPatch(target, tc.ops), tc.code, tc.reason, tc.message);
  });
}

test('json patch: a failed operation leaves no partial result and a bare 422 Status', () => {
  const target = pod();
  try {
    applyJsonPatch(target, [
      { op: 'add', path: '/metadata/labels/x', value: 'y' },
      { op: 'test', path: '/metadata/name', value: 'nope' },
    ]);
    assert.fail('expected a failure');
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.deepEqual(err.toStatus(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: UNPROCESSABLE,
      reason: 'Invalid',
      code: 422,
      details: {},
    });
  }
  assert.deepEqual(target, pod());
});

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

const service = () => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'demo', namespace: 'default', labels: { app: 'demo' } },
  spec: {
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    selector: { app: 'demo' },
    type: 'ClusterIP',
  },
});

const podWith = (
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
  status?: Record<string, unknown>,
) => ({
  metadata: { name: 'p', ...metadata },
  spec,
  ...(status ? { status } : {}),
});

const smpCases: {
  name: string;
  kind: string;
  target: Record<string, unknown>;
  patch: Record<string, unknown>;
  want: unknown;
}[] = [
  {
    name: 'kubectl apply: service port 80→81 with $setElementOrder and $patch delete',
    kind: 'Service',
    target: service(),
    patch: {
      metadata: {
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{…}\n' },
        labels: { app: 'demo2' },
      },
      spec: {
        '$setElementOrder/ports': [{ port: 81 }],
        ports: [
          { name: 'http', port: 81, targetPort: 8080 },
          { $patch: 'delete', port: 80 },
        ],
        selector: { app: 'demo2' },
      },
    },
    want: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'demo',
        namespace: 'default',
        labels: { app: 'demo2' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{…}\n' },
      },
      spec: { ports: [{ name: 'http', port: 81, targetPort: 8080 }], selector: { app: 'demo2' }, type: 'ClusterIP' },
    },
  },
  {
    name: 'a port patched by its merge key keeps its other fields',
    kind: 'Service',
    target: service(),
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    want: {
      ...service(),
      spec: { ...service().spec, ports: [{ name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' }] },
    },
  },
  {
    name: 'container env merges by name, other containers untouched',
    kind: 'Pod',
    target: podWith({
      containers: [
        {
          name: 'app',
          image: 'a:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
        { name: 'side', image: 's:1' },
      ],
    }),
    patch: {
      spec: {
        containers: [
          {
            name: 'app',
            env: [
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
          },
        ],
      },
    },
    want: podWith({
      containers: [
        {
          name: 'app',
          image: 'a:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '3' },
            { name: 'C', value: '4' },
          ],
        },
        { name: 'side', image: 's:1' },
      ],
    }),
  },
  {
    name: 'a new merge-list element goes first without $setElementOrder (as kube-apiserver)',
    kind: 'Pod',
    target: podWith({ containers: [{ name: 'app', env: [{ name: 'A', value: '1' }] }] }),
    patch: { spec: { containers: [{ name: 'app', env: [{ name: 'Z', value: '9' }] }] } },
    want: podWith({
      containers: [
        {
          name: 'app',
          env: [
            { name: 'Z', value: '9' },
            { name: 'A', value: '1' },
          ],
        },
      ],
    }),
  },
  {
    name: 'env value deleted with null inside a merged element',
    kind: 'Pod',
    target: podWith({ containers: [{ name: 'app', env: [{ name: 'A', value: '1', valueFrom: { x: 1 } }] }] }),
    patch: { spec: { containers: [{ name: 'app', env: [{ name: 'A', valueFrom: null }] }] } },
    want: podWith({ containers: [{ name: 'app', env: [{ name: 'A', value: '1' }] }] }),
  },
  {
    name: 'container ports merge by containerPort and volumeMounts by mountPath',
    kind: 'Pod',
    target: podWith({
      containers: [
        { name: 'app', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ mountPath: '/a', name: 'v' }] },
      ],
    }),
    patch: {
      spec: {
        containers: [
          {
            name: 'app',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            volumeMounts: [{ mountPath: '/a', readOnly: true }],
          },
        ],
      },
    },
    want: podWith({
      containers: [
        {
          name: 'app',
          ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
          volumeMounts: [{ mountPath: '/a', name: 'v', readOnly: true }],
        },
      ],
    }),
  },
  {
    name: 'finalizers merge as a set',
    kind: 'Pod',
    target: podWith({}, { finalizers: ['a', 'b'] }),
    patch: { metadata: { finalizers: ['c', 'a'] } },
    want: podWith({}, { finalizers: ['c', 'a', 'b'] }),
  },
  {
    name: '$deleteFromPrimitiveList removes finalizers',
    kind: 'Pod',
    target: podWith({}, { finalizers: ['a', 'b', 'c'] }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'c', 'zz'] } },
    want: podWith({}, { finalizers: ['b'] }),
  },
  {
    name: '$deleteFromPrimitiveList on an absent list leaves it absent',
    kind: 'Pod',
    target: podWith({}),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    want: podWith({}),
  },
  {
    name: 'kubectl apply finalizers: $setElementOrder plus deletion list',
    kind: 'Pod',
    target: podWith({}, { finalizers: ['a', 'b', 'c'] }),
    patch: {
      metadata: {
        '$setElementOrder/finalizers': ['d', 'a', 'c'],
        finalizers: ['d'],
        '$deleteFromPrimitiveList/finalizers': ['b'],
      },
    },
    want: podWith({}, { finalizers: ['d', 'a', 'c'] }),
  },
  {
    name: 'ownerReferences merge by uid',
    kind: 'Pod',
    target: podWith({}, { ownerReferences: [{ uid: 'u1', name: 'rs1', kind: 'ReplicaSet' }] }),
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: true }] } },
    want: podWith({}, { ownerReferences: [{ uid: 'u1', name: 'rs1', kind: 'ReplicaSet', controller: true }] }),
  },
  {
    name: '$retainKeys swaps a volume source',
    kind: 'Pod',
    target: podWith({
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'w', hostPath: { path: '/w' } },
      ],
    }),
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } },
    want: podWith({
      volumes: [
        { name: 'v', configMap: { name: 'cm' } },
        { name: 'w', hostPath: { path: '/w' } },
      ],
    }),
  },
  {
    name: 'Ingress rules are atomic',
    kind: 'Ingress',
    target: {
      metadata: { name: 'i' },
      spec: { rules: [{ host: 'a.example' }, { host: 'b.example' }], tls: [{ hosts: ['a.example'] }] },
    },
    patch: { spec: { rules: [{ host: 'c.example', http: { paths: [{ path: '/', pathType: 'Prefix' }] } }] } },
    want: {
      metadata: { name: 'i' },
      spec: {
        rules: [{ host: 'c.example', http: { paths: [{ path: '/', pathType: 'Prefix' }] } }],
        tls: [{ hosts: ['a.example'] }],
      },
    },
  },
  {
    name: 'tolerations are atomic',
    kind: 'Pod',
    target: podWith({ tolerations: [{ key: 'a' }, { key: 'b' }] }),
    patch: { spec: { tolerations: [{ key: 'c' }] } },
    want: podWith({ tolerations: [{ key: 'c' }] }),
  },
  {
    name: 'maps merge and null deletes',
    kind: 'Service',
    target: service(),
    patch: {
      metadata: { labels: { app: null, tier: 'fe' }, annotations: { a: 'b', gone: null } },
      spec: { type: null },
    },
    want: {
      ...service(),
      metadata: { name: 'demo', namespace: 'default', labels: { tier: 'fe' }, annotations: { a: 'b' } },
      spec: { ports: service().spec.ports, selector: { app: 'demo' } },
    },
  },
  {
    name: '$patch: replace on a map',
    kind: 'Service',
    target: service(),
    patch: { spec: { selector: { $patch: 'replace', role: 'db' } } },
    want: { ...service(), spec: { ...service().spec, selector: { role: 'db' } } },
  },
  {
    name: '$patch: delete on a map empties it',
    kind: 'Service',
    target: service(),
    patch: { spec: { selector: { $patch: 'delete' } } },
    want: { ...service(), spec: { ...service().spec, selector: {} } },
  },
  {
    name: '$patch: merge on a map is the default merge',
    kind: 'Service',
    target: service(),
    patch: { spec: { selector: { $patch: 'merge', role: 'db' } } },
    want: { ...service(), spec: { ...service().spec, selector: { app: 'demo', role: 'db' } } },
  },
  {
    name: 'a {"$patch":"replace"} element replaces the whole list',
    kind: 'Pod',
    target: podWith({
      containers: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b' },
      ],
    }),
    patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c' }] } },
    want: podWith({ containers: [{ name: 'c', image: 'c' }] }),
  },
  {
    name: '$setElementOrder without the list reorders it',
    kind: 'Service',
    target: { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 81 }] } },
    patch: { spec: { '$setElementOrder/ports': [{ port: 81 }, { port: 80 }] } },
    want: { metadata: { name: 's' }, spec: { ports: [{ port: 81 }, { port: 80 }] } },
  },
  {
    name: '$setElementOrder keeps live elements it does not list',
    kind: 'Service',
    target: { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 81 }, { port: 82 }] } },
    patch: { spec: { '$setElementOrder/ports': [{ port: 82 }, { port: 80 }] } },
    want: { metadata: { name: 's' }, spec: { ports: [{ port: 81 }, { port: 82 }, { port: 80 }] } },
  },
  {
    name: '$setElementOrder places a new container',
    kind: 'Pod',
    target: podWith({
      containers: [
        { name: 'a', image: 'a' },
        { name: 'c', image: 'c' },
      ],
    }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
        containers: [{ name: 'b', image: 'b' }],
      },
    },
    want: podWith({
      containers: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b' },
        { name: 'c', image: 'c' },
      ],
    }),
  },
  {
    name: 'pod status conditions merge by type',
    kind: 'Pod',
    target: podWith(
      {},
      {},
      {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    ),
    patch: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    want: podWith(
      {},
      {},
      {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
      },
    ),
  },
  {
    name: 'node conditions and addresses merge by type, taints are atomic',
    kind: 'Node',
    target: {
      metadata: { name: 'n' },
      spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] },
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'MemoryPressure', status: 'False' },
        ],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      },
    },
    patch: {
      spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'Hostname', address: 'n' }] },
    },
    want: {
      metadata: { name: 'n' },
      spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'MemoryPressure', status: 'False' },
        ],
        addresses: [
          { type: 'Hostname', address: 'n' },
          { type: 'InternalIP', address: '10.0.0.1' },
        ],
      },
    },
  },
  {
    name: 'directives in values new to the object are resolved',
    kind: 'Pod',
    target: podWith({}),
    patch: {
      metadata: { labels: { $patch: 'replace', a: 'b', dropped: null } },
      spec: {
        containers: [
          {
            name: 'c',
            env: [
              { name: 'X', value: '1' },
              { $patch: 'delete', name: 'Y' },
            ],
          },
        ],
      },
    },
    want: podWith({ containers: [{ name: 'c', env: [{ name: 'X', value: '1' }] }] }, { labels: { a: 'b' } }),
  },
  {
    name: 'lists not described by the schema are atomic',
    kind: 'Endpoints',
    target: { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] },
    patch: { subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] },
    want: { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] },
  },
];

for (const tc of smpCases) {
  test(`strategic merge patch: ${tc.name}`, () => {
    const target = deepFreeze(structuredClone(tc.target));
    const result = applyStrategicMergePatch(target, deepFreeze(structuredClone(tc.patch)), mergeMetaOf(tc.kind));
    assert.deepEqual(result, tc.want);
    assert.deepEqual(directiveKeys(result), []);
    assert.deepEqual(target, tc.target);
  });
}

const smpFailures: {
  name: string;
  kind: string;
  target: Record<string, unknown>;
  patch: unknown;
  code: number;
  message: string | RegExp;
}[] = [
  {
    name: 'patch is not an object',
    kind: 'Pod',
    target: podWith({}),
    patch: [1],
    code: 400,
    message: 'invalid JSON document',
  },
  {
    name: 'merge-list element without its merge key',
    kind: 'Service',
    target: service(),
    patch: { spec: { ports: [{ name: 'x' }] } },
    code: 400,
    message: 'map: {"name":"x"} does not contain declared merge key: port',
  },
  {
    name: 'live element without the merge key',
    kind: 'Service',
    target: { metadata: {}, spec: { ports: [{ name: 'x' }] } },
    patch: { spec: { ports: [{ port: 1 }] } },
    code: 400,
    message: /does not contain declared merge key: port/,
  },
  {
    name: 'delete directive without the merge key',
    kind: 'Service',
    target: service(),
    patch: { spec: { ports: [{ $patch: 'delete' }] } },
    code: 400,
    message: /does not contain declared merge key: port/,
  },
  {
    name: 'unknown $patch value on a map',
    kind: 'Service',
    target: service(),
    patch: { spec: { $patch: 'explode' } },
    code: 400,
    message: /^unknown patch type: explode in map/,
  },
  {
    name: '$patch: merge on a list element',
    kind: 'Service',
    target: service(),
    patch: { spec: { ports: [{ $patch: 'merge', port: 80 }] } },
    code: 400,
    message: 'merging lists cannot yet be specified in the patch',
  },
  {
    name: 'key missing from $retainKeys',
    kind: 'Pod',
    target: podWith({ volumes: [{ name: 'v' }] }),
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], secret: {} }] } },
    code: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$retainKeys not a list',
    kind: 'Pod',
    target: podWith({}),
    patch: { spec: { $retainKeys: 'x' } },
    code: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$setElementOrder not a list',
    kind: 'Service',
    target: service(),
    patch: { spec: { '$setElementOrder/ports': { port: 80 } } },
    code: 400,
    message: 'invalid patch format of setElementOrder list',
  },
  {
    name: 'patch list out of $setElementOrder',
    kind: 'Service',
    target: service(),
    patch: { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ port: 99 }] } },
    code: 400,
    message: /^The order in patch list:/,
  },
  {
    name: '$deleteFromPrimitiveList not a list',
    kind: 'Pod',
    target: podWith({}),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
    code: 400,
    message: 'invalid patch format of primitive list',
  },
  {
    name: 'unknown directive key',
    kind: 'Pod',
    target: podWith({}),
    patch: { metadata: { $foo: 1 } },
    code: 400,
    message: 'unknown patch directive: "$foo"',
  },
  {
    name: 'mixed element types in a merging list',
    kind: 'Pod',
    target: podWith({}, { finalizers: ['a'] }),
    patch: { metadata: { finalizers: [1] } },
    code: 400,
    message: 'list element types are not identical',
  },
  {
    name: 'lists of lists',
    kind: 'Pod',
    target: podWith({}, { finalizers: ['a'] }),
    patch: { metadata: { finalizers: [['b']] } },
    code: 422,
    message: 'the server rejected our request due to an error in our request',
  },
];

for (const tc of smpFailures) {
  test(`strategic merge patch failure: ${tc.name}`, () => {
    assertStatus(
      () => applyStrategicMergePatch(deepFreeze(tc.target), tc.patch, mergeMetaOf(tc.kind)),
      tc.code,
      tc.code === 422 ? 'Invalid' : 'BadRequest',
      tc.message,
    );
  });
}

test('kindPatchMeta() alone: a kind without merge keys still merges finalizers and keep other lists atomic', () => {
  const meta = kindPatchMeta();
  const result = applyStrategicMergePatch(
    { metadata: { finalizers: ['a'] }, items: [1, 2] },
    { metadata: { finalizers: ['b'] }, items: [3] },
    meta,
  );
  assert.deepEqual(result, { metadata: { finalizers: ['b', 'a'] }, items: [3] });
});

// ---------------------------------------------------------------------------------------------
// Prototype pollution, for all three engines

const pollutingPatches: { name: string; run: () => unknown }[] = [
  { name: 'merge patch __proto__', run: () => applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) },
  {
    name: 'merge patch nested constructor',
    run: () => applyMergePatch({}, JSON.parse('{"a":{"constructor":{"prototype":{"polluted":true}}}}')),
  },
  { name: 'merge patch prototype', run: () => applyMergePatch({}, { prototype: 1 }) },
  {
    name: 'json patch path __proto__',
    run: () => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }]),
  },
  {
    name: 'json patch path constructor/prototype',
    run: () => applyJsonPatch({ a: {} }, [{ op: 'add', path: '/a/constructor/prototype/polluted', value: true }]),
  },
  {
    name: 'json patch from __proto__',
    run: () => applyJsonPatch({ a: {} }, [{ op: 'copy', from: '/__proto__', path: '/b' }]),
  },
  {
    name: 'json patch value with __proto__',
    run: () => applyJsonPatch({}, [{ op: 'add', path: '/a', value: JSON.parse('{"__proto__":{"polluted":true}}') }]),
  },
  {
    name: 'smp label __proto__',
    run: () =>
      applyStrategicMergePatch(
        { metadata: {} },
        JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":true}}}}'),
        mergeMetaOf('Pod'),
      ),
  },
  {
    name: 'smp $setElementOrder/__proto__',
    run: () =>
      applyStrategicMergePatch(
        { metadata: {} },
        { metadata: { '$setElementOrder/__proto__': [] } },
        mergeMetaOf('Pod'),
      ),
  },
  {
    name: 'smp $deleteFromPrimitiveList/constructor',
    run: () =>
      applyStrategicMergePatch(
        { metadata: {} },
        { metadata: { '$deleteFromPrimitiveList/constructor': [] } },
        mergeMetaOf('Pod'),
      ),
  },
];

for (const tc of pollutingPatches) {
  test(`pollution rejected: ${tc.name}`, () => {
    assertStatus(tc.run, 400, 'BadRequest', /is not allowed/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
}

test('results are plain objects even when the target holds an own __proto__ key', () => {
  const target = JSON.parse('{"metadata":{"name":"p"},"data":{"__proto__":{"x":1}}}');
  for (const result of [
    applyMergePatch(target, { metadata: { labels: { a: 'b' } } }),
    applyJsonPatch(target, [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }]),
    applyStrategicMergePatch(target, { metadata: { labels: { a: 'b' } } }, kindPatchMeta()),
  ] as Record<string, Record<string, unknown>>[]) {
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.equal(Object.getPrototypeOf(result.data), Object.prototype);
    assert.ok(Object.hasOwn(result.data, '__proto__'));
    assert.deepEqual(result.metadata, { name: 'p', labels: { a: 'b' } });
  }
});
