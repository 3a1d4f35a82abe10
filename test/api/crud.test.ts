import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { podManifest, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => (t = await startTestApp()));
after(async () => t.close());

const pods = '/api/v1/namespaces/default/pods';

async function req(method: string, url: string, body?: unknown, contentType = 'application/json') {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    payload,
    headers: payload === undefined ? {} : { 'content-type': contentType },
  });
  let json: any;
  try {
    json = res.json();
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, body: json, raw: res };
}

describe('create', () => {
  test('fills server metadata and returns 201', async () => {
    const res = await req('POST', pods, podManifest('web-1'));
    assert.equal(res.status, 201);
    const m = res.body.metadata;
    assert.match(m.uid, /^[0-9a-f-]{36}$/);
    assert.match(m.resourceVersion, /^\d+$/);
    assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(m.generation, 1);
    assert.equal(m.namespace, 'default');
    const got = await req('GET', `${pods}/web-1`);
    assert.deepEqual(got.body, res.body);
  });

  test('takes apiVersion and kind from the URL when missing', async () => {
    const { apiVersion: _a, kind: _k, ...bare } = podManifest('bare');
    const res = await req('POST', pods, bare);
    assert.equal(res.status, 201);
    assert.equal(res.body.kind, 'Pod');
    assert.equal(res.body.apiVersion, 'v1');
  });

  const badRequests: { name: string; body: unknown; status: number; reason: string }[] = [
    { name: 'another kind', body: { ...podManifest('x'), kind: 'Service' }, status: 400, reason: 'BadRequest' },
    { name: 'not an object', body: [1, 2], status: 400, reason: 'BadRequest' },
    {
      name: 'wrong JSON type',
      body: { ...podManifest('x'), spec: { containers: 'nginx' } },
      status: 400,
      reason: 'BadRequest',
    },
    {
      name: 'namespace mismatch',
      body: { ...podManifest('x'), metadata: { name: 'x', namespace: 'other' } },
      status: 400,
      reason: 'BadRequest',
    },
  ];
  for (const tc of badRequests) {
    test(`rejects ${tc.name}`, async () => {
      const res = await req('POST', pods, tc.body);
      assert.equal(res.status, tc.status);
      assert.equal(res.body.kind, 'Status');
      assert.equal(res.body.reason, tc.reason);
    });
  }

  test('reports every validation error at once as 422', async () => {
    const res = await req('POST', pods, {
      metadata: { name: 'Bad_Name', labels: { 'bad key!': 'v' } },
      spec: { containers: [{ name: 'c' }] },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.reason, 'Invalid');
    const fields = res.body.details.causes.map((c: { field: string }) => c.field);
    for (const f of ['metadata.name', 'metadata.labels', 'spec.containers[0].image'])
      assert.ok(fields.includes(f), `${f} in ${fields}`);
    assert.match(res.body.message, /^Pod "Bad_Name" is invalid: \[/);
  });

  test('needs an existing namespace', async () => {
    const res = await req('POST', '/api/v1/namespaces/nope/pods', podManifest('x'));
    assert.equal(res.status, 404);
    assert.equal(res.body.message, 'namespaces "nope" not found');
  });

  test('AlreadyExists on a duplicate name', async () => {
    await req('POST', pods, podManifest('dup'));
    const res = await req('POST', pods, podManifest('dup'));
    assert.equal(res.status, 409);
    assert.equal(res.body.reason, 'AlreadyExists');
    assert.equal(res.body.message, 'pods "dup" already exists');
  });

  test('generateName gets a random suffix', async () => {
    const { metadata: _m, ...rest } = podManifest('');
    const res = await req('POST', pods, { ...rest, metadata: { generateName: 'gen-' } });
    assert.equal(res.status, 201);
    assert.match(res.body.metadata.name, /^gen-[a-z0-9]{5}$/);
  });

  test('accepts YAML bodies', async () => {
    const yaml =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n  containers:\n  - name: c\n    image: nginx\n';
    const res = await req('POST', pods, yaml, 'application/yaml');
    assert.equal(res.status, 201);
    assert.equal(res.body.metadata.name, 'from-yaml');
  });

  test('dryRun=All validates without storing', async () => {
    const res = await req('POST', `${pods}?dryRun=All`, podManifest('dry'));
    assert.equal(res.status, 201);
    assert.equal((await req('GET', `${pods}/dry`)).status, 404);
  });
});

describe('update and patch', () => {
  test('stale resourceVersion is a 409 Conflict with the upstream message', async () => {
    const created = (await req('POST', pods, podManifest('upd'))).body;
    const first = await req('PUT', `${pods}/upd`, {
      ...created,
      metadata: { ...created.metadata, labels: { a: '1' } },
    });
    assert.equal(first.status, 200);
    const stale = await req('PUT', `${pods}/upd`, {
      ...created,
      metadata: { ...created.metadata, labels: { a: '2' } },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(
      stale.body.message,
      'Operation cannot be fulfilled on pods "upd": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  test('a write that changes nothing keeps the resourceVersion', async () => {
    const created = (await req('POST', pods, podManifest('noop'))).body;
    const again = await req('PUT', `${pods}/noop`, created);
    assert.equal(again.status, 200);
    assert.equal(again.body.metadata.resourceVersion, created.metadata.resourceVersion);
    const patched = await req('PATCH', `${pods}/noop`, { metadata: { labels: {} } }, 'application/merge-patch+json');
    assert.equal(patched.body.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  test('the main resource never changes status; /status changes only status', async () => {
    const created = (await req('POST', pods, podManifest('st'))).body;
    const main = await req('PUT', `${pods}/st`, { ...created, status: { phase: 'Running' } });
    assert.equal(main.body.status.phase, 'Pending');
    const status = await req('PUT', `${pods}/st/status`, {
      ...main.body,
      spec: { ...main.body.spec, nodeName: 'elsewhere' },
      status: { phase: 'Running' },
    });
    assert.equal(status.status, 200);
    assert.equal(status.body.status.phase, 'Running');
    assert.equal(status.body.spec.nodeName, undefined);
  });

  test('generation is bumped only by spec changes', async () => {
    const created = (await req('POST', pods, podManifest('gen'))).body;
    const labelled = await req(
      'PATCH',
      `${pods}/gen`,
      { metadata: { labels: { x: 'y' } } },
      'application/merge-patch+json',
    );
    assert.equal(labelled.body.metadata.generation, 1);
    const respec = await req(
      'PATCH',
      `${pods}/gen`,
      [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' }],
      'application/json-patch+json',
    );
    assert.equal(respec.status, 200);
    assert.equal(respec.body.metadata.generation, 2);
    assert.equal(created.metadata.uid, respec.body.metadata.uid);
  });

  test('a failing JSON patch operation is a 422 and changes nothing', async () => {
    const created = (await req('POST', pods, podManifest('jp'))).body;
    const res = await req(
      'PATCH',
      `${pods}/jp`,
      [{ op: 'test', path: '/metadata/name', value: 'other' }],
      'application/json-patch+json',
    );
    assert.equal(res.status, 422);
    assert.equal((await req('GET', `${pods}/jp`)).body.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  test('strategic merge patch merges containers by name', async () => {
    await req('POST', pods, podManifest('smp'));
    const res = await req(
      'PATCH',
      `${pods}/smp`,
      { spec: { containers: [{ name: 'c', image: 'nginx:3' }] } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.spec.containers.length, 1);
    assert.equal(res.body.spec.containers[0].image, 'nginx:3');
  });

  test('patch of a missing object is a 404; an unknown patch type a 415', async () => {
    assert.equal((await req('PATCH', `${pods}/missing`, { a: 1 }, 'application/merge-patch+json')).status, 404);
    const res = await req('PATCH', `${pods}/smp`, 'x', 'text/plain');
    assert.equal(res.status, 415);
    assert.equal(res.body.reason, 'UnsupportedMediaType');
  });
});

describe('delete', () => {
  test('deletes, then NotFound', async () => {
    await req('POST', pods, podManifest('del'));
    const res = await req('DELETE', `${pods}/del`);
    assert.equal(res.status, 200);
    assert.equal(res.body.metadata.name, 'del');
    assert.equal((await req('GET', `${pods}/del`)).status, 404);
    assert.equal((await req('DELETE', `${pods}/del`)).body.reason, 'NotFound');
  });

  test('finalizers hold the object until the last one is removed', async () => {
    await req('POST', pods, podManifest('fin', {}, {}));
    await req(
      'PATCH',
      `${pods}/fin`,
      { metadata: { finalizers: ['example.com/hold'] } },
      'application/merge-patch+json',
    );
    const res = await req('DELETE', `${pods}/fin`);
    assert.equal(res.status, 202);
    assert.ok(res.body.metadata.deletionTimestamp);
    assert.equal((await req('GET', `${pods}/fin`)).status, 200);
    await req('PATCH', `${pods}/fin`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    assert.equal((await req('GET', `${pods}/fin`)).status, 404);
  });

  test('a uid precondition that does not match is a 409', async () => {
    await req('POST', pods, podManifest('pre'));
    const res = await req('DELETE', `${pods}/pre`, { preconditions: { uid: 'not-it' } });
    assert.equal(res.status, 409);
  });

  test('deletecollection removes what the selector matches', async () => {
    await req('POST', '/api/v1/namespaces', { metadata: { name: 'dc' } });
    for (const [name, app] of [
      ['a', 'x'],
      ['b', 'x'],
      ['c', 'y'],
    ])
      await req('POST', '/api/v1/namespaces/dc/pods', podManifest(name, { app }));
    const res = await req('DELETE', '/api/v1/namespaces/dc/pods?labelSelector=app%3Dx');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((p: any) => p.metadata.name).sort(), ['a', 'b']);
    assert.deepEqual(
      (await req('GET', '/api/v1/namespaces/dc/pods')).body.items.map((p: any) => p.metadata.name),
      ['c'],
    );
  });
});

describe('list', () => {
  before(async () => {
    await req('POST', '/api/v1/namespaces', { metadata: { name: 'ls' } });
    for (let i = 0; i < 7; i++) {
      await req(
        'POST',
        '/api/v1/namespaces/ls/pods',
        podManifest(
          `p${i}`,
          { app: i % 2 ? 'odd' : 'even', tier: `t${i}` },
          { spec: { nodeName: `n${i % 3}`, containers: [{ name: 'c', image: 'i' }] } },
        ),
      );
    }
  });

  const selections: { name: string; query: string; want: string[] }[] = [
    { name: 'equality', query: 'labelSelector=app%3Dodd', want: ['p1', 'p3', 'p5'] },
    { name: 'inequality', query: 'labelSelector=app!%3Dodd', want: ['p0', 'p2', 'p4', 'p6'] },
    { name: 'set', query: 'labelSelector=tier%20in%20(t1,t2)', want: ['p1', 'p2'] },
    {
      name: 'notin + exists',
      query: 'labelSelector=tier,tier%20notin%20(t0)',
      want: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'],
    },
    { name: 'absent', query: 'labelSelector=!tier', want: [] },
    { name: 'field nodeName', query: 'fieldSelector=spec.nodeName%3Dn1', want: ['p1', 'p4'] },
    { name: 'field name', query: 'fieldSelector=metadata.name%3Dp3', want: ['p3'] },
    { name: 'both', query: 'fieldSelector=spec.nodeName!%3Dn0&labelSelector=app%3Deven', want: ['p2', 'p4'] },
  ];
  for (const tc of selections) {
    test(`selects by ${tc.name}`, async () => {
      const res = await req('GET', `/api/v1/namespaces/ls/pods?${tc.query}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.kind, 'PodList');
      assert.deepEqual(
        res.body.items.map((p: any) => p.metadata.name),
        tc.want,
      );
    });
  }

  const malformed = [
    'labelSelector=a%20in%20(',
    'fieldSelector=spec.unknown%3Dx',
    'limit=-1',
    'limit=abc',
    'resourceVersion=xyz',
    'continue=garbage',
  ];
  for (const q of malformed) {
    test(`400 for ${q}`, async () => {
      const res = await req('GET', `/api/v1/namespaces/ls/pods?${q}`);
      assert.equal(res.status, 400);
      assert.equal(res.body.reason, 'BadRequest');
    });
  }

  test('all namespaces', async () => {
    const res = await req('GET', '/api/v1/pods?fieldSelector=metadata.namespace%3Dls');
    assert.equal(res.body.items.length, 7);
  });

  test('limit + continue pages stay consistent while objects change', async () => {
    const first = await req('GET', '/api/v1/namespaces/ls/pods?limit=3');
    assert.deepEqual(
      first.body.items.map((p: any) => p.metadata.name),
      ['p0', 'p1', 'p2'],
    );
    assert.equal(first.body.metadata.remainingItemCount, 4);
    await req('DELETE', '/api/v1/namespaces/ls/pods/p4');
    await req('POST', '/api/v1/namespaces/ls/pods', podManifest('p35'));
    const second = await req('GET', `/api/v1/namespaces/ls/pods?limit=3&continue=${first.body.metadata.continue}`);
    assert.deepEqual(
      second.body.items.map((p: any) => p.metadata.name),
      ['p3', 'p4', 'p5'],
    );
    assert.equal(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
    const third = await req('GET', `/api/v1/namespaces/ls/pods?limit=3&continue=${second.body.metadata.continue}`);
    assert.deepEqual(
      third.body.items.map((p: any) => p.metadata.name),
      ['p6'],
    );
    assert.equal(third.body.metadata.continue, undefined);
  });
});

describe('hostile and malformed requests', () => {
  test('a body over 3 MiB is 413', async () => {
    const big = JSON.stringify({
      ...podManifest('big'),
      metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } },
    });
    const res = await req('POST', pods, big);
    assert.equal(res.status, 413);
    assert.equal(res.body.reason, 'RequestEntityTooLarge');
  });

  test('__proto__ keys are rejected and pollute nothing', async () => {
    const res = await req(
      'POST',
      pods,
      '{"metadata":{"name":"pp","__proto__":{"polluted":true}},"spec":{"containers":[{"name":"c","image":"i"}]}}',
    );
    assert.equal(res.status, 400);
    const yaml = await req(
      'POST',
      pods,
      'metadata:\n  name: py\n  __proto__:\n    polluted: true\n',
      'application/yaml',
    );
    assert.equal(yaml.status, 400);
    assert.equal(({} as any).polluted, undefined);
  });

  test('YAML alias bombs are refused', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const res = await req('POST', pods, lines.join('\n'), 'application/yaml');
    assert.equal(res.status, 400);
  });

  test('invalid JSON and unknown media types', async () => {
    assert.equal((await req('POST', pods, '{"metadata":')).status, 400);
    assert.equal((await req('POST', pods, 'x', 'text/plain')).status, 415);
  });

  test('unknown paths and verbs get a Status', async () => {
    const res = await req('GET', '/api/v1/widgets');
    assert.equal(res.status, 404);
    assert.equal(res.body.kind, 'Status');
    assert.equal((await req('POST', `${pods}/web-1`, podManifest('web-1'))).status, 405);
    assert.equal((await req('GET', `${pods}/web-1/nonsense`)).status, 404);
  });
});
