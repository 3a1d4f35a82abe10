import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../../src/protobuf/writer.js';
import { ProtoReader, WireType } from '../../src/protobuf/wire.js';
import { join, pb } from './builder.js';

/** Each case writes with the writer under test and with the independent test builder; the bytes must match. */
const cases: { name: string; write: (w: ProtoWriter) => void; expected: Uint8Array }[] = [
  { name: 'varint 150 (the protobuf guide example)', write: (w) => w.int64(1, 150), expected: pb.varint(1, 150) },
  { name: 'varint beyond 32 bits', write: (w) => w.int64(3, 2 ** 40 + 5), expected: pb.varint(3, 2 ** 40 + 5) },
  {
    name: 'largest safe integer',
    write: (w) => w.int64(2, Number.MAX_SAFE_INTEGER),
    expected: pb.varint(2, Number.MAX_SAFE_INTEGER),
  },
  { name: 'string "testing"', write: (w) => w.string(2, 'testing'), expected: pb.string(2, 'testing') },
  { name: 'UTF-8 string', write: (w) => w.string(4, 'café ☕'), expected: pb.string(4, 'café ☕') },
  { name: 'true', write: (w) => w.bool(16, true), expected: pb.varint(16, 1) },
  {
    name: 'proto3 defaults are omitted',
    write: (w) => w.string(1, '').bool(2, false).int64(3, 0).double(4, 0).string(5, undefined),
    expected: new Uint8Array(),
  },
  {
    name: 'repeated strings keep order and empty entries',
    write: (w) => w.strings(19, ['b', '', 'a']),
    expected: join(pb.string(19, 'b'), pb.string(19, ''), pb.string(19, 'a')),
  },
  {
    name: 'nested messages, an empty one kept',
    write: (w) => w.message(2, (m) => m.string(1, 'x').message(3, () => undefined)),
    expected: pb.message(2, pb.string(1, 'x'), pb.message(3)),
  },
  {
    name: 'a field number past one key byte',
    write: (w) => w.string(31, 'x-k'),
    expected: pb.string(31, 'x-k'),
  },
];
for (const tc of cases) {
  test(`ProtoWriter: ${tc.name}`, () => {
    const writer = new ProtoWriter();
    tc.write(writer);
    assert.deepEqual(writer.finish(), tc.expected);
  });
}

test('ProtoWriter: a double is 8 little-endian bytes the reader skips as fixed64', () => {
  const bytes = new ProtoWriter().double(7, 1.5).string(8, 'after').finish();
  assert.deepEqual([...bytes.subarray(0, 9)], [0x39, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
  const reader = new ProtoReader(bytes);
  assert.deepEqual(reader.readTag(), { fieldNumber: 7, wireType: WireType.Fixed64 });
  reader.skip(WireType.Fixed64);
  assert.deepEqual(reader.readTag(), { fieldNumber: 8, wireType: WireType.LengthDelimited });
  assert.equal(new TextDecoder().decode(reader.readLengthDelimited()), 'after');
  assert.ok(reader.done);
});

test('ProtoWriter: negative or fractional int64 values are refused', () => {
  assert.throws(() => new ProtoWriter().int64(1, -1), RangeError);
  assert.throws(() => new ProtoWriter().int64(1, 1.5), RangeError);
});
