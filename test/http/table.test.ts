import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { StatusError } from '../../src/apimachinery/errors.js';
import {
  defaultTable,
  negotiateTable,
  objectToTable,
  parseIncludeObject,
  tableWatchTransport,
  type TableVersion,
} from '../../src/http/table.js';
import type { EventSink } from '../../src/http/watch-stream.js';
import { leases } from '../../src/registry/kinds/lease/index.js';
import { podManifest, startTestApp, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';

const KUBECTL_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const V1BETA1_ACCEPT = 'application/json;as=Table;v=v1beta1;g=meta.k8s.io';

describe('Accept negotiation', () => {
  const cases: { name: string; accept: string | undefined; want: TableVersion | undefined | 'NotAcceptable' }[] = [
    { name: "kubectl get's header picks v1", accept: KUBECTL_ACCEPT, want: 'v1' },
    { name: 'v1beta1 alone is answered in v1beta1', accept: V1BETA1_ACCEPT, want: 'v1beta1' },
    { name: 'plain JSON', accept: 'application/json', want: undefined },
    { name: 'no header', accept: undefined, want: undefined },
    { name: 'anything', accept: '*/*', want: undefined },
    {
      name: 'protobuf first (describe): plain',
      accept: 'application/vnd.kubernetes.protobuf,application/json',
      want: undefined,
    },
    { name: 'plain JSON preferred over the Table', accept: `application/json,${KUBECTL_ACCEPT}`, want: undefined },
    {
      name: 'q-values reorder',
      accept: 'application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io',
      want: 'v1',
    },
    {
      name: 'a protobuf Table is skipped for the JSON one',
      accept: `application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,${V1BETA1_ACCEPT}`,
      want: 'v1beta1',
    },
    {
      name: 'unserved conversion, then plain JSON',
      accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json',
      want: undefined,
    },
    {
      name: 'only an unknown Table version',
      accept: 'application/json;as=Table;v=v1alpha1;g=meta.k8s.io',
      want: 'NotAcceptable',
    },
    {
      name: 'only a Table of another group',
      accept: 'application/json;as=Table;v=v1;g=example.com',
      want: 'NotAcceptable',
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      if (tc.want === 'NotAcceptable') {
        assert.throws(
          () => negotiateTable(tc.accept),
          (err: unknown) => err instanceof StatusError && err.code === 406 && err.reason === 'NotAcceptable',
        );
      } else {
        assert.equal(negotiateTable(tc.accept), tc.want);
      }
    });
  }
});

describe('includeObject', () => {
  const cases: { value: unknown; want: string | 'BadRequest' }[] = [
    { value: undefined, want: 'Metadata' },
    { value: '', want: 'Metadata' },
    { value: 'Metadata', want: 'Metadata' },
    { value: 'Object', want: 'Object' },
    { value: 'None', want: 'None' },
    { value: 'object', want: 'BadRequest' },
    { value: ['None', 'Object'], want: 'BadRequest' },
  ];
  for (const tc of cases) {
    test(`${JSON.stringify(tc.value)} → ${tc.want}`, () => {
      if (tc.want === 'BadRequest')
        assert.throws(
          () => parseIncludeObject(tc.value),
          (err: unknown) => err instanceof StatusError && err.code === 400,
        );
      else assert.equal(parseIncludeObject(tc.value), tc.want);
    });
  }
});

test('kinds without columns of their own get Name and Created At', () => {
  const lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'l1', resourceVersion: '7', creationTimestamp: '2024-05-01T10:00:00Z' },
  };
  const table = objectToTable(
    { ...leases, table: undefined },
    lease,
    { version: 'v1', includeObject: 'None' },
    Date.parse('2024-05-02T10:00:00Z'),
  );
  assert.deepEqual(
    table.columnDefinitions.map((c) => [c.name, c.type, c.format]),
    [
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ],
  );
  assert.deepEqual(table.rows, [{ cells: ['l1', '2024-05-01T10:00:00Z'] }]);
  assert.equal(defaultTable.cells({ metadata: { name: 'x' } }, 0)[1], '0001-01-01T00:00:00Z');
});

