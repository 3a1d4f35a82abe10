import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp } from '../../src/http/app.js';
import { startCore } from '../../src/server.js';
import { eventually } from '../helpers/eventually.js';
import { scratchDir } from '../helpers/process.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { widgetCrd } from './fixtures.js';

const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const widgets = '/apis/example.kplane.io/v1/namespaces/default/widgets';
let t: TestApp;

before(async () => {
  t = await startTestApp();
});
after(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const request = (method: Method, url: string, payload?: unknown, contentType?: string) =>
  t.app.inject({
    method,
    url,
    payload: payload as object | undefined,
    headers: contentType ? { 'content-type': contentType } : {},
  });

const widget = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'example.kplane.io/v1',
  kind: 'Widget',
  metadata: { name },
  spec,
  ...extra,
});

test('a created CRD is established before its create returns, with upstream status', async () => {
  const created = await request('POST', crds, widgetCrd());
  assert.equal(created.statusCode, 201, created.body);
  // No wait: the kind is served once the CRD create has answered.
  assert.equal((await request('GET', widgets)).statusCode, 200);
  const crd = (await request('GET', `${crds}/widgets.example.kplane.io`)).json();
  assert.deepEqual(
    crd.status.conditions.map((c: Record<string, string>) => [c.type, c.status, c.reason, c.message]),
    [
      ['NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'],
      ['Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'],
    ],
  );
  assert.deepEqual(crd.status.storedVersions, ['v1']);
  assert.equal(crd.status.acceptedNames.listKind, 'WidgetList');

  const group = (await request('GET', '/apis/example.kplane.io/v1')).json();
  assert.deepEqual(
    group.resources.map((r: Record<string, unknown>) => [r.name, r.kind, r.namespaced, r.shortNames, r.categories]),
    [
      ['widgets', 'Widget', true, ['wd'], ['all']],
      ['widgets/status', 'Widget', true, undefined, undefined],
    ],
  );
  const doc = (await request('GET', '/openapi/v3/apis/example.kplane.io/v1')).json();
  const component = doc.components.schemas['io.kplane.example.v1.Widget'];
  assert.deepEqual(component['x-kubernetes-group-version-kind'], [
    { group: 'example.kplane.io', version: 'v1', kind: 'Widget' },
  ]);
  assert.equal(component.properties.spec.properties.color.description, 'The colour of the widget.');
});

