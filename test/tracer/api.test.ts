/** network.kplane.io over HTTP: NodeDataplane (get, list, Table, /iptables) and PacketTrace (create, apply, errors). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { startTraceCluster, type ClusterFixture, type TraceCluster } from '../helpers/trace-cluster.js';

const fixture = (
  load(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'golden', '_fixture.yaml'), 'utf8')) as {
    cluster: ClusterFixture;
  }
).cluster;
const base = '/apis/network.kplane.io/v1alpha1';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let cluster: TraceCluster;
before(async () => {
  cluster = await startTraceCluster(fixture);
});
after(() => cluster.close());

const get = (url: string, headers: Record<string, string> = {}) => cluster.app.inject({ method: 'GET', url, headers });
const post = (payload: unknown, url = `${base}/packettraces`) =>
  cluster.app.inject({ method: 'POST', url, payload: payload as object });

test('NodeDataplane lists one object per node with interfaces, routes, rule counts', async () => {
  const res = await get(`${base}/nodedataplanes`);
  assert.equal(res.statusCode, 200);
  const list = res.json();
  assert.equal(list.kind, 'NodeDataplaneList');
  assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(), [
    'vm1',
    'vm2',
    'vm3',
  ]);
  const vm1 = list.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'vm1').status;
  assert.equal(vm1.internalIP, '10.240.0.2');
  assert.equal(vm1.externalIP, '35.0.0.1');
  assert.deepEqual(vm1.interfaces.slice(0, 2), [
    { name: 'eth0', netns: 'root', addresses: ['10.240.0.2/32'] },
    { name: 'cbr0', netns: 'root', addresses: ['10.11.0.1/24'] },
  ]);
  const peers = vm1.interfaces
    .filter((i: { master?: string }) => i.master === 'cbr0')
    .map((i: { peer: string }) => i.peer.split(' ')[0])
    .sort();
  assert.deepEqual(peers, ['pod:default/db-1', 'pod:default/store-be-1', 'pod:kube-system/coredns-5d78c9869d-bk7xq']);
  assert.deepEqual(vm1.routes, [
    'default via 10.240.0.1 dev eth0',
    '10.11.0.0/24 dev cbr0 proto kernel scope link src 10.11.0.1',
  ]);
  assert.ok(vm1.rules.nat > 10 && vm1.rules.filter > 5);
  assert.equal(vm1.natRules.length, vm1.rules.nat);
  assert.ok(
    vm1.natRules.includes(
      '-A KUBE-SVC-MKWJAYKO35F7WYOU -m comment --comment "default/store-be:http -> 10.11.8.67:80" -j KUBE-SEP-A4KFNYTNFYTOGI3Y',
    ),
    vm1.natRules.join('\n'),
  );
  assert.match(vm1.interfaces[2].peer, /^pod:\S+ eth0 10\.11\.0\.\d+\/24 default via 10\.11\.0\.1$/);
});

test('NodeDataplane shows the conntrack entries traces leave', async () => {
  await cluster.trace({
    from: { pod: 'default/store-fe-1' },
    to: { service: 'default/store-be', port: 'http' },
    sourcePort: 4321,
  });
  const vm3 = (await get(`${base}/nodedataplanes/vm3`)).json();
  const entry = vm3.status.conntrack.find(
    (e: { original: string }) => e.original === 'TCP 10.11.8.68:4321 → 10.9.3.76:80',
  );
  assert.ok(entry, JSON.stringify(vm3.status.conntrack));
  assert.match(entry.reply, /^TCP 10\.11\.\d+\.\d+:80 → 10\.11\.8\.68:4321$/);
  assert.equal(entry.expiresInSeconds, 120);
});

test('NodeDataplane as a Table has kubectl columns', async () => {
  const res = await get(`${base}/nodedataplanes`, { accept: tableAccept });
  const table = res.json();
  assert.equal(table.kind, 'Table');
  assert.deepEqual(
    table.columnDefinitions.map((c: { name: string }) => c.name),
    ['Name', 'Internal-IP', 'External-IP', 'Pod-CIDR', 'Veths', 'NAT-Rules', 'Filter-Rules', 'Conntrack'],
  );
  const row = table.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'vm2');
  assert.deepEqual(row.cells.slice(0, 5), ['vm2', '10.240.0.3', '35.0.0.2', '10.11.5.0/24', 2]);
});

test('iptables is text/plain in iptables-save form, whatever the Accept header', async () => {
  const res = await get(`${base}/nodedataplanes/vm1/iptables`, { accept: 'application/json' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/plain/);
  assert.match(res.body, /^\*filter\n/);
  assert.match(
    res.body,
    /-A KUBE-SERVICES -d 10\.9\.3\.76\/32 -p tcp -m comment --comment "default\/store-be:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-MKWJAYKO35F7WYOU/,
  );
  assert.match(res.body, /COMMIT\n$/);
});

const notFound = [`${base}/nodedataplanes/vm9`, `${base}/nodedataplanes/vm9/iptables`];
for (const url of notFound) {
  test(`GET ${url} is a 404 Status`, async () => {
    const res = await get(url);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().kind, 'Status');
  });
}

const notAllowed: [string, string][] = [
  ['DELETE', `${base}/nodedataplanes/vm1`],
  ['PUT', `${base}/nodedataplanes/vm1`],
  ['POST', `${base}/nodedataplanes`],
  ['GET', `${base}/packettraces`],
  ['GET', `${base}/packettraces/x`],
  ['DELETE', `${base}/packettraces/x`],
];
for (const [method, url] of notAllowed) {
  test(`${method} ${url} is a 405 Status`, async () => {
    const res = await cluster.app.inject({
      method: method as 'GET',
      url,
      payload: method === 'GET' || method === 'DELETE' ? undefined : {},
    });
    assert.equal(res.statusCode, 405);
    assert.equal(res.json().reason, 'MethodNotAllowed');
  });
}

test('a PacketTrace answers 201 with the request and its status, and is not stored', async () => {
  const res = await post({
    apiVersion: 'network.kplane.io/v1alpha1',
    kind: 'PacketTrace',
    metadata: { name: 'mine' },
    spec: { from: { pod: 'default/store-be-1' }, to: { ip: '10.11.0.18', port: 5432 } },
  });
  assert.equal(res.statusCode, 201);
  const body = res.json();
  assert.equal(body.metadata.name, 'mine');
  assert.equal(body.status.outcome, 'Delivered');
  assert.deepEqual(body.status.deliveredTo, { pod: 'default/db-1', node: 'vm1', ip: '10.11.0.18', port: 5432 });
  assert.equal((await get(`${base}/packettraces/mine`)).statusCode, 405);
});

test('server-side apply of a PacketTrace runs it like a create', async () => {
  const res = await cluster.app.inject({
    method: 'PATCH',
    url: `${base}/packettraces/applied?fieldManager=kubectl`,
    headers: { 'content-type': 'application/apply-patch+yaml' },
    payload:
      'apiVersion: network.kplane.io/v1alpha1\nkind: PacketTrace\nmetadata: {name: applied}\nspec: {from: {node: vm1}, to: {ip: 10.240.0.3, port: 22}}\n',
  });
  assert.equal(res.statusCode, 201);
  assert.equal(res.json().status.outcome, 'Delivered');
  const merge = await cluster.app.inject({
    method: 'PATCH',
    url: `${base}/packettraces/applied`,
    headers: { 'content-type': 'application/merge-patch+json' },
    payload: {},
  });
  assert.equal(merge.statusCode, 405);
});

const invalid: { name: string; spec: unknown; fields: string[] }[] = [
  { name: 'no source or destination', spec: {}, fields: ['spec.from', 'spec.to'] },
  {
    name: 'two sources',
    spec: { from: { pod: 'default/store-be-1', node: 'vm1' }, to: { ip: '10.11.0.18', port: 1 } },
    fields: ['spec.from'],
  },
  {
    name: 'unknown pod',
    spec: { from: { pod: 'default/nope' }, to: { ip: '10.11.0.18', port: 1 } },
    fields: ['spec.from.pod'],
  },
  {
    name: 'pod not ns/name',
    spec: { from: { pod: 'nope' }, to: { ip: '10.11.0.18', port: 1 } },
    fields: ['spec.from.pod'],
  },
  {
    name: 'unknown node',
    spec: { from: { node: 'vm9' }, to: { ip: '10.11.0.18', port: 1 } },
    fields: ['spec.from.node'],
  },
  {
    name: 'bad source ip',
    spec: { from: { ip: '1.2.3' }, to: { ip: '10.11.0.18', port: 1 } },
    fields: ['spec.from.ip'],
  },
  { name: 'missing port', spec: { from: { node: 'vm1' }, to: { ip: '10.11.0.18' } }, fields: ['spec.to.port'] },
  {
    name: 'port out of range',
    spec: { from: { node: 'vm1' }, to: { ip: '10.11.0.18', port: 70000 } },
    fields: ['spec.to.port'],
  },
  {
    name: 'unknown service',
    spec: { from: { node: 'vm1' }, to: { service: 'default/nope', port: 80 } },
    fields: ['spec.to.service'],
  },
  {
    name: 'unknown service port',
    spec: { from: { node: 'vm1' }, to: { service: 'default/store-be', port: 'grpc' } },
    fields: ['spec.to.port'],
  },
  {
    name: 'bad protocol',
    spec: { from: { node: 'vm1' }, to: { ip: '10.11.0.18', port: 1 }, protocol: 'SCTP' },
    fields: ['spec.protocol'],
  },
  {
    name: 'bad source port',
    spec: { from: { node: 'vm1' }, to: { ip: '10.11.0.18', port: 1 }, sourcePort: 0 },
    fields: ['spec.sourcePort'],
  },
];
for (const tc of invalid) {
  test(`PacketTrace with ${tc.name} is a 422 naming ${tc.fields.join(', ')}`, async () => {
    const res = await post({ apiVersion: 'network.kplane.io/v1alpha1', kind: 'PacketTrace', spec: tc.spec });
    assert.equal(res.statusCode, 422, res.body);
    const status = res.json();
    assert.equal(status.reason, 'Invalid');
    assert.deepEqual(
      status.details.causes.map((c: { field: string }) => c.field),
      tc.fields,
    );
  });
}

const badRequests: { name: string; payload: unknown }[] = [
  { name: 'another kind', payload: { apiVersion: 'v1', kind: 'Pod', spec: {} } },
  {
    name: 'a wrong JSON type',
    payload: { apiVersion: 'network.kplane.io/v1alpha1', kind: 'PacketTrace', spec: { from: 'vm1' } },
  },
  { name: 'not an object', payload: [1, 2] },
];
for (const tc of badRequests) {
  test(`PacketTrace with ${tc.name} is a 400`, async () => {
    const res = await post(tc.payload);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().kind, 'Status');
  });
}

test('a trace sees every write made before it (Service and EndpointSlice written just before)', async () => {
  await cluster.client.create('Service', {
    metadata: { name: 'fresh', namespace: 'default' },
    spec: { clusterIP: '10.9.3.200', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
  } as never);
  await cluster.client.create('EndpointSlice', {
    metadata: { name: 'fresh-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'fresh' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.11.0.18'], nodeName: 'vm1', conditions: { ready: true } }],
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  } as never);
  const res = await post({
    spec: { from: { pod: 'default/store-fe-1' }, to: { service: 'default/fresh', port: 'pg' } },
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual(res.json().status.deliveredTo, { pod: 'default/db-1', node: 'vm1', ip: '10.11.0.18', port: 5432 });
});

test('discovery lists the group with the served verbs', async () => {
  const res = await get(`${base}`);
  const resources = res.json().resources as { name: string; verbs: string[] }[];
  assert.deepEqual(
    resources.map((r) => [r.name, r.verbs]),
    [
      ['nodedataplanes', ['get', 'list']],
      ['nodedataplanes/iptables', ['get']],
      ['packettraces', ['create', 'patch']],
    ],
  );
});
