import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodePortRange, nodePortRangeOffset } from '../../src/allocators/node-port-range.js';
import { ServiceIPRange, indexedIP, ipRangeOffset } from '../../src/allocators/service-ip-range.js';

const ipRangeCases = [
  {
    cidr: '10.96.0.0/24',
    size: 254,
    offset: 16,
    firstStatic: '10.96.0.1',
    lastStatic: '10.96.0.16',
    firstDynamic: '10.96.0.17',
    last: '10.96.0.254',
  },
  {
    cidr: '10.0.0.0/20',
    size: 4094,
    offset: 256,
    firstStatic: '10.0.0.1',
    lastStatic: '10.0.1.0',
    firstDynamic: '10.0.1.1',
    last: '10.0.15.254',
  },
  {
    cidr: '10.9.0.0/16',
    size: 65534,
    offset: 256,
    firstStatic: '10.9.0.1',
    lastStatic: '10.9.1.0',
    firstDynamic: '10.9.1.1',
    last: '10.9.255.254',
  },
  {
    cidr: '10.0.0.0/16',
    size: 65534,
    offset: 256,
    firstStatic: '10.0.0.1',
    lastStatic: '10.0.1.0',
    firstDynamic: '10.0.1.1',
    last: '10.0.255.254',
  },
  {
    cidr: '192.168.0.0/28',
    size: 14,
    offset: 0,
    firstStatic: undefined,
    lastStatic: undefined,
    firstDynamic: '192.168.0.1',
    last: '192.168.0.14',
  },
  {
    cidr: '10.1.0.0/27',
    size: 30,
    offset: 16,
    firstStatic: '10.1.0.1',
    lastStatic: '10.1.0.16',
    firstDynamic: '10.1.0.17',
    last: '10.1.0.30',
  },
];
for (const tc of ipRangeCases) {
  test(`service IP range ${tc.cidr}: size ${tc.size}, static band ${tc.offset}`, () => {
    const r = ServiceIPRange.parse(tc.cidr);
    assert.deepEqual([r.text, r.size, r.offset], [tc.cidr, tc.size, tc.offset]);
    if (tc.firstStatic) assert.equal(r.itemAt(0), tc.firstStatic);
    if (tc.lastStatic) assert.equal(r.itemAt(r.offset - 1), tc.lastStatic);
    assert.equal(r.itemAt(r.offset), tc.firstDynamic);
    assert.equal(r.itemAt(r.size - 1), tc.last);
    assert.equal(r.indexOf(tc.last), r.size - 1);
  });
}

const offsetCases = [
  { cidrSize: 8, want: 0 },
  { cidrSize: 16, want: 0 },
  { cidrSize: 32, want: 16 },
  { cidrSize: 256, want: 16 },
  { cidrSize: 1024, want: 64 },
  { cidrSize: 4096, want: 256 },
  { cidrSize: 65536, want: 256 },
];
for (const tc of offsetCases) {
  test(`ipRangeOffset(${tc.cidrSize}) = ${tc.want}`, () => assert.equal(ipRangeOffset(tc.cidrSize), tc.want));
}

const indexOfCases = [
  { ip: '10.9.0.0', want: undefined, why: 'the network address is reserved' },
  { ip: '10.9.255.255', want: undefined, why: 'the broadcast address is reserved' },
  { ip: '10.9.0.1', want: 0, why: 'the first usable address is item 0' },
  { ip: '10.9.0.10', want: 9, why: 'kube-dns' },
  { ip: '10.0.0.10', want: undefined, why: 'outside the CIDR' },
  { ip: 'fd00::1', want: undefined, why: 'not IPv4' },
  { ip: '10.9.0.010', want: undefined, why: 'leading zeros are not an IP' },
];
for (const tc of indexOfCases) {
  test(`10.9.0.0/16 indexOf(${tc.ip}): ${tc.why}`, () =>
    assert.equal(ServiceIPRange.parse('10.9.0.0/16').indexOf(tc.ip), tc.want));
}

test('parse masks host bits and refuses what is not a usable IPv4 CIDR', () => {
  assert.equal(ServiceIPRange.parse('10.9.3.4/16').text, '10.9.0.0/16');
  for (const bad of ['10.9.0.0', '10.9.0.0/33', 'fd00::/112', '10.9.0.0/16/1', 'x/16', '10.0.0.0/8']) {
    assert.throws(() => ServiceIPRange.parse(bad), Error, bad);
  }
});

test('indexedIP: the kubernetes Service takes address 1, kube-dns address 10', () => {
  assert.equal(indexedIP('10.0.0.0/16', 1), '10.0.0.1');
  assert.equal(indexedIP('10.9.0.0/16', 10), '10.9.0.10');
  assert.equal(indexedIP(ServiceIPRange.parse('10.96.0.0/12'), 1), '10.96.0.1');
  assert.throws(() => indexedIP('10.9.0.0/28', 16), RangeError);
});

const portCases = [
  { text: '30000-32767', size: 2768, offset: 86, firstDynamic: 30086 },
  { text: '30000-30015', size: 16, offset: 0, firstDynamic: 30000 },
  { text: '30000-30031', size: 32, offset: 16, firstDynamic: 30016 },
  { text: '20000-29999', size: 10000, offset: 128, firstDynamic: 20128 },
];
for (const tc of portCases) {
  test(`node port range ${tc.text}: size ${tc.size}, static band ${tc.offset}`, () => {
    const r = NodePortRange.parse(tc.text);
    assert.deepEqual([r.text, r.size, r.offset, r.itemAt(r.offset)], [tc.text, tc.size, tc.offset, tc.firstDynamic]);
    assert.equal(nodePortRangeOffset(tc.size), tc.offset);
  });
}

test('node port indexOf: inside, edges and outside', () => {
  const r = NodePortRange.parse('30000-32767');
  assert.deepEqual(
    [30000, 32767, 29999, 32768, 80, 30000.5].map((p) => r.indexOf(p)),
    [0, 2767, undefined, undefined, undefined, undefined],
  );
  assert.throws(() => NodePortRange.parse('32767-30000'));
});
