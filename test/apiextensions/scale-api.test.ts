import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scalableWidgetCrd, widgetCrd } from './fixtures.js';

const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const widgets = '/apis/example.kplane.io/v1/namespaces/default/widgets';
let t: TestApp;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
const request = (method: Method, url: string, payload?: unknown, contentType?: string) =>
  t.app.inject({
    method,
    url,
    payload: payload as object | undefined,
    headers: contentType ? { 'content-type': contentType } : {},
  });
const merge = 'application/merge-patch+json';

const widget = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'example.kplane.io/v1',
  kind: 'Widget',
  metadata: { name },
  spec,
});

/** Creates a widget and sets its status through /status; answers the stored object. */
async function createWidget(name: string, spec: Record<string, unknown>, status?: Record<string, unknown>) {
  const created = await request('POST', widgets, widget(name, spec));
  assert.equal(created.statusCode, 201, created.body);
  if (!status) return created.json();
  const updated = await request('PUT', `${widgets}/${name}/status`, { ...(created.json() as object), status });
  assert.equal(updated.statusCode, 200, updated.body);
  return updated.json();
}

before(async () => {
  t = await startTestApp();
  const created = await request('POST', crds, scalableWidgetCrd());
  assert.equal(created.statusCode, 201, created.body);
});
after(() => t.close());

test('GET /scale answers the Scale of the object', async () => {
  const obj = await createWidget('s1', { color: 'red', replicas: 2 }, { replicas: 1, selector: 'app=s1' });
  const res = await request('GET', `${widgets}/s1/scale`);
  assert.equal(res.statusCode, 200, res.body);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  assert.deepEqual(res.json(), {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: 2 },
    status: { replicas: 1, selector: 'app=s1' },
  });
  const missing = await request('GET', `${widgets}/nope/scale`);
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().message, 'widgets.example.kplane.io "nope" not found');
});

test('PUT /scale changes only the desired replicas, with optimistic concurrency', async () => {
  const obj = await createWidget('s2', { color: 'blue', replicas: 1 });
  const scale = (await request('GET', `${widgets}/s2/scale`)).json();
  assert.deepEqual(scale.status, { replicas: 0 }, 'status.replicas is 0 when the object has none');
  const put = await request('PUT', `${widgets}/s2/scale`, { ...scale, spec: { replicas: 4 }, status: { replicas: 9 } });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(put.json().spec.replicas, 4);
  assert.equal(put.json().status.replicas, 0, 'the Scale status is not written');
  const stored = (await request('GET', `${widgets}/s2`)).json();
  assert.deepEqual(stored.spec, { ...obj.spec, replicas: 4 });
  assert.equal(stored.status, undefined);
  assert.equal(put.json().metadata.resourceVersion, stored.metadata.resourceVersion);

  const stale = await request('PUT', `${widgets}/s2/scale`, { ...scale, spec: { replicas: 5 } });
  assert.equal(stale.statusCode, 409);
  assert.equal(
    stale.json().message,
    'Operation cannot be fulfilled on widgets.example.kplane.io "s2": the object has been modified; please apply your changes to the latest version and try again',
  );
  const renamed = await request('PUT', `${widgets}/s2/scale`, { ...scale, metadata: { name: 'other' } });
  assert.equal(renamed.statusCode, 400);
  assert.equal(renamed.json().message, 'the name of the object (other) does not match the name on the URL (s2)');
});

test('PATCH /scale: merge and JSON patch; strategic merge is a 415 as for the kind', async () => {
  await createWidget('s3', { color: 'red', replicas: 1 });
  const merged = await request('PATCH', `${widgets}/s3/scale`, { spec: { replicas: 3 } }, merge);
  assert.equal(merged.statusCode, 200, merged.body);
  assert.equal(merged.json().spec.replicas, 3);
  const json = await request(
    'PATCH',
    `${widgets}/s3/scale`,
    [{ op: 'replace', path: '/spec/replicas', value: 6 }],
    'application/json-patch+json',
  );
  assert.equal(json.statusCode, 200, json.body);
  assert.equal((await request('GET', `${widgets}/s3`)).json().spec.replicas, 6);
  const managed = await request('PATCH', `${widgets}/s3/scale?fieldManager=scaler`, { spec: { replicas: 7 } }, merge);
  assert.equal(managed.statusCode, 200, managed.body);
  const entry = (await request('GET', `${widgets}/s3`))
    .json()
    .metadata.managedFields.find((e: { manager: string }) => e.manager === 'scaler');
  assert.deepEqual(
    [entry.operation, entry.subresource, entry.fieldsV1],
    ['Update', 'scale', { 'f:spec': { 'f:replicas': {} } }],
  );
  const strategic = await request(
    'PATCH',
    `${widgets}/s3/scale`,
    { spec: { replicas: 1 } },
    'application/strategic-merge-patch+json',
  );
  assert.equal(strategic.statusCode, 415);
});

