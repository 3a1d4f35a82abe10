import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kindPatchMeta } from '../../src/apimachinery/patch.js';
import type { ResourceType } from '../../src/registry/resource.js';
import { kindSchema, metadata, modeled, optString, typeMeta } from '../../schemas/meta.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const WidgetSchema = kindSchema(modeled({ ...typeMeta, metadata, spec: modeled({ color: optString }).optional() }));

/** A kind the server does not know at start, registered and removed while it serves. */
const widgets: ResourceType = {
  group: 'example.kplane.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  singular: 'widget',
  namespaced: true,
  shortNames: ['wd'],
  hasStatus: false,
  allowUnconditionalUpdate: true,
  schema: WidgetSchema,
  strategicMerge: kindPatchMeta(),
  strategy: { validate: () => [] },
};

const collection = '/apis/example.kplane.io/v1/namespaces/default/widgets';
let t: TestApp;

before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({ method, url, payload: payload as object | undefined });

async function discoveredGroups(): Promise<string[]> {
  return (await inject('GET', '/apis')).json().groups.map((g: { name: string }) => g.name);
}

async function openapiPaths(): Promise<string[]> {
  return Object.keys((await inject('GET', '/openapi/v3')).json().paths);
}

test('a kind registered while serving is served, discovered and described; removed, it is gone', async () => {
  assert.equal((await inject('GET', collection)).statusCode, 404);
  assert.ok(!(await discoveredGroups()).includes('example.kplane.io'));

  await t.core.registerKind(widgets);
  const created = await inject('POST', collection, {
    apiVersion: 'example.kplane.io/v1',
    kind: 'Widget',
    metadata: { name: 'w1' },
    spec: { color: 'blue' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const got = await inject('GET', `${collection}/w1`);
  assert.equal(got.json().spec.color, 'blue');
  assert.deepEqual(
    (await inject('GET', collection)).json().items.map((w: { metadata: { name: string } }) => w.metadata.name),
    ['w1'],
  );
  assert.ok((await discoveredGroups()).includes('example.kplane.io'));
  const resources = (await inject('GET', '/apis/example.kplane.io/v1')).json().resources;
  assert.deepEqual(
    resources.map((r: { name: string; shortNames?: string[] }) => [r.name, r.shortNames]),
    [['widgets', ['wd']]],
  );
  assert.ok((await openapiPaths()).includes('apis/example.kplane.io/v1'));
  const doc = (await inject('GET', '/openapi/v3/apis/example.kplane.io/v1')).json();
  assert.ok(doc.components.schemas['io.k8s.api.example.v1.Widget']);

  t.core.unregisterKind(widgets);
  assert.equal((await inject('GET', `${collection}/w1`)).statusCode, 404);
  assert.ok(!(await discoveredGroups()).includes('example.kplane.io'));
  assert.ok(!(await openapiPaths()).includes('apis/example.kplane.io/v1'));
});

test('objects stored before a kind is registered again are served, and a watch sees new writes', async () => {
  await t.core.registerKind(widgets);
  try {
    // w1 was written while the kind was served last time; its objects stayed in storage.
    assert.equal((await inject('GET', `${collection}/w1`)).json().spec.color, 'blue');
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const watch = await fetch(`${address}${collection}?watch=true&resourceVersion=0`, {
      signal: AbortSignal.timeout(10_000),
    });
    const reader = watch.body!.getReader();
    const created = await inject('POST', collection, { metadata: { name: 'w2' }, spec: { color: 'red' } });
    assert.equal(created.statusCode, 201, created.body);
    let seen = '';
    while (!/"name":"w2"/.test(seen)) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the watch ended before w2 was seen: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    assert.match(seen, /"type":"ADDED".*"name":"w1".*"type":"ADDED".*"name":"w2"/s);
    await reader.cancel();
  } finally {
    t.core.unregisterKind(widgets);
  }
});

test('a kind whose URL or type is taken is refused', async () => {
  await assert.rejects(t.core.registerKind({ ...widgets, group: '', version: 'v1', plural: 'pods' }), /already served/);
  assert.throws(() => t.core.kinds.add({ ...widgets, group: '', version: 'v1', kind: 'Pod' }), /already served/);
});

test('OpenAPI v2 follows the served kinds: a registered kind is defined and the ETag kubectl revalidates with changes', async () => {
  const v2 = () => inject('GET', '/openapi/v2');
  const before = await v2();
  assert.ok(!before.json().definitions['io.k8s.api.example.v1.Widget']);
  await t.core.registerKind(widgets);
  try {
    const registered = await v2();
    assert.ok(registered.json().definitions['io.k8s.api.example.v1.Widget']);
    assert.notEqual(registered.headers.etag, before.headers.etag);
  } finally {
    t.core.unregisterKind(widgets);
  }
  assert.equal((await v2()).headers.etag, before.headers.etag);
});