test('a watch transport turns object events into one-row Tables, columns on the first only', () => {
  const written: string[] = [];
  const sink: EventSink = {
    write: (text) => {
      written.push(text);
      return true;
    },
    drained: async () => {},
    heartbeat: () => {},
    end: () => {},
    onClientGone: () => {},
  };
  const transport = tableWatchTransport(
    { kind: 'http', start: () => sink },
    leases,
    { version: 'v1', includeObject: 'Metadata' },
    () => Date.parse('2024-05-01T10:00:05Z'),
  );
  const out = transport.start();
  const lease = (rv: string) => ({
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
    metadata: { name: 'l1', namespace: 'n', resourceVersion: rv, creationTimestamp: '2024-05-01T10:00:00Z' },
    spec: { holderIdentity: 'me' },
  });
  const event = (type: 'ADDED' | 'MODIFIED', object: ReturnType<typeof lease>) => ({
    type,
    revision: Number(object.metadata.resourceVersion),
    object,
    json: () => JSON.stringify(object),
  });
  out.write(transport.encode!(event('ADDED', lease('5'))));
  out.write(transport.encode!(event('MODIFIED', lease('6'))));
  const error = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410 } });
  out.write(error);
  const [added, modified] = written.slice(0, 2).map((t) => JSON.parse(t));
  assert.equal(added.object.kind, 'Table');
  assert.deepEqual(
    added.object.columnDefinitions.map((c: { name: string }) => c.name),
    ['Name', 'Holder', 'Age'],
  );
  assert.deepEqual(added.object.rows[0].cells, ['l1', 'me', '5s']);
  assert.equal(added.object.metadata.resourceVersion, '5');
  assert.deepEqual(modified.object.columnDefinitions, []);
  assert.equal(modified.object.rows[0].object.metadata.resourceVersion, '6');
  assert.equal(written[2], error);
});

