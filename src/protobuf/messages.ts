/**
 * Declarative descriptors of the Kubernetes protobuf messages every kind shares (ObjectMeta and
 * friends; each kind declares its own message in its folder, `kinds/<kind>/protobuf.ts`), and
 * a decoder that turns one into exactly the JSON Go's `encoding/json` would print for the same
 * object. Field numbers come from the upstream `generated.proto` files; the Go field shapes (value
 * or pointer, `omitempty` or not, inline) from the `types.go` JSON tags, because they decide what an
 * unset field looks like in JSON: absent, `null`, `""`, `0` or `{}`.
 */
import { ProtoReader, ProtobufDecodeError, WireType, type FieldTag } from './wire.js';

/** Wire scalars. */
type ScalarType = 'string' | 'int32' | 'int64' | 'bool';

/**
 * Types with their own JSON form: `metav1.Time` (RFC 3339, seconds), `intstr.IntOrString` (a number
 * or a string), `metav1.FieldsV1` (embedded raw JSON) and `map<string,string>`.
 */
type SpecialType = 'time' | 'intOrString' | 'fieldsV1' | 'stringMap';

export type FieldType = ScalarType | SpecialType | MessageDescriptor;

/**
 * The Go shape of a field, spelled like its struct tag: `pointer` is a `*T` (absent stays absent or
 * `null`), `repeated` a slice (empty is `nil`), `omitempty` drops zero scalars and nil
 * slices/maps/pointers, `inline` merges an embedded struct's fields into the parent object.
 */
export type FieldFlags =
  '' | 'omitempty' | 'pointer' | 'pointer omitempty' | 'repeated' | 'repeated omitempty' | 'inline';

/** One field of a message. */
export interface FieldDescriptor {
  number: number;
  json: string;
  type: FieldType;
  pointer: boolean;
  repeated: boolean;
  omitEmpty: boolean;
  inline: boolean;
}

/** A message: its fields in Go struct order (the JSON key order). */
export interface MessageDescriptor {
  name: string;
  fields: readonly FieldDescriptor[];
  byNumber: ReadonlyMap<number, FieldDescriptor>;
}

/** Describes field `number`, printed as `json`, of `type`, with Go shape `flags`. */
export function field(number: number, json: string, type: FieldType, flags: FieldFlags = ''): FieldDescriptor {
  const words = flags.split(' ');
  return {
    number,
    json,
    type,
    pointer: words.includes('pointer'),
    repeated: words.includes('repeated') || type === 'stringMap',
    omitEmpty: words.includes('omitempty'),
    inline: words.includes('inline'),
  };
}

/** Describes message `name` made of `fields`. */
export function message(name: string, fields: FieldDescriptor[]): MessageDescriptor {
  return { name, fields, byNumber: new Map(fields.map((f) => [f.number, f])) };
}

// ---- k8s.io/apimachinery ------------------------------------------------------------------------

const TimeMessage = message('Time', [field(1, 'seconds', 'int64'), field(2, 'nanos', 'int32')]);
const IntOrStringMessage = message('IntOrString', [
  field(1, 'type', 'int64'),
  field(2, 'intVal', 'int32'),
  field(3, 'strVal', 'string'),
]);
const FieldsV1Message = message('FieldsV1', [field(1, 'Raw', 'string')]);
const MapEntryMessage = message('MapEntry', [field(1, 'key', 'string'), field(2, 'value', 'string')]);

const OwnerReference = message('OwnerReference', [
  field(5, 'apiVersion', 'string'),
  field(1, 'kind', 'string'),
  field(3, 'name', 'string'),
  field(4, 'uid', 'string'),
  field(6, 'controller', 'bool', 'pointer omitempty'),
  field(7, 'blockOwnerDeletion', 'bool', 'pointer omitempty'),
]);

const ManagedFieldsEntry = message('ManagedFieldsEntry', [
  field(1, 'manager', 'string', 'omitempty'),
  field(2, 'operation', 'string', 'omitempty'),
  field(3, 'apiVersion', 'string', 'omitempty'),
  field(4, 'time', 'time', 'pointer omitempty'),
  field(6, 'fieldsType', 'string', 'omitempty'),
  field(7, 'fieldsV1', 'fieldsV1', 'pointer omitempty'),
  field(8, 'subresource', 'string', 'omitempty'),
]);

