/**
 * The Swagger 2.0 document in protobuf: gnostic's `openapi.v2.Document` message
 * (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto), what kube-openapi's handler
 * (k8s.io/kube-openapi/pkg/handler) serves to kubectl and what kubectl 1.27/1.28 validate with
 * (k8s.io/kube-openapi/pkg/util/proto). Field numbers below are that .proto's. Values gnostic
 * keeps as `Any` (defaults, enums, `x-*` extensions) are carried as YAML text; JSON text is
 * YAML, and is what is written.
 */
import { ProtoWriter } from '../protobuf/writer.js';
import type { SwaggerDocument } from './v2.js';

type Json = Record<string, unknown>;

/** Encodes `doc` as an `openapi.v2.Document`. */
export function encodeSwaggerProtobuf(doc: SwaggerDocument): Uint8Array {
  return new ProtoWriter()
    .string(1, doc.swagger)
    .message(2, (info) => info.string(1, doc.info.title).string(2, doc.info.version))
    .message(8, (paths) => {
      for (const [name, item] of Object.entries(doc.paths))
        paths.message(2, (named) => named.string(1, name).message(2, (w) => writePathItem(w, item)));
    })
    .message(9, (definitions) => writeNamedSchemas(definitions, doc.definitions))
    .finish();
}

/** `Definitions` and `Properties` alike: `repeated NamedSchema additional_properties = 1`. */
function writeNamedSchemas(w: ProtoWriter, schemas: Record<string, unknown>): void {
  for (const [name, schema] of Object.entries(schemas))
    w.message(1, (named) => named.string(1, name).message(2, (s) => writeSchema(s, schema as Json)));
}

/** `NamedAny` entries (field `fieldNumber`) of the `x-*` keys of `obj`. */
function writeVendorExtensions(w: ProtoWriter, fieldNumber: number, obj: Json): void {
  for (const [name, value] of Object.entries(obj)) {
    if (name.startsWith('x-'))
      w.message(fieldNumber, (named) => named.string(1, name).message(2, (a) => writeAny(a, value)));
  }
}

