import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { modeled, opaque } from '../../schemas/meta.js';
import { PodSchema } from '../../src/registry/kinds/pod/schema.js';
import { dropUnknownFields } from '../../src/registry/unknown-fields.js';
import { podManifest, startTestApp, type TestApp } from '../helpers/app.js';

describe('dropUnknownFields', () => {
  const schema = modeled({
    name: z.string().optional(),
    items: z.array(modeled({ a: z.number().optional() })).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    free: opaque({ known: z.string().optional() }).optional(),
    nested: modeled({ inner: modeled({ x: z.string().optional() }).optional() }).prefault({}),
  });
  const cases: {
    name: string;
    input: Record<string, unknown>;
    unknown: (string | number)[][];
    output?: Record<string, unknown>;
  }[] = [
    { name: 'no unknown field', input: { name: 'a', items: [{ a: 1 }], labels: { any: 'key' } }, unknown: [] },
    {
      name: 'top level, in document order',
      input: { zz: 1, name: 'a', aa: 2 },
      unknown: [['zz'], ['aa']],
      output: { name: 'a', nested: {} },
    },
    {
      name: 'inside array items',
      input: { items: [{ a: 1 }, { a: 2, b: 3 }] },
      unknown: [['items', 1, 'b']],
      output: { items: [{ a: 1 }, { a: 2 }], nested: {} },
    },
    {
      name: 'through wrappers',
      input: { nested: { inner: { x: 'v', y: 'w' } } },
      unknown: [['nested', 'inner', 'y']],
      output: { nested: { inner: { x: 'v' } } },
    },
    {
      name: 'anything under an opaque object',
      input: { free: { known: 'k', other: { deep: true } } },
      unknown: [],
      output: { free: { known: 'k', other: { deep: true } }, nested: {} },
    },
    { name: 'null values are still fields', input: { gone: null }, unknown: [['gone']] },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const output = schema.parse(tc.input) as Record<string, unknown>;
      assert.deepEqual(dropUnknownFields(schema, tc.input, output), tc.unknown);
      if (tc.output) assert.deepEqual(output, tc.output);
    });
  }

  test('walks a kind decoder (preprocess pipe) and its defaulted fields', () => {
    const input = {
      metadata: { name: 'p', bogus: 1 },
      spec: { containers: [{ name: 'c', image: 'i', extra: true }], securityContext: { anything: 1 } },
    };
    const output = PodSchema.parse(input);
    assert.deepEqual(dropUnknownFields(PodSchema, input, output), [
      ['metadata', 'bogus'],
      ['spec', 'containers', 0, 'extra'],
    ]);
    assert.equal('extra' in output.spec.containers[0], false);
    assert.deepEqual(output.spec.securityContext, { anything: 1 });
  });
});

let t: TestApp;
before(async () => (t = await startTestApp()));
after(async () => t.close());

const pods = '/api/v1/namespaces/default/pods';

async function req(method: string, url: string, body: unknown, contentType = 'application/json') {
  const res = await t.app.inject({
    method: method as 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': contentType },
  });
  return { status: res.statusCode, body: res.json(), warnings: ([] as string[]).concat(res.headers.warning ?? []) };
}

async function stored(name: string) {
  return (await t.app.inject({ method: 'GET', url: `${pods}/${name}` })).json();
}

/** A pod with unknown fields in spec and in a container (both modeled objects). */
function podWithUnknowns(name: string) {
  const pod = podManifest(name);
  return { ...pod, spec: { foo: 'x', containers: [{ ...pod.spec.containers[0], bar: 1 }] } };
}

const strictMessage = 'strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].bar"';

