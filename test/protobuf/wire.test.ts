import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxNestingDepth, ProtobufDecodeError, ProtoReader, WireType } from '../../src/protobuf/wire.js';
import { pb, join, varintBytes } from './builder.js';

function reader(...bytes: number[]): ProtoReader {
  return new ProtoReader(Uint8Array.from(bytes));
}

function assertDecodeError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtobufDecodeError, `expected ProtobufDecodeError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

const varintCases: { name: string; bytes: number[]; value: bigint }[] = [
  { name: 'zero', bytes: [0x00], value: 0n },
  { name: 'one byte', bytes: [0x7f], value: 127n },
  { name: 'two bytes (300)', bytes: [0xac, 0x02], value: 300n },
  { name: '8080 as kubectl sends it', bytes: [0x90, 0x3f], value: 8080n },
  { name: 'non-minimal encoding of 1', bytes: [0x81, 0x80, 0x00], value: 1n },
  { name: 'max uint64 (ten bytes)', bytes: [...Array(9).fill(0xff), 0x01], value: 2n ** 64n - 1n },
  { name: 'negative int32 -1 as ten bytes', bytes: varintBytes(-1), value: 2n ** 64n - 1n },
];
for (const tc of varintCases) {
  test(`readVarint: ${tc.name}`, () => {
    const r = reader(...tc.bytes);
    assert.equal(r.readVarint(), tc.value);
    assert.equal(r.done, true);
  });
}

const malformedCases: { name: string; bytes: number[]; read: (r: ProtoReader) => unknown; error: RegExp }[] = [
  { name: 'empty varint', bytes: [], read: (r) => r.readVarint(), error: /truncated/ },
  { name: 'truncated varint', bytes: [0x90], read: (r) => r.readVarint(), error: /truncated/ },
  {
    name: 'varint overflowing 64 bits in byte ten',
    bytes: [...Array(9).fill(0xff), 0x02],
    read: (r) => r.readVarint(),
    error: /overflows 64 bits/,
  },
  {
    name: 'varint longer than ten bytes',
    bytes: Array(11).fill(0x80),
    read: (r) => r.readVarint(),
    error: /overflows 64 bits/,
  },
  { name: 'field number 0', bytes: [0x02], read: (r) => r.readTag(), error: /invalid field number 0/ },
  {
    name: 'field number beyond 2^29-1',
    bytes: [...varintBytes(2n ** 32n)],
    read: (r) => r.readTag(),
    error: /invalid field number/,
  },
  { name: 'wire type 6', bytes: [0x0e], read: (r) => r.readTag(), error: /invalid wire type 6/ },
  { name: 'wire type 7', bytes: [0x0f], read: (r) => r.readTag(), error: /invalid wire type 7/ },
  {
    name: 'length beyond the buffer',
    bytes: [0x05, 0x61, 0x62],
    read: (r) => r.readLengthDelimited(),
    error: /length 5 .* exceeds the 2 bytes left/,
  },
  {
    name: 'huge length prefix (4 GiB)',
    bytes: [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00],
    read: (r) => r.readLengthDelimited(),
    error: /length 4294967295 .* exceeds/,
  },
  {
    name: 'length prefix of 2^63',
    bytes: [...varintBytes(2n ** 63n)],
    read: (r) => r.readLengthDelimited(),
    error: /exceeds/,
  },
  { name: 'truncated fixed32', bytes: [1, 2, 3], read: (r) => r.skip(WireType.Fixed32), error: /truncated/ },
  {
    name: 'truncated fixed64',
    bytes: [1, 2, 3, 4, 5, 6, 7],
    read: (r) => r.skip(WireType.Fixed64),
    error: /truncated/,
  },
  { name: 'start group', bytes: [], read: (r) => r.skip(WireType.StartGroup), error: /group fields/ },
  { name: 'end group', bytes: [], read: (r) => r.skip(WireType.EndGroup), error: /group fields/ },
];
for (const tc of malformedCases) {
  test(`malformed input throws ProtobufDecodeError: ${tc.name}`, () => {
    assertDecodeError(() => tc.read(reader(...tc.bytes)), tc.error);
  });
}

test('readTag splits the key into field number and wire type', () => {
  const r = reader(0x12, 0x00, ...varintBytes((536870911n << 3n) | 5n));
  assert.deepEqual(r.readTag(), { fieldNumber: 2, wireType: WireType.LengthDelimited });
  r.readLengthDelimited();
  assert.deepEqual(r.readTag(), { fieldNumber: 536870911, wireType: WireType.Fixed32 });
});

test('readLengthDelimited returns exactly the payload and moves past it', () => {
  const r = new ProtoReader(join(pb.string(1, 'web'), pb.varint(2, 80)));
  assert.deepEqual(r.readTag(), { fieldNumber: 1, wireType: WireType.LengthDelimited });
  assert.equal(Buffer.from(r.readLengthDelimited()).toString(), 'web');
  assert.deepEqual(r.readTag(), { fieldNumber: 2, wireType: WireType.Varint });
  assert.equal(r.readVarint(), 80n);
  assert.equal(r.done, true);
});

test('skip passes over every supported wire type and leaves the reader on the next field', () => {
  const r = new ProtoReader(
    join(pb.varint(1, 2n ** 63n), pb.fixed64(2), pb.string(3, 'ignored'), pb.fixed32(4), pb.string(5, 'kept')),
  );
  for (let i = 0; i < 4; i++) r.skip(r.readTag().wireType);
  assert.deepEqual(r.readTag(), { fieldNumber: 5, wireType: WireType.LengthDelimited });
  assert.equal(Buffer.from(r.readLengthDelimited()).toString(), 'kept');
  assert.equal(r.done, true);
});

test('an empty message is done at once', () => {
  assert.equal(reader().done, true);
});

test('nesting deeper than maxNestingDepth throws instead of recursing', () => {
  // 100 messages, each the only field (1) of the one around it.
  let bytes: Uint8Array = new Uint8Array();
  for (let i = 0; i < 100; i++) bytes = pb.bytes(1, bytes);
  const descend = (r: ProtoReader): number => {
    if (r.done) return r.depth;
    r.readTag();
    return descend(r.nested(r.readLengthDelimited()));
  };
  assertDecodeError(() => descend(new ProtoReader(bytes)), new RegExp(`more than ${maxNestingDepth} levels`));
});

test('nesting up to maxNestingDepth is allowed', () => {
  assert.equal(new ProtoReader(new Uint8Array(), maxNestingDepth).depth, maxNestingDepth);
  assertDecodeError(() => new ProtoReader(new Uint8Array(), maxNestingDepth + 1), /nested more than/);
});