export const ObjectMeta = message('ObjectMeta', [
  field(1, 'name', 'string', 'omitempty'),
  field(2, 'generateName', 'string', 'omitempty'),
  field(3, 'namespace', 'string', 'omitempty'),
  field(4, 'selfLink', 'string', 'omitempty'),
  field(5, 'uid', 'string', 'omitempty'),
  field(6, 'resourceVersion', 'string', 'omitempty'),
  field(7, 'generation', 'int64', 'omitempty'),
  field(8, 'creationTimestamp', 'time', 'omitempty'),
  field(9, 'deletionTimestamp', 'time', 'pointer omitempty'),
  field(10, 'deletionGracePeriodSeconds', 'int64', 'pointer omitempty'),
  field(11, 'labels', 'stringMap', 'omitempty'),
  field(12, 'annotations', 'stringMap', 'omitempty'),
  field(13, 'ownerReferences', OwnerReference, 'repeated omitempty'),
  field(14, 'finalizers', 'string', 'repeated omitempty'),
  field(17, 'managedFields', ManagedFieldsEntry, 'repeated omitempty'),
]);

export const Condition = message('Condition', [
  field(1, 'type', 'string'),
  field(2, 'status', 'string'),
  field(3, 'observedGeneration', 'int64', 'omitempty'),
  field(4, 'lastTransitionTime', 'time'),
  field(5, 'reason', 'string'),
  field(6, 'message', 'string'),
]);

// ---- k8s.io/api/core/v1 types several kinds use -------------------------------------------------

export const TypedLocalObjectReference = message('TypedLocalObjectReference', [
  field(1, 'apiGroup', 'string', 'pointer'),
  field(2, 'kind', 'string'),
  field(3, 'name', 'string'),
]);

// ---- decoding -----------------------------------------------------------------------------------

/** The raw values a message carried for one field, in wire order: varints or payloads. */
type Occurrences = (bigint | Uint8Array)[];

/** Marks a field Go's JSON encoder would leave out. */
const omitted = Symbol('omitted');

/** Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds: it prints as `null`. */
const goZeroTimeSeconds = -62135596800;

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Decodes a protobuf message of type `desc` into the JSON object Go's `encoding/json` would print
 * for it. Unknown fields are skipped; a malformed message, a known field with the wrong wire type,
 * or a value JSON cannot carry (int64 beyond 2^53, bad IntOrString type, bad FieldsV1 JSON) throws
 * `ProtobufDecodeError`. `depth` is how deep `bytes` already sits inside other messages.
 */
export function decodeMessage(desc: MessageDescriptor, bytes: Uint8Array, depth = 0): Record<string, unknown> {
  return decodeFrom(desc, new ProtoReader(bytes, depth));
}

function decodeFrom(desc: MessageDescriptor, reader: ProtoReader): Record<string, unknown> {
  const occurrences = collectFields(desc, reader);
  const json: Record<string, unknown> = {};
  for (const f of desc.fields) {
    const found = occurrences.get(f.number) ?? [];
    if (f.inline) {
      Object.assign(json, decodeNested(f.type as MessageDescriptor, concat(found), reader));
      continue;
    }
    const value = fieldJson(f, found, reader);
    if (value !== omitted) json[f.json] = value;
  }
  return json;
}

/** Decodes `bytes`, a message embedded in the one `parent` reads, one level deeper. */
function decodeNested(desc: MessageDescriptor, bytes: Uint8Array, parent: ProtoReader): Record<string, unknown> {
  return decodeFrom(desc, parent.nested(bytes));
}

/** Reads every field of the message, keeping the known ones' raw values and skipping the rest. */
function collectFields(desc: MessageDescriptor, reader: ProtoReader): Map<number, Occurrences> {
  const found = new Map<number, Occurrences>();
  while (!reader.done) {
    const tag = reader.readTag();
    const f = desc.byNumber.get(tag.fieldNumber);
    if (!f) {
      reader.skip(tag.wireType);
      continue;
    }
    const raw = readRaw(desc, f, tag, reader);
    const list = found.get(f.number);
    if (list) list.push(raw);
    else found.set(f.number, [raw]);
  }
  return found;
}

function readRaw(desc: MessageDescriptor, f: FieldDescriptor, tag: FieldTag, reader: ProtoReader): bigint | Uint8Array {
  const expected = isVarintType(f.type) ? WireType.Varint : WireType.LengthDelimited;
  if (tag.wireType !== expected) {
    throw new ProtobufDecodeError(
      `${desc.name}.${f.json} (field ${f.number}) has wire type ${tag.wireType}, expected ${expected}`,
    );
  }
  return expected === WireType.Varint ? reader.readVarint() : reader.readLengthDelimited();
}

