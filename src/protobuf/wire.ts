/**
 * A minimal, defensive protobuf wire-format reader: varints, length-delimited fields, fixed32/64
 * skipping. Every read is bounds-checked against the buffer and nesting is depth-limited, so any
 * malformed input ends in a `ProtobufDecodeError` and never in a read past the end or a deep stack.
 */

/** The input is not a well-formed protobuf message (truncated, bad varint, bad tag, too deep…). */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** How many messages deep a reader may go; the kinds decoded here nest about ten levels. */
export const maxNestingDepth = 32;

/** The wire types of the protobuf encoding. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** A field key: which field follows and how it is encoded. */
export interface FieldTag {
  fieldNumber: number;
  wireType: WireType;
}

const maxFieldNumber = 2 ** 29 - 1;
const maxVarintBytes = 10;

/** Reads one protobuf message from `bytes`, front to back. */
export class ProtoReader {
  private offset = 0;

  /** `depth` counts the messages enclosing this one; beyond `maxNestingDepth` construction throws. */
  constructor(
    private readonly bytes: Uint8Array,
    readonly depth = 0,
  ) {
    if (depth > maxNestingDepth)
      throw new ProtobufDecodeError(`messages are nested more than ${maxNestingDepth} levels deep`);
  }

  /** Whether the whole message has been read. */
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** Reads a field key; field number 0, numbers beyond 2^29-1 and wire types 6 and 7 are errors. */
  readTag(): FieldTag {
    const key = this.readVarint();
    const fieldNumber = key >> 3n;
    const wireType = Number(key & 7n);
    if (fieldNumber === 0n || fieldNumber > BigInt(maxFieldNumber)) {
      throw new ProtobufDecodeError(`invalid field number ${fieldNumber} at byte ${this.offset}`);
    }
    if (wireType > WireType.Fixed32)
      throw new ProtobufDecodeError(`invalid wire type ${wireType} at byte ${this.offset}`);
    return { fieldNumber: Number(fieldNumber), wireType: wireType as WireType };
  }

  /** Reads a base-128 varint as an unsigned 64-bit value; more than 64 bits is an error. */
  readVarint(): bigint {
    let value = 0n;
    for (let i = 0; i < maxVarintBytes - 1; i++) {
      const byte = this.take(1)[0];
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if (byte < 0x80) return value;
    }
    // The tenth byte holds only bit 63: anything above 1 overflows 64 bits or continues past ten bytes.
    const last = this.take(1)[0];
    if (last > 1) throw new ProtobufDecodeError(`varint overflows 64 bits at byte ${this.offset}`);
    return value | (BigInt(last) << 63n);
  }

  /** Reads a length-prefixed payload (a view, not a copy); the length must fit in what is left. */
  readLengthDelimited(): Uint8Array {
    const length = this.readVarint();
    if (length > BigInt(this.remaining)) {
      throw new ProtobufDecodeError(`length ${length} at byte ${this.offset} exceeds the ${this.remaining} bytes left`);
    }
    return this.take(Number(length));
  }

  /** Skips the value of a field this reader's caller does not know. Groups (deprecated, never sent by Kubernetes) are errors. */
  skip(wireType: WireType): void {
    switch (wireType) {
      case WireType.Varint:
        this.readVarint();
        return;
      case WireType.Fixed64:
        this.take(8);
        return;
      case WireType.LengthDelimited:
        this.readLengthDelimited();
        return;
      case WireType.Fixed32:
        this.take(4);
        return;
      default:
        throw new ProtobufDecodeError(`group fields (wire type ${wireType}) are not supported`);
    }
  }

  /** A reader for a message embedded in this one, one level deeper. */
  nested(bytes: Uint8Array): ProtoReader {
    return new ProtoReader(bytes, this.depth + 1);
  }

  private get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(count: number): Uint8Array {
    if (count > this.remaining) {
      throw new ProtobufDecodeError(
        `truncated message: needed ${count} bytes at byte ${this.offset}, ${this.remaining} left`,
      );
    }
    const view = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return view;
  }
}
