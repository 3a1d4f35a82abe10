/**
 * A minimal protobuf wire-format writer, the counterpart of `wire.ts`'s reader: varints,
 * length-delimited strings and messages, and 64-bit doubles. Fields holding proto3 default values
 * (empty string, false, 0) are left out, as proto3 encoders do.
 */
import { WireType } from './wire.js';

const utf8 = new TextEncoder();

/** Builds one message, field by field; `finish()` returns its bytes. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /** A `string` field; the empty string is omitted. */
  string(fieldNumber: number, value: string | undefined): this {
    if (value) this.lengthDelimited(fieldNumber, utf8.encode(value));
    return this;
  }

  /** A `repeated string` field, one entry per value (empty strings included, as repeated fields keep them). */
  strings(fieldNumber: number, values: readonly string[] | undefined): this {
    for (const value of values ?? []) this.lengthDelimited(fieldNumber, utf8.encode(value));
    return this;
  }

  /** A `bool` field; false is omitted. */
  bool(fieldNumber: number, value: boolean | undefined): this {
    if (value) this.tag(fieldNumber, WireType.Varint).varint(1);
    return this;
  }

  /** An `int64` field of a non-negative integer; 0 is omitted. */
  int64(fieldNumber: number, value: number | undefined): this {
    if (value) {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative integer: ${value}`);
      this.tag(fieldNumber, WireType.Varint).varint(value);
    }
    return this;
  }

  /** A `double` field (little-endian IEEE 754); 0 is omitted. */
  double(fieldNumber: number, value: number | undefined): this {
    if (value) {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value, true);
      this.tag(fieldNumber, WireType.Fixed64).push(bytes);
    }
    return this;
  }

  /** An embedded message written by `build`; it is kept even when empty (its presence is information). */
  message(fieldNumber: number, build: (writer: ProtoWriter) => void): this {
    const nested = new ProtoWriter();
    build(nested);
    return this.lengthDelimited(fieldNumber, nested.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private lengthDelimited(fieldNumber: number, bytes: Uint8Array): this {
    return this.tag(fieldNumber, WireType.LengthDelimited).varint(bytes.length).push(bytes);
  }

  private tag(fieldNumber: number, wireType: WireType): this {
    return this.varint(fieldNumber * 8 + wireType);
  }

  /** A base-128 varint of a non-negative safe integer (arithmetic, not bit operators, past 32 bits). */
  private varint(value: number): this {
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    return this.push(Uint8Array.from(bytes));
  }

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }
}
