/**
 * A tiny protobuf encoder for tests: builds fields byte by byte so tests can hand-craft messages
 * (valid or deliberately odd) without depending on the decoder under test.
 */

/** The base-128 varint of `value` (negative numbers as 64-bit two's complement, as protobuf does). */
export function varintBytes(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return out;
}

function tag(fieldNumber: number, wireType: number): number[] {
  return varintBytes((BigInt(fieldNumber) << 3n) | BigInt(wireType));
}

/** Field encoders: each returns the complete field (key and value). */
export const pb = {
  varint: (fieldNumber: number, value: number | bigint | boolean): Uint8Array =>
    Uint8Array.from([...tag(fieldNumber, 0), ...varintBytes(typeof value === 'boolean' ? Number(value) : value)]),
  bytes: (fieldNumber: number, value: Uint8Array): Uint8Array =>
    Uint8Array.from([...tag(fieldNumber, 2), ...varintBytes(value.length), ...value]),
  string: (fieldNumber: number, value: string): Uint8Array => pb.bytes(fieldNumber, new TextEncoder().encode(value)),
  message: (fieldNumber: number, ...fields: Uint8Array[]): Uint8Array => pb.bytes(fieldNumber, join(...fields)),
  fixed32: (fieldNumber: number): Uint8Array => Uint8Array.from([...tag(fieldNumber, 5), 1, 2, 3, 4]),
  fixed64: (fieldNumber: number): Uint8Array => Uint8Array.from([...tag(fieldNumber, 1), 1, 2, 3, 4, 5, 6, 7, 8]),
  /** One `map<string,string>` entry of field `fieldNumber`. */
  mapEntry: (fieldNumber: number, key: string, value: string): Uint8Array =>
    pb.message(fieldNumber, pb.string(1, key), pb.string(2, value)),
};

/** Concatenates encoded fields into one message. */
export function join(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** A whole request body: `k8s\0` and a `runtime.Unknown` envelope around `raw`. */
export function kubernetesBody(
  apiVersion: string,
  kind: string,
  raw: Uint8Array,
  envelopeExtras: Uint8Array[] = [],
): Buffer {
  const envelope = join(
    pb.message(1, pb.string(1, apiVersion), pb.string(2, kind)),
    pb.bytes(2, raw),
    ...envelopeExtras,
  );
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), envelope]);
}