/** `Any { string yaml = 2; }`. */
function writeAny(w: ProtoWriter, value: unknown): void {
  w.string(2, JSON.stringify(value));
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const bool = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** `Schema`: the JSON Schema subset Swagger 2.0 allows. */
function writeSchema(w: ProtoWriter, s: Json): void {
  w.string(1, str(s.$ref)).string(2, str(s.format)).string(3, str(s.title)).string(4, str(s.description));
  if (s.default !== undefined) w.message(5, (a) => writeAny(a, s.default));
  w.double(6, num(s.multipleOf))
    .double(7, num(s.maximum))
    .bool(8, bool(s.exclusiveMaximum))
    .double(9, num(s.minimum))
    .bool(10, bool(s.exclusiveMinimum))
    .int64(11, num(s.maxLength))
    .int64(12, num(s.minLength))
    .string(13, str(s.pattern))
    .int64(14, num(s.maxItems))
    .int64(15, num(s.minItems))
    .bool(16, bool(s.uniqueItems))
    .int64(17, num(s.maxProperties))
    .int64(18, num(s.minProperties))
    .strings(19, list(s.required) as string[]);
  for (const value of list(s.enum)) w.message(20, (a) => writeAny(a, value));
  const additional = s.additionalProperties;
  if (typeof additional === 'boolean') w.message(21, (item) => item.bool(2, additional));
  else if (additional && typeof additional === 'object')
    w.message(21, (item) => item.message(1, (sub) => writeSchema(sub, additional as Json)));
  if (s.type !== undefined) w.message(22, (type) => type.strings(1, list(s.type) as string[]));
  if (s.items !== undefined)
    w.message(23, (items) => {
      for (const item of list(s.items)) items.message(1, (sub) => writeSchema(sub, item as Json));
    });
  for (const sub of list(s.allOf)) w.message(24, (m) => writeSchema(m, sub as Json));
  if (s.properties !== undefined) w.message(25, (props) => writeNamedSchemas(props, s.properties as Json));
  w.string(26, str(s.discriminator)).bool(27, bool(s.readOnly));
  if (s.example !== undefined) w.message(30, (a) => writeAny(a, s.example));
  writeVendorExtensions(w, 31, s);
}

/** `PathItem`'s operation fields by HTTP method. */
const operationFields: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function writePathItem(w: ProtoWriter, item: Json): void {
  w.string(1, str(item.$ref));
  for (const [method, fieldNumber] of Object.entries(operationFields)) {
    const op = item[method];
    if (op) w.message(fieldNumber, (o) => writeOperation(o, op as Json));
  }
  for (const param of list(item.parameters)) w.message(9, (p) => writeParametersItem(p, param as Json));
  writeVendorExtensions(w, 10, item);
}

function writeOperation(w: ProtoWriter, op: Json): void {
  w.strings(1, list(op.tags) as string[])
    .string(2, str(op.summary))
    .string(3, str(op.description))
    .string(5, str(op.operationId))
    .strings(6, list(op.produces) as string[])
    .strings(7, list(op.consumes) as string[]);
  for (const param of list(op.parameters)) w.message(8, (p) => writeParametersItem(p, param as Json));
  if (op.responses) w.message(9, (r) => writeResponses(r, op.responses as Json));
  w.strings(10, list(op.schemes) as string[]).bool(11, bool(op.deprecated));
  writeVendorExtensions(w, 13, op);
}

/**
 * Where a non-body parameter's fields go, per `in`: `NonBodyParameter`'s oneof field and the
 * numbers of the sub-schema's fields (query and formData have `allow_empty_value` at 5, shifting
 * the rest by one against header and path).
 */
const nonBodyLayouts: Record<string, { oneof: number; type: number; format: number; uniqueItems: number }> = {
  header: { oneof: 1, type: 5, format: 6, uniqueItems: 19 },
  formData: { oneof: 2, type: 6, format: 7, uniqueItems: 20 },
  query: { oneof: 3, type: 6, format: 7, uniqueItems: 20 },
  path: { oneof: 4, type: 5, format: 6, uniqueItems: 19 },
};

/** `ParametersItem { Parameter parameter = 1; JsonReference json_reference = 2; }`. */
function writeParametersItem(w: ProtoWriter, param: Json): void {
  if (typeof param.$ref === 'string') {
    w.message(2, (ref) => ref.string(1, param.$ref as string).string(2, str(param.description)));
    return;
  }
  w.message(1, (parameter) => {
    if (param.in === 'body') {
      parameter.message(1, (body) => {
        body
          .string(1, str(param.description))
          .string(2, str(param.name))
          .string(3, 'body')
          .bool(4, bool(param.required));
        if (param.schema) body.message(5, (s) => writeSchema(s, param.schema as Json));
        writeVendorExtensions(body, 6, param);
      });
      return;
    }
    const layout = nonBodyLayouts[str(param.in) ?? ''];
    if (!layout) throw new Error(`parameter ${String(param.name)}: unknown location ${String(param.in)}`);
    parameter.message(2, (nonBody) =>
      nonBody.message(layout.oneof, (sub) =>
        sub
          .bool(1, bool(param.required))
          .string(2, str(param.in))
          .string(3, str(param.description))
          .string(4, str(param.name))
          .string(layout.type, str(param.type))
          .string(layout.format, str(param.format))
          .bool(layout.uniqueItems, bool(param.uniqueItems)),
      ),
    );
  });
}

/** `Responses { repeated NamedResponseValue response_code = 1; }`, each a `Response` (oneof field 1). */
function writeResponses(w: ProtoWriter, responses: Json): void {
  for (const [code, response] of Object.entries(responses)) {
    const r = response as Json;
    w.message(1, (named) =>
      named.string(1, code).message(2, (value) =>
        value.message(1, (out) => {
          out.string(1, str(r.description));
          if (r.schema) out.message(2, (item) => item.message(1, (s) => writeSchema(s, r.schema as Json)));
        }),
      ),
    );
  }
}
