/**
 * The Swagger 2.0 (`/openapi/v2`) rendition of the v3 documents. It is served as JSON, and in
 * protobuf (`v2-protobuf.ts`) to kubectl, which asks for that alone.
 */
import type { OpenApiV3Document } from './document.js';
import type { OpenApiSchema } from './schema.js';

type Json = Record<string, unknown>;

/** A Swagger 2.0 document. */
export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, Json>;
  definitions: Record<string, OpenApiSchema>;
}

/** Merges v3 group-version documents into one Swagger 2.0 document. */
export function toSwagger(documents: readonly OpenApiV3Document[]): SwaggerDocument {
  const out: SwaggerDocument = {
    swagger: '2.0',
    info: documents[0]?.info ?? { title: 'Kubernetes', version: '' },
    paths: {},
    definitions: {},
  };
  for (const doc of documents) {
    for (const [path, item] of Object.entries(doc.paths)) out.paths[path] = convertPathItem(item);
    for (const [name, schema] of Object.entries(doc.components.schemas)) out.definitions[name] = toV2Schema(schema);
  }
  // v2 keeps schemas under `definitions`; the reference text is the only place the old prefix occurs.
  return JSON.parse(JSON.stringify(out).replaceAll('"#/components/schemas/', '"#/definitions/')) as SwaggerDocument;
}

/**
 * Swagger 2.0 has no `oneOf`: the int-or-string and quantity unions are strings there, as in
 * upstream's v2. A described reference (`allOf: [{$ref}]` in v3, where siblings of `$ref` are
 * ignored) is a `$ref` with siblings in v2, as kube-openapi writes it and as kubectl's v2 model
 * (k8s.io/kube-openapi/pkg/util/proto) expects: it reads `$ref` and nothing of `allOf`.
 */
function toV2Schema(schema: OpenApiSchema): OpenApiSchema {
  const { oneOf, allOf, properties, items, additionalProperties, ...rest } = schema;
  const out: OpenApiSchema = oneOf ? { ...rest, type: 'string' } : rest;
  const parts = allOf as OpenApiSchema[] | undefined;
  if (parts?.length === 1 && typeof parts[0].$ref === 'string') Object.assign(out, parts[0]);
  else if (parts) out.allOf = parts.map(toV2Schema);
  if (properties)
    out.properties = Object.fromEntries(
      Object.entries(properties as Record<string, OpenApiSchema>).map(([key, sub]) => [key, toV2Schema(sub)]),
    );
  if (items) out.items = toV2Schema(items as OpenApiSchema);
  if (additionalProperties !== undefined)
    out.additionalProperties =
      typeof additionalProperties === 'object'
        ? toV2Schema(additionalProperties as OpenApiSchema)
        : additionalProperties;
  return out;
}

function convertPathItem(item: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(item)) {
    out[key] = key === 'parameters' ? (value as Json[]).map(convertParameter) : convertOperation(value as Json);
  }
  return out;
}

/** v3 parameters describe their type in `schema`; v2 ones carry it directly. */
function convertParameter(param: Json): Json {
  const { schema, ...rest } = param;
  return { ...rest, ...(schema as Json) };
}

function convertOperation(op: Json): Json {
  const { requestBody, responses, parameters, ...rest } = op;
  const out: Json = {
    ...rest,
    parameters: ((parameters as Json[] | undefined) ?? []).map(convertParameter),
    produces: ['application/json', 'application/yaml'],
  };
  const body = requestBody as { content: Record<string, { schema: OpenApiSchema }> } | undefined;
  if (body) {
    const types = Object.keys(body.content);
    out.consumes = types;
    (out.parameters as Json[]).push({
      name: 'body',
      in: 'body',
      required: true,
      schema: body.content[types[0]].schema,
    });
  }
  out.responses = Object.fromEntries(
    Object.entries(
      responses as Record<string, { description: string; content?: Record<string, { schema: OpenApiSchema }> }>,
    ).map(([code, r]) => [
      code,
      r.content
        ? { description: r.description, schema: Object.values(r.content)[0].schema }
        : { description: r.description },
    ]),
  );
  return out;
}