test('a scale write goes through validation: the schema and the replica rules apply', async () => {
  await createWidget('s4', { color: 'red', replicas: 1 });
  const negative = await request('PATCH', `${widgets}/s4/scale`, { spec: { replicas: -1 } }, merge);
  assert.equal(negative.statusCode, 422, negative.body);
  assert.equal(
    negative.json().message,
    'Widget.example.kplane.io "s4" is invalid: [spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, .spec.replicas: Invalid value: -1: should be a non-negative integer]',
  );
  const wrongType = await request('PATCH', `${widgets}/s4/scale`, { spec: { replicas: 'two' } }, merge);
  assert.equal(wrongType.statusCode, 400, wrongType.body);
  assert.match(wrongType.json().message, /^Scale in version "v1" cannot be handled as a Scale: /);
  const wrongKind = await request('PUT', `${widgets}/s4/scale`, { kind: 'Widget', metadata: { name: 's4' } });
  assert.equal(wrongKind.statusCode, 400);
  assert.equal(
    wrongKind.json().message,
    'the API version in the data (autoscaling/v1) or kind (Widget) does not match the expected API version (autoscaling/v1) and kind (Scale)',
  );
  assert.equal((await request('GET', `${widgets}/s4`)).json().spec.replicas, 1);
});

/** A kind whose desired count is nested and has no default: `.spec.scaling.count`. */
function gadgetCrd() {
  const crd = widgetCrd({
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: [], categories: [] },
    versionExtras: {
      subresources: { scale: { specReplicasPath: '.spec.scaling.count', statusReplicasPath: '.status.count' } },
    },
  });
  crd.metadata.name = 'gadgets.example.kplane.io';
  const schema = crd.spec.versions[0].schema.openAPIV3Schema.properties;
  (schema.spec.properties as Record<string, unknown>).scaling = {
    type: 'object',
    properties: { count: { type: 'integer' } },
  };
  return crd;
}

test("an object without the desired count: GET is upstream's 500, a patch must set one", async () => {
  assert.equal((await request('POST', crds, gadgetCrd())).statusCode, 201);
  const gadgets = '/apis/example.kplane.io/v1/namespaces/default/gadgets';
  const created = await request('POST', gadgets, { ...widget('g1', { color: 'red' }), kind: 'Gadget' });
  assert.equal(created.statusCode, 201, created.body);
  const get = await request('GET', `${gadgets}/g1/scale`);
  assert.equal(get.statusCode, 500);
  assert.equal(
    get.json().message,
    'Internal error occurred: the spec replicas field ".spec.scaling.count" does not exist',
  );
  const unset = await request('PATCH', `${gadgets}/g1/scale`, { metadata: { labels: { a: 'b' } } }, merge);
  assert.equal(unset.statusCode, 400);
  assert.equal(unset.json().message, 'the spec replicas field ".spec.scaling.count" cannot be empty');
  const dryRun = await request('PATCH', `${gadgets}/g1/scale?dryRun=All`, { spec: { replicas: 2 } }, merge);
  assert.equal(dryRun.statusCode, 200, dryRun.body);
  assert.equal(dryRun.json().spec.replicas, 2);
  assert.equal((await request('GET', `${gadgets}/g1`)).json().spec.scaling, undefined, 'a dry run stores nothing');
  const set = await request('PATCH', `${gadgets}/g1/scale`, { spec: { replicas: 2 } }, merge);
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual((await request('GET', `${gadgets}/g1`)).json().spec.scaling, { count: 2 });
  assert.deepEqual((await request('GET', `${gadgets}/g1/scale`)).json().spec, { replicas: 2 });
});

test('discovery lists <plural>/scale as an autoscaling/v1 Scale; OpenAPI describes its operations', async () => {
  const legacy = (await request('GET', '/apis/example.kplane.io/v1')).json();
  assert.deepEqual(
    legacy.resources.find((r: { name: string }) => r.name === 'widgets/scale'),
    {
      name: 'widgets/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    },
  );
  const aggregated = await t.app.inject({
    method: 'GET',
    url: '/apis',
    headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
  });
  const group = aggregated
    .json()
    .items.find((g: { metadata: { name: string } }) => g.metadata.name === 'example.kplane.io');
  const resource = group.versions[0].resources.find((r: { resource: string }) => r.resource === 'widgets');
  assert.deepEqual(
    resource.subresources.find((s: { subresource: string }) => s.subresource === 'scale'),
    {
      subresource: 'scale',
      responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: ['get', 'patch', 'update'],
    },
  );
  const doc = (await request('GET', '/openapi/v3/apis/example.kplane.io/v1')).json();
  const item = doc.paths['/apis/example.kplane.io/v1/namespaces/{namespace}/widgets/{name}/scale'];
  assert.deepEqual(Object.keys(item).sort(), ['get', 'parameters', 'patch', 'put']);
  assert.deepEqual(item.get['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
});

test('a kind without a scale subresource has no /scale', async () => {
  const res = await request('GET', '/api/v1/namespaces/default/configmaps/x/scale');
  assert.equal(res.statusCode, 404);
});
