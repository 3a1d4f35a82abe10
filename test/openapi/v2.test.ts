import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildV3Documents } from '../../src/openapi/document.js';
import { toSwagger } from '../../src/openapi/v2.js';
import { encodeSwaggerProtobuf } from '../../src/openapi/v2-protobuf.js';
import { ProtoReader, WireType } from '../../src/protobuf/wire.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';

const swagger = toSwagger([...buildV3Documents(builtinKinds).values()].map((d) => d.document));

/** A decoded message: every field's values by number (varints as bigint, length-delimited as bytes). */
type Fields = Map<number, (bigint | Uint8Array)[]>;

function decode(bytes: Uint8Array): Fields {
  const reader = new ProtoReader(bytes);
  const fields: Fields = new Map();
  while (!reader.done) {
    const { fieldNumber, wireType } = reader.readTag();
    const value = wireType === WireType.Varint ? reader.readVarint() : reader.readLengthDelimited();
    fields.set(fieldNumber, [...(fields.get(fieldNumber) ?? []), value]);
  }
  return fields;
}

const text = (m: Fields, n: number): string | undefined => {
  const value = m.get(n)?.[0];
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;
};
const texts = (m: Fields, n: number): string[] =>
  (m.get(n) ?? []).map((v) => new TextDecoder().decode(v as Uint8Array));
const messages = (m: Fields, n: number): Fields[] => (m.get(n) ?? []).map((v) => decode(v as Uint8Array));
const message = (m: Fields, n: number): Fields => {
  const [only] = messages(m, n);
  assert.ok(only, `no field ${n}`);
  return only;
};

/** `repeated NamedX` entries as a map from name (field 1) to value (field 2). */
function named(m: Fields, n: number): Map<string, Fields> {
  return new Map(messages(m, n).map((entry) => [text(entry, 1) ?? '', message(entry, 2)]));
}

/** Vendor extensions (`NamedAny`, field `n`) as parsed values: their YAML is JSON text. */
function extensions(m: Fields, n: number): Record<string, unknown> {
  return Object.fromEntries(
    [...named(m, n)].map(([name, any]) => [name, JSON.parse(text(any, 2) ?? 'null') as unknown]),
  );
}

const document = decode(encodeSwaggerProtobuf(swagger));
const definitions = named(message(document, 9), 1);
const definition = (name: string): Fields => {
  const schema = definitions.get(name);
  assert.ok(schema, `no definition ${name}`);
  return schema;
};
const properties = (schema: Fields) => named(message(schema, 25), 1);

test('v2 JSON: described references are $ref with siblings, and no oneOf or allOf remains', () => {
  const json = JSON.stringify(swagger);
  assert.doesNotMatch(json, /"(allOf|oneOf)"/);
  const pod = swagger.definitions['io.k8s.api.core.v1.Pod'] as { properties: Record<string, Record<string, unknown>> };
  assert.equal(pod.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(typeof pod.properties.metadata.description, 'string');
});

test('protobuf: the document header and every definition, by name', () => {
  assert.equal(text(document, 1), '2.0');
  assert.equal(text(message(document, 2), 1), 'Kubernetes');
  assert.deepEqual([...definitions.keys()], Object.keys(swagger.definitions));
});

test('protobuf: a kind carries type, properties, $ref with description and its group-version-kind', () => {
  const pod = definition('io.k8s.api.core.v1.Pod');
  assert.deepEqual(texts(message(pod, 22), 1), ['object']);
  const fields = properties(pod);
  assert.deepEqual([...fields.keys()].sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const metadata = fields.get('metadata');
  assert.ok(metadata);
  assert.equal(text(metadata, 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.ok(text(metadata, 4));
  assert.deepEqual(extensions(pod, 31)['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
});

test('protobuf: arrays hold one item schema and required lists survive', () => {
  const spec = definition('io.k8s.api.core.v1.PodSpec');
  assert.deepEqual(texts(spec, 19), (swagger.definitions['io.k8s.api.core.v1.PodSpec'].required as string[]) ?? []);
  const containers = properties(spec).get('containers');
  assert.ok(containers);
  assert.deepEqual(texts(message(containers, 22), 1), ['array']);
  const [item] = messages(message(containers, 23), 1);
  assert.equal(text(item, 1), '#/definitions/io.k8s.api.core.v1.Container');
});

test('protobuf: operations carry their parameters by location, responses and extensions', () => {
  const paths = named(message(document, 8), 2);
  assert.equal(paths.size, Object.keys(swagger.paths).length);
  const pods = paths.get('/api/v1/namespaces/{namespace}/pods');
  assert.ok(pods);
  const post = message(pods, 4);
  assert.equal(text(post, 5), 'createCoreV1NamespacedPod');
  const params = messages(post, 8).map((item) => message(item, 1));
  const query = params.filter((p) => p.has(2)).map((p) => message(message(p, 2), 3));
  assert.ok(query.some((q) => text(q, 4) === 'fieldValidation' && text(q, 2) === 'query' && text(q, 6) === 'string'));
  const [body] = params.filter((p) => p.has(1)).map((p) => message(p, 1));
  assert.equal(text(body, 3), 'body');
  assert.equal(text(message(body, 5), 1), '#/definitions/io.k8s.api.core.v1.Pod');
  const ext = extensions(post, 13);
  assert.equal(ext['x-kubernetes-action'], 'post');
  assert.deepEqual(ext['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
  const responses = named(message(post, 9), 1);
  const created = responses.get('201');
  assert.ok(created);
  assert.equal(text(message(message(message(created, 1), 2), 1), 1), '#/definitions/io.k8s.api.core.v1.Pod');
  const pathParams = messages(pods, 9).map((item) => message(message(item, 1), 2));
  assert.ok(pathParams.some((p) => p.has(4) && text(message(p, 4), 4) === 'namespace'));
});
