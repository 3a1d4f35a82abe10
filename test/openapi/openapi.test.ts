import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildV3Documents, buildV3Index, groupVersionPath } from '../../src/openapi/document.js';
import { componentNameOf } from '../../src/openapi/names.js';
import { encodeSwaggerProtobuf } from '../../src/openapi/v2-protobuf.js';
import { negotiateV2 } from '../../src/http/routes/openapi.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';
import type { ResourceType } from '../../src/registry/resource.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const documents = buildV3Documents(builtinKinds);

function documentOf(rt: ResourceType) {
  const doc = documents.get(groupVersionPath(rt));
  assert.ok(doc, `no document for ${groupVersionPath(rt)}`);
  return doc.document;
}

/** The object path of a resource, as kubectl's lookup sees it. */
function objectPath(rt: ResourceType): string {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  return rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}/{name}` : `${base}/${rt.plural}/{name}`;
}

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') out.push(v as string);
      else collectRefs(v, out);
    }
  }
  return out;
}

describe('group-version documents', () => {
  test('one document per served group-version', () => {
    const wanted = [...new Set(builtinKinds.map(groupVersionPath))].sort();
    assert.deepEqual([...documents.keys()].sort(), wanted);
    assert.ok(wanted.includes('api/v1') && wanted.includes('apis/networking.k8s.io/v1'));
  });

  for (const rt of builtinKinds) {
    test(`${rt.kind}: component named like upstream, with its GVK`, () => {
      const name = componentNameOf(rt);
      const schema = documentOf(rt).components.schemas[name];
      assert.ok(schema, `${name} missing`);
      assert.deepEqual(schema['x-kubernetes-group-version-kind'], [
        { group: rt.group, version: rt.version, kind: rt.kind },
      ]);
      const props = schema.properties as Record<string, { description?: string; allOf?: unknown[] }>;
      assert.deepEqual(props.metadata.allOf, [
        { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      ]);
      assert.ok(props.apiVersion.description && props.metadata.description, 'top-level fields are described');
      assert.ok(schema.description, 'the kind is described');
    });

    if (rt.custom) {
      test(`${rt.kind}: only the served verbs have operations`, () => {
        const ops = Object.values(documentOf(rt).paths)
          .flatMap((item) => Object.entries(item).filter(([key]) => key !== 'parameters'))
          .filter(
            ([, op]) => (op as Record<string, { kind?: string }>)['x-kubernetes-group-version-kind']?.kind === rt.kind,
          )
          .map(([, op]) => (op as Record<string, string>)['x-kubernetes-action']);
        assert.deepEqual(new Set(ops), new Set(rt.custom!.verbs.map((v) => (v === 'create' ? 'post' : v))));
      });
      continue;
    }
    test(`${rt.kind}: PATCH declares fieldValidation and dryRun with the GVK extension`, () => {
      const patch = documentOf(rt).paths[objectPath(rt)]?.patch as Record<string, unknown>;
      assert.ok(patch, `no PATCH on ${objectPath(rt)}`);
      assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
        group: rt.group,
        version: rt.version,
        kind: rt.kind,
      });
      const params = patch.parameters as { name: string; in: string }[];
      for (const name of ['fieldValidation', 'dryRun'])
        assert.ok(
          params.some((p) => p.name === name && p.in === 'query'),
          `${name} on ${rt.kind}`,
        );
    });
  }

  test('every $ref resolves inside its own document', () => {
    for (const [path, { document }] of documents) {
      for (const r of collectRefs(document)) {
        const name = r.replace('#/components/schemas/', '');
        assert.ok(document.components.schemas[name], `${path}: dangling ${r}`);
      }
    }
  });

  const fieldTypes: { name: string; component: string; field: string; want: unknown }[] = [
    {
      name: 'tolerations are a list of Toleration',
      component: 'io.k8s.api.core.v1.PodSpec',
      field: 'tolerations',
      want: { type: 'array', items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Toleration' } },
    },
    {
      name: 'a label map',
      component: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      field: 'labels',
      want: { type: 'object', additionalProperties: { type: 'string' } },
    },
    {
      name: 'an integer',
      component: 'io.k8s.api.core.v1.ContainerPort',
      field: 'containerPort',
      want: { type: 'integer' },
    },
    {
      name: 'IntOrString by reference',
      component: 'io.k8s.api.core.v1.ServicePort',
      field: 'targetPort',
      want: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' },
    },
  ];
  for (const tc of fieldTypes) {
    test(`schemas: ${tc.name}`, () => {
      const all = Object.assign({}, ...[...documents.values()].map((d) => d.document.components.schemas));
      const field = { ...all[tc.component].properties[tc.field] };
      delete field.description;
      const unwrapped = field.allOf ? field.allOf[0] : field;
      assert.deepEqual(unwrapped, tc.want);
    });
  }

  test('PATCH does not declare strategic merge patch, so kubectl computes apply patches from its own types', () => {
    const patch = documents.get('api/v1')!.document.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch as {
      requestBody: { content: object };
    };
    assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
      'application/json-patch+json',
      'application/merge-patch+json',
    ]);
  });

  test('required fields are the non-omitempty ones; opaque objects keep unknown fields', () => {
    const v1 = documents.get('api/v1')!.document.components.schemas;
    assert.deepEqual(v1['io.k8s.api.core.v1.Container'].required, ['name']);
    assert.equal(v1['io.k8s.api.core.v1.Volume']['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(v1['io.k8s.api.core.v1.PodSpec']['x-kubernetes-preserve-unknown-fields'], undefined);
  });
});

describe('index and hashes', () => {
  test('the index points at each document by its hash', () => {
    const index = buildV3Index(documents);
    for (const [path, doc] of documents) {
      assert.equal(index.paths[path].serverRelativeURL, `/openapi/v3/${path}?hash=${doc.hash}`);
      assert.match(doc.hash, /^[0-9A-F]{128}$/);
    }
  });

  test('a hash changes exactly when its document changes', () => {
    const pods = builtinKinds.find((r) => r.kind === 'Pod')!;
    const changed = buildV3Documents(builtinKinds.map((r) => (r === pods ? { ...pods, hasStatus: false } : r)));
    const same = buildV3Documents(builtinKinds);
    for (const [path, doc] of documents) {
      assert.equal(same.get(path)!.hash, doc.hash, `${path} is stable`);
      if (path === 'api/v1') assert.notEqual(changed.get(path)!.hash, doc.hash);
      else assert.equal(changed.get(path)!.hash, doc.hash, `${path} did not change`);
    }
  });
});

describe('HTTP', () => {
  let t: TestApp;
  before(async () => (t = await startTestApp()));
  after(async () => t.close());
  const get = (url: string, accept = 'application/json') => t.app.inject({ method: 'GET', url, headers: { accept } });

  test('GET /openapi/v3 serves the index', async () => {
    const res = await get('/openapi/v3?timeout=32s');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    assert.deepEqual(res.json(), buildV3Index(buildV3Documents(t.core.kinds.all())));
  });

  test('the hashed URL is served as immutable', async () => {
    const url = (await get('/openapi/v3')).json().paths['api/v1'].serverRelativeURL as string;
    const res = await get(`${url}&timeout=32s`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'public, immutable');
    assert.ok(res.headers.expires);
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.0');
    assert.ok(doc.components.schemas['io.k8s.api.core.v1.Pod']);
  });

  test('a stale hash redirects to the current one; no hash means no caching', async () => {
    const stale = await get('/openapi/v3/apis/networking.k8s.io/v1?hash=0123');
    assert.equal(stale.statusCode, 301);
    assert.match(
      stale.headers.location as string,
      /^\/openapi\/v3\/apis\/networking\.k8s\.io\/v1\?hash=[0-9A-F]{128}$/,
    );
    const plain = await get('/openapi/v3/apis/networking.k8s.io/v1');
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['cache-control'], undefined);
  });

  const refusals: { name: string; url: string; accept: string; status: number }[] = [
    { name: 'unknown group-version', url: '/openapi/v3/apis/apps/v1', accept: 'application/json', status: 404 },
    {
      name: 'v3 as protobuf only',
      url: '/openapi/v3',
      accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf',
      status: 406,
    },
    { name: 'v2 as YAML', url: '/openapi/v2', accept: 'application/yaml', status: 406 },
  ];
  for (const tc of refusals) {
    test(`refuses ${tc.name} with ${tc.status}`, async () => {
      const res = await get(tc.url, tc.accept);
      assert.equal(res.statusCode, tc.status);
      assert.equal(res.json().kind, 'Status');
    });
  }

  const protobufSpellings = [
    'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
  ];
  for (const accept of protobufSpellings) {
    test(`GET /openapi/v2 as ${accept} is the Swagger document in protobuf, with the JSON's ETag`, async () => {
      const [pb, json] = await Promise.all([get('/openapi/v2?timeout=32s', accept), get('/openapi/v2')]);
      assert.equal(pb.statusCode, 200);
      assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      assert.deepEqual(pb.rawPayload, Buffer.from(encodeSwaggerProtobuf(json.json())));
      assert.match(pb.headers.etag as string, /^"[0-9A-F]{128}"$/);
      assert.equal(pb.headers.etag, json.headers.etag);
      assert.equal(pb.headers.vary, 'Accept');
    });
  }

  const hashedV3Url = async () => (await get('/openapi/v3')).json().paths['api/v1'].serverRelativeURL as string;
  const revalidated: { name: string; url: () => Promise<string>; accept: string }[] = [
    { name: '/openapi/v2 in protobuf', url: async () => '/openapi/v2', accept: protobufSpellings[0] },
    { name: '/openapi/v2 in JSON', url: async () => '/openapi/v2', accept: 'application/json' },
    { name: 'the /openapi/v3 index', url: async () => '/openapi/v3', accept: 'application/json' },
    { name: 'a hashed /openapi/v3 document', url: hashedV3Url, accept: 'application/json' },
  ];
  for (const tc of revalidated) {
    test(`${tc.name} with a matching If-None-Match is a 304 without a body`, async () => {
      const url = await tc.url();
      const request = (ifNoneMatch?: string) =>
        t.app.inject({
          method: 'GET',
          url,
          headers: { accept: tc.accept, ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) },
        });
      const { etag } = (await request()).headers;
      assert.match(etag as string, /^"[0-9A-F]{128}"$/);
      for (const ifNoneMatch of [etag as string, `W/${etag}`, `"other", ${etag}`, '*']) {
        const res = await request(ifNoneMatch);
        assert.equal(res.statusCode, 304, ifNoneMatch);
        assert.equal(res.payload, '');
        assert.equal(res.headers.etag, etag);
      }
      assert.equal((await request('"0123"')).statusCode, 200);
    });
  }

  const negotiations: { accept: string | undefined; want: ReturnType<typeof negotiateV2> }[] = [
    { accept: undefined, want: 'json' },
    { accept: '*/*', want: 'json' },
    { accept: 'application/json, */*', want: 'json' },
    { accept: `${protobufSpellings[0]}, application/json;q=0.5`, want: 'protobuf' },
    { accept: `application/json;q=0.5, ${protobufSpellings[1]}`, want: 'protobuf' },
    { accept: `${protobufSpellings[1]};q=0, application/json;q=0.1`, want: 'json' },
    { accept: 'application/yaml', want: undefined },
  ];
  for (const tc of negotiations) {
    test(`negotiateV2: Accept ${tc.accept ?? '(none)'} gets ${tc.want ?? 'a 406'}`, () => {
      assert.equal(negotiateV2(tc.accept), tc.want);
    });
  }

  test('GET /openapi/v2 as JSON is one Swagger 2.0 document of every kind', async () => {
    const res = await get('/openapi/v2');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.swagger, '2.0');
    for (const rt of builtinKinds) assert.ok(doc.definitions[componentNameOf(rt)], rt.kind);
    const refs = collectRefs(doc);
    assert.ok(refs.length > 0 && refs.every((r) => r.startsWith('#/definitions/') && doc.definitions[r.slice(14)]));
    const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    assert.deepEqual(
      patch.parameters.find((p: { name: string }) => p.name === 'fieldValidation'),
      {
        name: 'fieldValidation',
        in: 'query',
        description: patch.parameters.find((p: { name: string }) => p.name === 'fieldValidation').description,
        type: 'string',
        uniqueItems: true,
      },
    );
    assert.ok(patch.parameters.some((p: { in: string }) => p.in === 'body'));
  });
});
