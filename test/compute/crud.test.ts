import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => (t = await startTestApp()));
after(async () => t.close());

const base = '/apis/compute.kplane.io/v1alpha1';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

async function req(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    payload,
    headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
  });
  return { status: res.statusCode, body: res.json() };
}

const route = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'compute.kplane.io/v1alpha1',
  kind: 'Route',
  metadata: { name },
  spec: { destRange: '10.4.7.0/24', nextHopInstance: 'vm1', ...spec },
});

test('discovery lists the group and its three cluster-scoped resources, with /status for forwarding rules', async () => {
  const groups = await req('GET', '/apis');
  const group = groups.body.groups.find((g: { name: string }) => g.name === 'compute.kplane.io');
  assert.deepEqual(group?.preferredVersion, { groupVersion: 'compute.kplane.io/v1alpha1', version: 'v1alpha1' });
  const list = await req('GET', base);
  assert.equal(list.status, 200);
  const byName = Object.fromEntries(list.body.resources.map((r: { name: string }) => [r.name, r]));
  assert.deepEqual(Object.keys(byName).sort(), ['firewalls', 'forwardingrules', 'forwardingrules/status', 'routes']);
  for (const [name, kind] of [
    ['routes', 'Route'],
    ['firewalls', 'Firewall'],
    ['forwardingrules', 'ForwardingRule'],
  ]) {
    assert.equal(byName[name].kind, kind);
    assert.equal(byName[name].namespaced, false);
    assert.ok(byName[name].verbs.includes('watch'));
  }
});

test('OpenAPI v3 describes the group with its kinds', async () => {
  const doc = await t.app.inject({ method: 'GET', url: '/openapi/v3/apis/compute.kplane.io/v1alpha1' });
  assert.equal(doc.statusCode, 200);
  const schemas = doc.json().components.schemas;
  const route = Object.values(schemas).find(
    (s: any) => s['x-kubernetes-group-version-kind']?.[0]?.kind === 'Route',
  ) as any;
  assert.ok(route, 'Route component');
  assert.deepEqual(route.properties.spec.properties.destRange, { type: 'string' });
  const fr = Object.values(schemas).find(
    (s: any) => s['x-kubernetes-group-version-kind']?.[0]?.kind === 'ForwardingRule',
  ) as any;
  assert.equal(fr.properties.spec.properties.target.properties.urlMap['x-kubernetes-preserve-unknown-fields'], true);
});