describe('create', () => {
  const cases: { name: string; query: string; status: number; warnings: string[] }[] = [
    { name: 'Strict rejects', query: '?fieldValidation=Strict', status: 400, warnings: [] },
    {
      name: 'Warn stores without them and warns per field',
      query: '?fieldValidation=Warn',
      status: 201,
      warnings: ['299 - "unknown field \\"spec.foo\\""', '299 - "unknown field \\"spec.containers[0].bar\\""'],
    },
    { name: 'Ignore stores without them silently', query: '?fieldValidation=Ignore', status: 201, warnings: [] },
    {
      name: 'no directive behaves as Warn (the server default)',
      query: '',
      status: 201,
      warnings: ['299 - "unknown field \\"spec.foo\\""', '299 - "unknown field \\"spec.containers[0].bar\\""'],
    },
  ];
  cases.forEach((tc, i) => {
    test(tc.name, async () => {
      const name = `create-${i}`;
      const res = await req('POST', `${pods}${tc.query}`, podWithUnknowns(name));
      assert.equal(res.status, tc.status);
      assert.deepEqual(res.warnings, tc.warnings);
      if (tc.status === 400) {
        assert.equal(res.body.reason, 'BadRequest');
        assert.equal(res.body.message, `Pod in version "v1" cannot be handled as a Pod: ${strictMessage}`);
        return;
      }
      const pod = await stored(name);
      assert.equal('foo' in pod.spec, false);
      assert.equal('bar' in pod.spec.containers[0], false);
    });
  });

  test('fields under opaque objects are accepted by Strict and kept', async () => {
    const pod = podManifest('opaque-ok');
    const affinity = { nodeAffinity: { madeUp: { deeper: [1] } } };
    const volumes = [{ name: 'data', hostPath: { path: '/srv', type: '' } }];
    const res = await req('POST', `${pods}?fieldValidation=Strict`, {
      ...pod,
      spec: { ...pod.spec, affinity, volumes },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const got = await stored('opaque-ok');
    assert.deepEqual(got.spec.affinity, affinity);
    assert.deepEqual(got.spec.volumes[0].hostPath, { path: '/srv', type: '' });
  });

  test('metadata is modeled too', async () => {
    const res = await req('POST', `${pods}?fieldValidation=Strict`, {
      ...podManifest('meta'),
      metadata: { name: 'meta', colour: 'blue' },
    });
    assert.equal(res.status, 400);
    assert.equal(
      res.body.message,
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.colour"',
    );
  });

  test('an unsupported directive is a 422 on the options', async () => {
    const res = await req('POST', `${pods}?fieldValidation=Loose`, podManifest('bad-directive'));
    assert.equal(res.status, 422);
    assert.equal(
      res.body.message,
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"',
    );
  });
});

describe('update and patch', () => {
  test('PUT: Strict rejects, Warn drops with warnings', async () => {
    const created = (await req('POST', pods, podManifest('upd'))).body;
    const withUnknowns = { ...created, spec: { ...created.spec, foo: 'x' } };
    const strict = await req('PUT', `${pods}/upd?fieldValidation=Strict`, withUnknowns);
    assert.equal(strict.status, 400);
    assert.equal(
      strict.body.message,
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"',
    );
    const warn = await req('PUT', `${pods}/upd?fieldValidation=Warn`, {
      ...withUnknowns,
      metadata: { ...created.metadata, labels: { v: '2' } },
    });
    assert.equal(warn.status, 200);
    assert.deepEqual(warn.warnings, ['299 - "unknown field \\"spec.foo\\""']);
    assert.equal('foo' in (await stored('upd')).spec, false);
  });

  const patches: { name: string; contentType: string; patch: unknown; shown: 'patch' | 'object' }[] = [
    {
      name: 'merge patch',
      contentType: 'application/merge-patch+json',
      patch: { spec: { foo: 'x' } },
      shown: 'object',
    },
    {
      name: 'JSON patch',
      contentType: 'application/json-patch+json',
      patch: [{ op: 'add', path: '/spec/foo', value: 'x' }],
      shown: 'object',
    },
    {
      name: 'strategic merge patch',
      contentType: 'application/strategic-merge-patch+json',
      patch: { spec: { foo: 'x' } },
      shown: 'patch',
    },
  ];
  patches.forEach((tc, i) => {
    test(`PATCH (${tc.name}): Strict is a 422 on the patch, Warn and Ignore drop the field`, async () => {
      const name = `patch-${i}`;
      await req('POST', pods, podManifest(name));
      const strict = await req('PATCH', `${pods}/${name}?fieldValidation=Strict`, tc.patch, tc.contentType);
      assert.equal(strict.status, 422);
      assert.equal(strict.body.reason, 'Invalid');
      assert.equal(strict.body.details.causes[0].field, 'patch');
      // Upstream's NewInvalid with an empty GroupKind: ` "" is invalid`, shown by kubectl as "The request is invalid".
      assert.match(
        strict.body.message,
        /^ "" is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "spec\.foo"$/,
      );
      const shownValue = JSON.parse(JSON.parse(strict.body.message.match(/Invalid value: (".*"): strict/)[1]));
      if (tc.shown === 'patch') assert.deepEqual(shownValue, tc.patch);
      else assert.equal(shownValue.metadata.name, name);

      const warn = await req('PATCH', `${pods}/${name}?fieldValidation=Warn`, tc.patch, tc.contentType);
      assert.equal(warn.status, 200);
      assert.deepEqual(warn.warnings, ['299 - "unknown field \\"spec.foo\\""']);
      const ignore = await req('PATCH', `${pods}/${name}?fieldValidation=Ignore`, tc.patch, tc.contentType);
      assert.equal(ignore.status, 200);
      assert.deepEqual(ignore.warnings, []);
      assert.equal('foo' in (await stored(name)).spec, false);
    });
  });

  test('other kinds: a Service port', async () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'fv' },
      spec: { ports: [{ port: 80, prot: 'TCP' }] },
    };
    const res = await req('POST', '/api/v1/namespaces/default/services?fieldValidation=Strict', svc);
    assert.equal(res.status, 400);
    assert.equal(
      res.body.message,
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.ports[0].prot"',
    );
  });
});