test('custom objects are defaulted, pruned and validated against the schema', async () => {
  const created = await request(
    'POST',
    widgets,
    widget('w1', { color: 'red', junk: true }, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
  );
  assert.equal(created.statusCode, 201, created.body);
  const obj = created.json();
  assert.deepEqual(obj.spec, { color: 'red', replicas: 1, size: 'M' });
  assert.equal(obj.status, undefined, 'status is written through /status only');

  const invalid = await request('POST', widgets, widget('w2', { color: 'green', replicas: 'three' }));
  assert.equal(invalid.statusCode, 422);
  assert.equal(
    invalid.json().message,
    'Widget.example.kplane.io "w2" is invalid: [spec.color: Unsupported value: "green": supported values: "red", "blue", spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"]',
  );
  const missing = await request('POST', widgets, widget('w3', {}));
  assert.equal(missing.json().message, 'Widget.example.kplane.io "w3" is invalid: spec.color: Required value');
});

test('unknown fields are pruned, with a warning, or refused under strict field validation', async () => {
  const body = widget('strict', { color: 'red', extra: 1 });
  const strict = await request('POST', `${widgets}?fieldValidation=Strict`, body);
  assert.equal(strict.statusCode, 400);
  assert.equal(
    strict.json().message,
    'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.extra"',
  );
  const warned = await request('POST', widgets, body);
  assert.equal(warned.statusCode, 201, warned.body);
  assert.deepEqual(warned.headers.warning, ['299 - "unknown field \\"spec.extra\\""']);
  assert.equal(warned.json().spec.extra, undefined);
  assert.equal((await request('DELETE', `${widgets}/strict`)).statusCode, 200);
});

test('the status subresource alone changes status; the main resource ignores it', async () => {
  const current = (await request('GET', `${widgets}/w1`)).json();
  const status = { conditions: [{ type: 'Ready', status: 'True' }] };
  const updated = await request('PUT', `${widgets}/w1/status`, { ...current, spec: { color: 'blue' }, status });
  assert.equal(updated.statusCode, 200, updated.body);
  assert.deepEqual(updated.json().status, status);
  assert.equal(updated.json().spec.color, 'red');
  const main = await request('PUT', `${widgets}/w1`, {
    ...(updated.json() as object),
    spec: { color: 'blue' },
    status: { conditions: [] },
  });
  assert.equal(main.statusCode, 200, main.body);
  assert.equal(main.json().spec.color, 'blue');
  assert.deepEqual(main.json().status, status);
  const table = await t.app.inject({
    method: 'GET',
    url: widgets,
    headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
  });
  assert.deepEqual(
    table.json().columnDefinitions.map((c: { name: string }) => c.name),
    ['Name', 'Color', 'Replicas', 'Ready'],
  );
  assert.deepEqual(table.json().rows[0].cells, ['w1', 'blue', 1, 'True']);
});

test('merge patch, JSON patch and apply work; strategic merge patch is a 415', async () => {
  const merged = await request('PATCH', `${widgets}/w1`, { spec: { replicas: 4 } }, 'application/merge-patch+json');
  assert.equal(merged.statusCode, 200, merged.body);
  assert.equal(merged.json().spec.replicas, 4);
  const jsonPatched = await request(
    'PATCH',
    `${widgets}/w1`,
    [{ op: 'replace', path: '/spec/size', value: 'L' }],
    'application/json-patch+json',
  );
  assert.equal(jsonPatched.json().spec.size, 'L');
  const invalidPatch = await request(
    'PATCH',
    `${widgets}/w1`,
    { spec: { replicas: -1 } },
    'application/merge-patch+json',
  );
  assert.equal(invalidPatch.statusCode, 422);
  assert.match(invalidPatch.json().message, /spec\.replicas in body should be greater than or equal to 0/);
  const strategic = await request('PATCH', `${widgets}/w1`, { spec: {} }, 'application/strategic-merge-patch+json');
  assert.equal(strategic.statusCode, 415);
  assert.equal(
    strategic.json().message,
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  );
  const applied = await request(
    'PATCH',
    `${widgets}/applied?fieldManager=test`,
    widget('applied', { color: 'blue' }),
    'application/apply-patch+yaml',
  );
  assert.equal(applied.statusCode, 201, applied.body);
  assert.equal(applied.json().spec.replicas, 1);
});

test('a CRD whose names are taken in its group is not accepted', async () => {
  const body = widgetCrd({ names: { plural: 'gadgets', singular: 'gadget', shortNames: [] } });
  body.metadata.name = 'gadgets.example.kplane.io';
  assert.equal((await request('POST', crds, body)).statusCode, 201);
  const crd = (await request('GET', `${crds}/gadgets.example.kplane.io`)).json();
  assert.deepEqual(
    crd.status.conditions.map((c: Record<string, string>) => [c.type, c.status, c.reason, c.message]),
    [
      // Kind and list kind are both taken; upstream reports the last check's conflict.
      ['NamesAccepted', 'False', 'ListKindConflict', '"WidgetList" is already in use'],
      ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
    ],
  );
  assert.equal((await request('GET', '/apis/example.kplane.io/v1/namespaces/default/gadgets')).statusCode, 404);
  assert.equal((await request('DELETE', `${crds}/gadgets.example.kplane.io`)).statusCode, 202);
  await eventually(async () =>
    assert.equal((await request('GET', `${crds}/gadgets.example.kplane.io`)).statusCode, 404),
  );
});

test('a non-structural schema is a 422 naming the violation', async () => {
  const body = widgetCrd({ names: { plural: 'things', singular: 'thing', kind: 'Thing', shortNames: [] } });
  body.metadata.name = 'things.example.kplane.io';
  const schema = body.spec.versions[0].schema.openAPIV3Schema as { properties: Record<string, unknown> };
  schema.properties.spec = { properties: { a: { type: 'string' } } };
  const res = await request('POST', crds, body);
  assert.equal(res.statusCode, 422);
  assert.equal(
    res.json().message,
    'CustomResourceDefinition.apiextensions.k8s.io "things.example.kplane.io" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
  );
});

test('deleting a CRD deletes its objects, then its kind is gone', async () => {
  assert.equal((await request('DELETE', `${crds}/widgets.example.kplane.io`)).statusCode, 202);
  await eventually(async () =>
    assert.equal((await request('GET', `${crds}/widgets.example.kplane.io`)).statusCode, 404),
  );
  assert.equal((await request('GET', widgets)).statusCode, 404);
  const stored = await t.core.backend.list('/registry/example.kplane.io/');
  assert.deepEqual(stored.kvs, []);
});

test('a restarted server serves the stored CRDs kinds before it serves anything', async () => {
  const dir = await scratchDir();
  const open = async () => {
    const core = await startCore({ storage: 'level', dataDir: dir.path, syncWrites: false });
    const app = await buildApp({ registry: core.registry, kinds: core.kinds, isReady: () => true });
    return { core, app };
  };
  try {
    let server = await open();
    await server.app.inject({ method: 'POST', url: crds, payload: widgetCrd() });
    await server.app.inject({ method: 'POST', url: widgets, payload: widget('kept', { color: 'red' }) });
    server.core.endWatches();
    await server.app.close();
    await server.core.close();

    server = await open();
    const got = await server.app.inject({ method: 'GET', url: `${widgets}/kept` });
    assert.equal(got.statusCode, 200, got.body);
    server.core.endWatches();
    await server.app.close();
    await server.core.close();
  } finally {
    await dir.remove();
  }
});