test('Route: create defaults priority, get, list, update, delete', async () => {
  const created = await req('POST', `${base}/routes`, route('r1'));
  assert.equal(created.status, 201);
  assert.equal(created.body.spec.priority, 1000);
  assert.match(created.body.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.equal(created.body.metadata.namespace, undefined);
  const got = await req('GET', `${base}/routes/r1`);
  assert.deepEqual(got.body, created.body);
  const list = await req('GET', `${base}/routes`);
  assert.equal(list.body.kind, 'RouteList');
  assert.deepEqual(
    list.body.items.map((r: { metadata: { name: string } }) => r.metadata.name),
    ['r1'],
  );
  const updated = await req('PUT', `${base}/routes/r1`, {
    ...created.body,
    spec: { ...created.body.spec, nextHopInstance: 'vm2', priority: 0 },
  });
  assert.equal(updated.status, 200);
  assert.deepEqual([updated.body.spec.nextHopInstance, updated.body.spec.priority], ['vm2', 0]);
  const patched = await req(
    'PATCH',
    `${base}/routes/r1`,
    { spec: { description: 'by hand' } },
    { 'content-type': 'application/merge-patch+json' },
  );
  assert.equal(patched.body.spec.description, 'by hand');
  assert.equal((await req('DELETE', `${base}/routes/r1`)).status, 200);
  assert.equal((await req('GET', `${base}/routes/r1`)).status, 404);
});

test('Firewall: a 422 lists every cause', async () => {
  const res = await req('POST', `${base}/firewalls`, {
    metadata: { name: 'bad' },
    spec: {
      sourceRanges: ['10.0.0.0/8', 'x'],
      allowed: [{ protocol: 'icmp', ports: ['80'] }, { protocol: 'gre' }],
      priority: 65536,
    },
  });
  assert.equal(res.status, 422);
  assert.equal(res.body.reason, 'Invalid');
  assert.deepEqual(
    res.body.details.causes.map((c: { field: string }) => c.field),
    ['spec.sourceRanges[1]', 'spec.allowed[0].ports', 'spec.allowed[1].protocol', 'spec.priority'],
  );
});

test('Firewall: a wrong JSON type is a 400', async () => {
  const res = await req('POST', `${base}/firewalls`, {
    metadata: { name: 'bad' },
    spec: { sourceRanges: '0.0.0.0/0', allowed: [{ protocol: 'tcp' }] },
  });
  assert.equal(res.status, 400);
});

test('Firewall: kubectl table columns', async () => {
  await req('POST', `${base}/firewalls`, {
    metadata: { name: 'allow-web' },
    spec: {
      sourceRanges: ['0.0.0.0/0'],
      allowed: [{ protocol: 'TCP', ports: ['80', '8000-8080'] }, { protocol: 'icmp' }],
      targetNodes: ['vm1'],
    },
  });
  const table = await req('GET', `${base}/firewalls/allow-web`, undefined, { accept: TABLE_ACCEPT });
  assert.equal(table.body.kind, 'Table');
  assert.deepEqual(
    table.body.columnDefinitions.map((c: { name: string }) => c.name.toUpperCase()),
    ['NAME', 'SRC_RANGES', 'ALLOW', 'TARGETS', 'PRIORITY', 'AGE'],
  );
  assert.deepEqual(table.body.rows[0].cells.slice(0, 5), [
    'allow-web',
    '0.0.0.0/0',
    'TCP:80,TCP:8000-8080,icmp',
    'vm1',
    1000,
  ]);
});

test('ForwardingRule: status only through /status; table', async () => {
  const created = await req('POST', `${base}/forwardingrules`, {
    metadata: { name: 'a1' },
    spec: { ipAddress: '203.0.113.4', ports: ['80'], target: { nodes: ['vm1', 'vm2'] } },
    status: { backends: [{ node: 'vm1', healthy: true }] },
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.spec.protocol, 'TCP');
  assert.deepEqual(created.body.status ?? {}, {}, 'a client cannot create health');
  const backends = [
    { node: 'vm1', healthy: true },
    { node: 'vm2', healthy: false, reason: 'no local endpoints' },
  ];
  const withStatus = await req('PUT', `${base}/forwardingrules/a1/status`, { ...created.body, status: { backends } });
  assert.equal(withStatus.status, 200);
  assert.deepEqual(withStatus.body.status.backends, backends);
  const mainUpdate = await req('PUT', `${base}/forwardingrules/a1`, {
    ...withStatus.body,
    spec: { ...withStatus.body.spec, ports: ['80', '443'] },
    status: {},
  });
  assert.equal(mainUpdate.status, 200);
  assert.deepEqual(mainUpdate.body.spec.ports, ['80', '443']);
  assert.deepEqual(mainUpdate.body.status.backends, backends, 'the main resource keeps the stored status');
  const table = await req('GET', `${base}/forwardingrules`, undefined, { accept: TABLE_ACCEPT });
  assert.deepEqual(
    table.body.columnDefinitions.map((c: { name: string }) => c.name.toUpperCase()),
    ['NAME', 'IP', 'PROTOCOL', 'PORTS', 'TARGET', 'AGE'],
  );
  assert.deepEqual(table.body.rows[0].cells.slice(0, 5), ['a1', '203.0.113.4', 'TCP', '80,443', 'nodes:vm1,vm2']);
});

test('Route: table columns', async () => {
  await req('POST', `${base}/routes`, route('kplane-abc', { description: 'k8s-node-route' }));
  const table = await req('GET', `${base}/routes`, undefined, { accept: TABLE_ACCEPT });
  assert.deepEqual(
    table.body.columnDefinitions.map((c: { name: string }) => c.name.toUpperCase()),
    ['NAME', 'DEST_RANGE', 'NEXT_HOP', 'PRIORITY', 'AGE'],
  );
  assert.deepEqual(table.body.rows[0].cells.slice(0, 4), ['kplane-abc', '10.4.7.0/24', 'vm1', 1000]);
});