describe('Tables over HTTP', () => {
  let t: TestApp;
  const ns = '/api/v1/namespaces/tables';
  before(async () => {
    t = await startTestApp();
    await t.app.inject({ method: 'POST', url: '/api/v1/namespaces', payload: { metadata: { name: 'tables' } } });
    for (const name of ['web-1', 'web-2'])
      await t.app.inject({ method: 'POST', url: `${ns}/pods`, payload: podManifest(name, { app: 'web' }) });
  });
  after(async () => t.close());

  async function get(url: string, accept = KUBECTL_ACCEPT) {
    const res = await t.app.inject({ method: 'GET', url, headers: { accept } });
    return { status: res.statusCode, body: res.json() };
  }

  test('a list is a Table with the kind columns, PartialObjectMetadata rows and the list resourceVersion', async () => {
    const plain = await get(`${ns}/pods`, 'application/json');
    const { status, body } = await get(`${ns}/pods`);
    assert.equal(status, 200);
    assert.equal(body.kind, 'Table');
    assert.equal(body.apiVersion, 'meta.k8s.io/v1');
    assert.equal(body.metadata.resourceVersion, plain.body.metadata.resourceVersion);
    const columns = body.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`);
    assert.deepEqual(columns, [
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
    assert.deepEqual(
      body.rows.map((r: { cells: unknown[] }) => r.cells.slice(0, 4)),
      [
        ['web-1', '0/1', 'Pending', '0'],
        ['web-2', '0/1', 'Pending', '0'],
      ],
    );
    const object = body.rows[0].object;
    assert.equal(object.kind, 'PartialObjectMetadata');
    assert.equal(object.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(object.metadata, plain.body.items[0].metadata);
    assert.equal(object.spec, undefined);
  });

  const includeCases = [
    {
      includeObject: 'Object',
      check: (o: any) => assert.ok(o.kind === 'Pod' && o.apiVersion === 'v1' && o.spec.containers.length === 1),
    },
    { includeObject: 'None', check: (o: any) => assert.equal(o, undefined) },
    { includeObject: 'Metadata', check: (o: any) => assert.equal(o.kind, 'PartialObjectMetadata') },
  ];
  for (const tc of includeCases) {
    test(`includeObject=${tc.includeObject}`, async () => {
      const { body } = await get(`${ns}/pods?includeObject=${tc.includeObject}`);
      assert.equal(body.rows.length, 2);
      for (const r of body.rows) tc.check(r.object);
    });
  }

  test('v1beta1 is answered in v1beta1', async () => {
    const { body } = await get(`${ns}/pods`, V1BETA1_ACCEPT);
    assert.equal(body.apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal(body.rows[0].object.apiVersion, 'meta.k8s.io/v1beta1');
  });

  test('a single GET is a one-row Table with the object resourceVersion; a missing one is still a 404 Status', async () => {
    const plain = await get(`${ns}/pods/web-2`, 'application/json');
    const { status, body } = await get(`${ns}/pods/web-2`);
    assert.equal(status, 200);
    assert.equal(body.kind, 'Table');
    assert.equal(body.rows.length, 1);
    assert.equal(body.rows[0].cells[0], 'web-2');
    assert.equal(body.metadata.resourceVersion, plain.body.metadata.resourceVersion);
    const missing = await get(`${ns}/pods/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.kind, 'Status');
  });

  test('cluster-scoped kinds: namespaces', async () => {
    const { body } = await get('/api/v1/namespaces/tables');
    assert.deepEqual(body.rows[0].cells.slice(0, 2), ['tables', 'Active']);
    assert.match(body.rows[0].cells[2], /^\d+s$/);
  });

  test('an empty list has rows: [] and still its columns', async () => {
    const { body } = await get('/apis/networking.k8s.io/v1/namespaces/tables/ingresses');
    assert.deepEqual(body.rows, []);
    assert.deepEqual(
      body.columnDefinitions.map((c: { name: string }) => c.name),
      ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'],
    );
  });

  test('the continue token is carried and the next page follows it', async () => {
    const first = await get(`${ns}/pods?limit=1`);
    assert.equal(first.body.rows.length, 1);
    assert.ok(first.body.metadata.continue);
    const second = await get(`${ns}/pods?limit=1&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    assert.deepEqual([first.body.rows[0].cells[0], second.body.rows[0].cells[0]], ['web-1', 'web-2']);
    assert.equal(second.body.metadata.continue, undefined);
  });

  test('plain JSON is unchanged; unservable Accept is 406; a bad includeObject is 400', async () => {
    assert.equal((await get(`${ns}/pods`, 'application/json')).body.kind, 'PodList');
    const refused = await get(`${ns}/pods`, 'application/json;as=Table;v=v1alpha1;g=meta.k8s.io');
    assert.deepEqual([refused.status, refused.body.reason], [406, 'NotAcceptable']);
    const bad = await get(`${ns}/pods?includeObject=all`);
    assert.deepEqual([bad.status, bad.body.reason], [400, 'BadRequest']);
    assert.match(bad.body.message, /includeObject: Unsupported value: "all"/);
  });

  test('watch events are one-row Tables, the columns on the first event only', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as { port: number }).port;
    const lines: string[] = [];
    const req = http.get(
      `http://127.0.0.1:${port}${ns}/pods?watch=true&fieldSelector=metadata.name%3Dweb-1`,
      { headers: { accept: KUBECTL_ACCEPT } },
      (res) => {
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          const parts = buf.split('\n');
          buf = parts.pop()!;
          lines.push(...parts.filter((l) => l.trim() !== ''));
        });
      },
    );
    try {
      await eventually(async () => assert.ok(lines.length >= 1, 'the ADDED row'), 3000, 20);
      await t.app.inject({
        method: 'PATCH',
        url: `${ns}/pods/web-1`,
        payload: { metadata: { labels: { v: '2' } } },
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      await eventually(async () => assert.ok(lines.length >= 2, 'the MODIFIED row'), 3000, 20);
      const [added, modified] = lines.map((l) => JSON.parse(l));
      assert.deepEqual([added.type, modified.type], ['ADDED', 'MODIFIED']);
      for (const e of [added, modified]) {
        assert.equal(e.object.kind, 'Table');
        assert.equal(e.object.rows.length, 1);
        assert.equal(e.object.rows[0].cells[0], 'web-1');
      }
      assert.equal(added.object.columnDefinitions.length, 9);
      assert.deepEqual(modified.object.columnDefinitions, []);
      assert.equal(modified.object.rows[0].object.metadata.labels.v, '2');
    } finally {
      req.destroy();
    }
  });
});