function isVarintType(type: FieldType): boolean {
  return type === 'int32' || type === 'int64' || type === 'bool';
}

/** The JSON of one field from its occurrences, or `omitted`, following Go's rules for its shape. */
function fieldJson(f: FieldDescriptor, found: Occurrences, reader: ProtoReader): unknown {
  // A nil slice, map or pointer: dropped by omitempty, else `null`.
  if (found.length === 0 && (f.repeated || f.pointer)) return f.omitEmpty ? omitted : null;
  if (f.repeated && f.type !== 'stringMap') return found.map((one) => valueJson(f.type, [one], reader));
  const value = valueJson(f.type, found, reader);
  // omitempty drops zero scalars only: Go never omits a struct (Time, IntOrString, messages).
  if (f.omitEmpty && !f.pointer && isScalar(f.type) && (value === '' || value === 0 || value === false)) return omitted;
  return value;
}

function isScalar(type: FieldType): type is ScalarType {
  return type === 'string' || type === 'int32' || type === 'int64' || type === 'bool';
}

/**
 * The JSON of a single (non-repeated) value. For scalars and Time the last occurrence wins; an
 * embedded message seen several times is the merge of all of them, as protobuf specifies.
 */
function valueJson(type: FieldType, found: Occurrences, reader: ProtoReader): unknown {
  const last = found[found.length - 1];
  switch (type) {
    case 'string':
      return last === undefined ? '' : utf8.decode(last as Uint8Array);
    case 'int32':
      return last === undefined ? 0 : Number(BigInt.asIntN(32, last as bigint));
    case 'int64':
      return last === undefined ? 0 : int64Json(last as bigint);
    case 'bool':
      return last !== undefined && last !== 0n;
    case 'time':
      return timeJson((last as Uint8Array | undefined) ?? new Uint8Array(), reader);
    case 'intOrString':
      return intOrStringJson(concat(found), reader);
    case 'fieldsV1':
      return fieldsV1Json(concat(found), reader);
    case 'stringMap':
      return stringMapJson(found, reader);
    default:
      return decodeNested(type, concat(found), reader);
  }
}

function int64Json(raw: bigint): number {
  const value = BigInt.asIntN(64, raw);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufDecodeError(`int64 value ${value} cannot be represented exactly in JSON here`);
  }
  return Number(value);
}

/**
 * `metav1.Time`: an empty message is the zero time, printed `null`; otherwise RFC 3339 in UTC at
 * second precision (upstream drops `nanos` when decoding protobuf).
 */
function timeJson(bytes: Uint8Array, reader: ProtoReader): string | null {
  if (bytes.length === 0) return null;
  const { seconds } = decodeNested(TimeMessage, bytes, reader) as { seconds: number };
  if (seconds === goZeroTimeSeconds) return null;
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new ProtobufDecodeError(`time ${seconds}s is outside the years 0000-9999`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `intstr.IntOrString`: type 0 prints `intVal`, type 1 `strVal`; any other type is an error, as in Go. */
function intOrStringJson(bytes: Uint8Array, reader: ProtoReader): number | string {
  const v = decodeNested(IntOrStringMessage, bytes, reader) as { type: number; intVal: number; strVal: string };
  if (v.type === 0) return v.intVal;
  if (v.type === 1) return v.strVal;
  throw new ProtobufDecodeError(`IntOrString has invalid type ${v.type}`);
}

/** `metav1.FieldsV1`: its `Raw` bytes are JSON, embedded as is; a missing `Raw` prints `null`. */
function fieldsV1Json(bytes: Uint8Array, reader: ProtoReader): unknown {
  const raw = collectFields(FieldsV1Message, reader.nested(bytes)).get(1)?.at(-1) as Uint8Array | undefined;
  if (raw === undefined) return null;
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    throw new ProtobufDecodeError('FieldsV1 does not hold valid JSON');
  }
}

/** `map<string,string>`: entries `{1: key, 2: value}`; a repeated key keeps its last value; keys print sorted, as Go does. */
function stringMapJson(found: Occurrences, reader: ProtoReader): Record<string, string> {
  const entries = new Map<string, string>();
  for (const entry of found) {
    const { key, value } = decodeNested(MapEntryMessage, entry as Uint8Array, reader) as Record<string, string>;
    entries.set(key, value);
  }
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function concat(found: Occurrences): Uint8Array {
  if (found.length === 1) return found[0] as Uint8Array;
  return Buffer.concat(found as Uint8Array[]);
}
