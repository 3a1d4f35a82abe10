import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/object.js';
import {
  customScaleSubresource,
  scaleDefinitionErrors,
  scaleFields,
  scaleValueErrors,
  type CustomScale,
} from '../../src/apiextensions/scale.js';
import { customResourceDefinitions } from '../../src/registry/kinds/customresourcedefinition/index.js';
import type { ResourceType } from '../../src/registry/resource.js';
import { currentScale, decodeScale, scaledObject, toScale } from '../../src/registry/scale.js';
import { StatusError } from '../../src/apimachinery/errors.js';
import { scalableWidgetCrd } from './fixtures.js';

const paths: CustomScale = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

const object = (spec: unknown, status?: unknown): KubeObject =>
  ({
    apiVersion: 'example.kplane.io/v1',
    kind: 'Widget',
    metadata: {
      name: 'w',
      namespace: 'default',
      uid: 'u-1',
      resourceVersion: '7',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { a: 'b' },
    },
    spec,
    ...(status === undefined ? {} : { status }),
  }) as KubeObject;

test('the scale paths of a CRD version are validated with upstream messages', () => {
  const where = 'spec.versions[0].subresources';
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['valid paths', { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' }, []],
    [
      'a selector under .spec',
      { specReplicasPath: '.spec.a.b', statusReplicasPath: '.status.n', labelSelectorPath: '.spec.selector' },
      [],
    ],
    [
      'no paths',
      {},
      [`${where}.scale.specReplicasPath: Required value`, `${where}.scale.statusReplicasPath: Required value`],
    ],
    [
      'a path without the leading period',
      { specReplicasPath: 'spec.replicas', statusReplicasPath: '.status.replicas' },
      [`${where}.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .`],
    ],
    [
      'paths outside spec and status',
      { specReplicasPath: '.status.replicas', statusReplicasPath: '.spec.replicas', labelSelectorPath: '.metadata.x' },
      [
        `${where}.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec`,
        `${where}.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status`,
        `${where}.scale.labelSelectorPath: Invalid value: ".metadata.x": should be a json path under either .spec or .status`,
      ],
    ],
    [
      '.spec itself is not under .spec',
      { specReplicasPath: '.spec', statusReplicasPath: '.status.replicas' },
      [`${where}.scale.specReplicasPath: Invalid value: ".spec": should be a json path under .spec`],
    ],
  ];
  for (const [name, scale, want] of cases) {
    const got = scaleDefinitionErrors({ scale }, where).map((c) => `${c.field}: ${c.message}`);
    assert.deepEqual(got, want, name);
  }
  assert.deepEqual(scaleDefinitionErrors({ status: {} }, where), [], 'no scale subresource, nothing to check');
});

test('a CRD with invalid scale paths is a 422 of the CRD strategy', () => {
  const body = scalableWidgetCrd();
  (body.spec.versions[0].subresources as Record<string, unknown>).scale = { specReplicasPath: '.replicas' };
  const crd = customResourceDefinitions.schema.parse(body);
  customResourceDefinitions.strategy.prepareForCreate?.(crd);
  assert.deepEqual(
    customResourceDefinitions.strategy.validate(crd).map((c) => `${c.field}: ${c.message}`),
    [
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec',
      'spec.versions[0].subresources.scale.statusReplicasPath: Required value',
    ],
  );
});

test('scaleFields reads the counts and selector; absent or mistyped values read as none', () => {
  const cases: [string, KubeObject, ReturnType<typeof scaleFields>][] = [
    [
      'all set',
      object({ replicas: 3 }, { replicas: 2, selector: 'app=w' }),
      { specReplicas: 3, statusReplicas: 2, selector: 'app=w' },
    ],
    ['no status', object({ replicas: 0 }), { specReplicas: 0, statusReplicas: 0 }],
    ['no spec replicas', object({}), { statusReplicas: 0 }],
    ['a null on the way', object(null, { replicas: 1 }), { statusReplicas: 1 }],
    ['a string count', object({ replicas: '3' }, { replicas: 1.5 }), { statusReplicas: 0 }],
  ];
  for (const [name, obj, want] of cases) assert.deepEqual(scaleFields(paths, obj), want, name);
});

test('objects must carry int32 counts ≥ 0 and a string selector at the scale paths', () => {
  const cases: [string, KubeObject, string[]][] = [
    ['valid', object({ replicas: 3 }, { replicas: 2, selector: 'a=b' }), []],
    ['absent values', object({}), []],
    ['negative', object({ replicas: -1 }), ['.spec.replicas: Invalid value: -1: should be a non-negative integer']],
    [
      'too large',
      object({ replicas: 1 }, { replicas: 2 ** 31 }),
      ['.status.replicas: Invalid value: 2147483648: should be less than or equal to 2147483647'],
    ],
    [
      'wrong types',
      object({ replicas: 'two' }, { replicas: 1, selector: { a: 'b' } }),
      [
        '.spec.replicas: Invalid value: 0: .spec.replicas accessor error: two is of the type string, expected int64',
        '.status.selector: Invalid value: "": .status.selector accessor error: map[a:b] is of the type map[string]interface {}, expected string',
      ],
    ],
    [
      'a non-object on the way',
      object('x'),
      [
        '.spec.replicas: Invalid value: 0: .spec.replicas accessor error: x is of the type string, expected map[string]interface{}',
      ],
    ],
  ];
  for (const [name, obj, want] of cases)
    assert.deepEqual(
      scaleValueErrors(paths, obj).map((c) => `${c.field}: ${c.message}`),
      want,
      name,
    );
});

test('the Scale of an object: identity, counts, Go omitempty rules', () => {
  const obj = object({ replicas: 0 }, { replicas: 1 });
  assert.deepEqual(toScale(obj, scaleFields(paths, obj)), {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: 'w',
      namespace: 'default',
      uid: 'u-1',
      resourceVersion: '7',
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {},
    status: { replicas: 1 },
  });
});

test('a requested Scale changes only the desired count; unset, stale or renamed ones are refused', () => {
  const rt = { group: 'example.kplane.io', plural: 'widgets', scale: customScaleSubresource(paths) } as ResourceType;
  const current = object({ color: 'red', replicas: 1 }, { replicas: 1 });
  const requested = (scale: unknown) => decodeScale(scale, {});
  const base = currentScale(rt.scale!, current);

  const next = scaledObject(rt, current, requested({ ...base, spec: { replicas: 4 }, status: { replicas: 9 } }), 'w');
  assert.deepEqual(next, { ...current, spec: { color: 'red', replicas: 4 } });
  assert.equal((current.spec as { replicas: number }).replicas, 1, 'the current object is left alone');

  const pruning: ResourceType = {
    ...rt,
    pruneUnknownFields: (obj) => {
      delete (obj.spec as { replicas?: number }).replicas;
      return [['spec', 'replicas']];
    },
  };
  const pruned = scaledObject(pruning, current, requested({ ...base, spec: { replicas: 4 } }), 'w');
  assert.deepEqual(pruned.spec, { color: 'red' }, 'a count the schema lacks is pruned');

  const nested = customScaleSubresource({ ...paths, specReplicasPath: '.spec.scaling.count' });
  const created = structuredClone(current);
  nested.writeReplicas(created, 2);
  assert.deepEqual((created as unknown as { spec: unknown }).spec, {
    color: 'red',
    replicas: 1,
    scaling: { count: 2 },
  });

  const refusals: [string, unknown, number, string][] = [
    [
      'a stale resourceVersion',
      { ...base, metadata: { ...base.metadata, resourceVersion: '6' } },
      409,
      'Operation cannot be fulfilled on widgets.example.kplane.io "w": the object has been modified; please apply your changes to the latest version and try again',
    ],
    [
      'another name',
      { ...base, metadata: { name: 'v' } },
      400,
      'the name of the object (v) does not match the name on the URL (w)',
    ],
    [
      'no desired count on an object that has none',
      currentScale(rt.scale!, object({ color: 'red' })),
      400,
      'the spec replicas field ".spec.replicas" cannot be empty',
    ],
  ];
  for (const [name, scale, code, message] of refusals)
    assert.throws(
      () => scaledObject(rt, current, requested(scale), 'w'),
      (err: unknown) => err instanceof StatusError && err.code === code && err.message === message,
      name,
    );
});
