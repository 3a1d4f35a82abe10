/**
 * Decodes the `application/vnd.kubernetes.protobuf` request bodies kubectl ≥ 1.32 sends from its
 * typed clients (`kubectl create namespace|service|ingress`): the `k8s\0` magic, then a
 * `runtime.Unknown` envelope whose `raw` holds the object's own message.
 */
import { decodeMessage, field, message, type MessageDescriptor } from './messages.js';
import { ProtoReader, ProtobufDecodeError, WireType } from './wire.js';

export { ProtobufDecodeError } from './wire.js';

/** The body is well-formed but its kind has no protobuf decoder here: the caller should answer 415. */
export class UnsupportedProtobufKind extends Error {
  override readonly name = 'UnsupportedProtobufKind';

  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`protobuf request bodies are not supported for ${kind} (${apiVersion}); send JSON or YAML`);
  }
}

/** A decoded body: the envelope's type and the object as JSON, with `apiVersion` and `kind` set. */
export interface DecodedProtobufObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** The four bytes every Kubernetes protobuf body starts with. */
const kubernetesProtobufMagic = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** Content types an envelope may declare for `raw`: unset, or protobuf itself. */
const protobufContentTypes = new Set(['', 'application/vnd.kubernetes.protobuf']);

const TypeMeta = message('TypeMeta', [field(1, 'apiVersion', 'string'), field(2, 'kind', 'string')]);

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The message of the type an envelope names (`v1`, `Service`), or undefined when it has none here. */
export type MessageLookup = (apiVersion: string, kind: string) => MessageDescriptor | undefined;

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/**
 * Decodes a Kubernetes protobuf request body into the JSON object Go would print for it. Throws
 * `ProtobufDecodeError` (answer 400) when the magic is missing, the envelope or object is
 * malformed, the envelope lacks `apiVersion`/`kind`, or `raw` is compressed or not protobuf; throws
 * `UnsupportedProtobufKind` (answer 415) for a type `messageOf` has no message for (each kind
 * declares its own: `ResourceType.protobuf`).
 */
export function decodeKubernetesProtobuf(body: Uint8Array, messageOf: MessageLookup): DecodedProtobufObject {
  if (!startsWithMagic(body))
    throw new ProtobufDecodeError('the body is not a Kubernetes protobuf message: the "k8s\\0" prefix is missing');
  const envelope = readEnvelope(body.subarray(kubernetesProtobufMagic.length));
  const { apiVersion, kind } = envelope;
  if (!apiVersion || !kind)
    throw new ProtobufDecodeError('the protobuf envelope does not name the apiVersion and kind of its object');
  if (envelope.contentEncoding !== '')
    throw new ProtobufDecodeError(`unsupported protobuf contentEncoding "${envelope.contentEncoding}"`);
  if (!protobufContentTypes.has(envelope.contentType)) {
    throw new ProtobufDecodeError(`unsupported protobuf envelope contentType "${envelope.contentType}"`);
  }
  const desc = messageOf(apiVersion, kind);
  if (!desc) throw new UnsupportedProtobufKind(apiVersion, kind);
  // `kind` first, as Go prints TypeMeta.
  return { apiVersion, kind, object: { kind, apiVersion, ...decodeMessage(desc, envelope.raw, 1) } };
}

function startsWithMagic(body: Uint8Array): boolean {
  return body.length >= kubernetesProtobufMagic.length && kubernetesProtobufMagic.every((byte, i) => body[i] === byte);
}

/** Reads `runtime.Unknown{typeMeta: 1, raw: 2, contentEncoding: 3, contentType: 4}`; other fields are skipped. */
function readEnvelope(bytes: Uint8Array): Envelope {
  const envelope: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const { fieldNumber, wireType } = reader.readTag();
    if (fieldNumber > 4) {
      reader.skip(wireType);
      continue;
    }
    if (wireType !== WireType.LengthDelimited)
      throw new ProtobufDecodeError(`runtime.Unknown field ${fieldNumber} has wire type ${wireType}`);
    const value = reader.readLengthDelimited();
    if (fieldNumber === 1) Object.assign(envelope, decodeMessage(TypeMeta, value, 1));
    else if (fieldNumber === 2) envelope.raw = value;
    else if (fieldNumber === 3) envelope.contentEncoding = utf8.decode(value);
    else envelope.contentType = utf8.decode(value);
  }
  return envelope;
}
