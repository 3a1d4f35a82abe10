import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => (t = await startTestApp()));
after(async () => t.close());

const url = (name: string, query: string) => `/api/v1/namespaces/default/services/${name}?${query}`;

async function apply(name: string, manager: string, body: unknown, force = false) {
  const res = await t.app.inject({
    method: 'PATCH',
    url: url(name, `fieldManager=${manager}&force=${force}`),
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/apply-patch+yaml' },
  });
  return { status: res.statusCode, body: res.json() };
}

function svc(name: string, spec: Record<string, unknown>, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(labels ? { labels } : {}) }, spec };
}

test('apply creates a missing object (201), records its manager, and a repeat is a 200 no-op', async () => {
  const first = await apply(
    'ssa-a',
    'alice',
    svc('ssa-a', { selector: { app: 'a' }, ports: [{ name: 'http', port: 80 }] }),
  );
  assert.equal(first.status, 201);
  assert.deepEqual(
    first.body.metadata.managedFields.map((m: { manager: string; operation: string }) => [m.manager, m.operation]),
    [['alice', 'Apply']],
  );
  assert.ok(first.body.metadata.managedFields[0].fieldsV1['f:spec']['f:selector']['f:app']);
  assert.match(first.body.spec.clusterIP, /^10\.0\./, 'allocators run on the apply create too');
  const again = await apply(
    'ssa-a',
    'alice',
    svc('ssa-a', { selector: { app: 'a' }, ports: [{ name: 'http', port: 80 }] }),
  );
  assert.equal(again.status, 200);
  assert.equal(again.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
});

test('a field another manager owns with a different value is a 409 listing it; force takes it over', async () => {
  await apply('ssa-b', 'alice', svc('ssa-b', { selector: { app: 'b' }, ports: [{ port: 80 }] }, { team: 'x' }));
  const conflict = await apply('ssa-b', 'bob', svc('ssa-b', { selector: { app: 'other' } }));
  assert.equal(conflict.status, 409);
  assert.equal(conflict.body.reason, 'Conflict');
  assert.match(
    conflict.body.message,
    /^Apply failed with 1 conflict: conflict with "alice" using v1: \.spec\.selector\.app$/,
  );
  assert.deepEqual(conflict.body.details.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "alice" using v1', field: '.spec.selector.app' },
  ]);
  const same = await apply('ssa-b', 'bob', svc('ssa-b', { selector: { app: 'b' } }));
  assert.equal(same.status, 200, 'applying the same value is shared ownership, not a conflict');
  const forced = await apply('ssa-b', 'bob', svc('ssa-b', { selector: { app: 'other' } }), true);
  assert.equal(forced.status, 200);
  assert.equal(forced.body.spec.selector.app, 'other');
  const alice = forced.body.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
  assert.equal(alice.fieldsV1['f:spec']['f:selector'], undefined, 'alice lost the field');
});

test('a field the manager stops applying is removed unless someone else owns it', async () => {
  await apply(
    'ssa-c',
    'alice',
    svc('ssa-c', { selector: { app: 'c' }, ports: [{ port: 80 }] }, { one: '1', two: '2' }),
  );
  const res = await apply(
    'ssa-c',
    'alice',
    svc('ssa-c', { selector: { app: 'c' }, ports: [{ port: 80 }] }, { one: '1' }),
  );
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.metadata.labels, { one: '1' });
});

test('apply needs a fieldManager and an object of the URL kind', async () => {
  const noManager = await t.app.inject({
    method: 'PATCH',
    url: url('ssa-d', ''),
    payload: JSON.stringify(svc('ssa-d', {})),
    headers: { 'content-type': 'application/apply-patch+yaml' },
  });
  assert.equal(noManager.statusCode, 400);
  const wrongKind = await apply('ssa-d', 'alice', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ssa-d' } });
  assert.equal(wrongKind.status, 400);
  const yaml = await t.app.inject({
    method: 'PATCH',
    url: url('ssa-y', 'fieldManager=yaml'),
    payload:
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: ssa-y\nspec:\n  ports:\n  - port: 53\n    protocol: UDP\n',
    headers: { 'content-type': 'application/apply-patch+yaml' },
  });
  assert.equal(yaml.statusCode, 201, 'YAML apply bodies work too');
});

test('plain writes with a fieldManager own what they change: a later apply that disagrees conflicts with them', async () => {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/namespaces/default/services?fieldManager=kubectl-create',
    payload: JSON.stringify(svc('ssa-u', { selector: { app: 'u' }, ports: [{ port: 80 }] })),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(created.statusCode, 201);
  assert.deepEqual(
    created.json().metadata.managedFields.map((m: { manager: string; operation: string }) => [m.manager, m.operation]),
    [['kubectl-create', 'Update']],
  );
  const patched = await t.app.inject({
    method: 'PATCH',
    url: url('ssa-u', 'fieldManager=kubectl-edit'),
    payload: JSON.stringify({ spec: { selector: { app: 'edited' } } }),
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  const managers = patched.json().metadata.managedFields;
  assert.ok(
    managers.find((m: { manager: string }) => m.manager === 'kubectl-edit').fieldsV1['f:spec']['f:selector']['f:app'],
  );
  assert.equal(
    managers.find((m: { manager: string }) => m.manager === 'kubectl-create').fieldsV1['f:spec']['f:selector'],
    undefined,
  );
  const conflict = await apply('ssa-u', 'alice', svc('ssa-u', { selector: { app: 'u' } }));
  assert.equal(conflict.status, 409);
  assert.match(conflict.body.message, /conflict with "kubectl-edit" using v1: \.spec\.selector\.app/);
  const noop = await t.app.inject({
    method: 'PATCH',
    url: url('ssa-u', 'fieldManager=kubectl-edit'),
    payload: JSON.stringify({ spec: { selector: { app: 'edited' } } }),
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(
    noop.json().metadata.resourceVersion,
    patched.json().metadata.resourceVersion,
    'a write that changes nothing stays a no-op',
  );
});
