import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressAt,
  cidrContains,
  cidrSize,
  cidrsOverlap,
  formatCIDR,
  formatIPv4,
  isIPv4,
  lastAddress,
  parseCIDR,
  parseIPv4,
} from '../../src/net/ipv4.js';

const addresses: { text: string; valid: boolean; n?: number }[] = [
  { text: '0.0.0.0', valid: true, n: 0 },
  { text: '10.240.0.2', valid: true, n: 0x0af00002 },
  { text: '255.255.255.255', valid: true, n: 0xffffffff },
  { text: '256.0.0.1', valid: false },
  { text: '10.0.0', valid: false },
  { text: '010.0.0.1', valid: false },
  { text: '10.0.0.1 ', valid: false },
  { text: '::1', valid: false },
];

for (const tc of addresses) {
  test(`parseIPv4: ${JSON.stringify(tc.text)}`, () => {
    assert.equal(isIPv4(tc.text), tc.valid);
    if (tc.valid) {
      assert.equal(parseIPv4(tc.text), tc.n);
      assert.equal(formatIPv4(tc.n!), tc.text);
    } else {
      assert.throws(() => parseIPv4(tc.text), /invalid IPv4 address/);
    }
  });
}

const cidrs: { text: string; canonical: string; size: number; last: string }[] = [
  { text: '10.11.0.0/16', canonical: '10.11.0.0/16', size: 65536, last: '10.11.255.255' },
  { text: '10.11.5.7/24', canonical: '10.11.5.0/24', size: 256, last: '10.11.5.255' },
  { text: '35.0.0.1/32', canonical: '35.0.0.1/32', size: 1, last: '35.0.0.1' },
  { text: '0.0.0.0/0', canonical: '0.0.0.0/0', size: 2 ** 32, last: '255.255.255.255' },
];

for (const tc of cidrs) {
  test(`parseCIDR: ${tc.text}`, () => {
    const cidr = parseCIDR(tc.text);
    assert.equal(formatCIDR(cidr), tc.canonical);
    assert.equal(cidrSize(cidr), tc.size);
    assert.equal(formatIPv4(lastAddress(cidr)), tc.last);
  });
}

test('parseCIDR: malformed input is refused', () => {
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/x', 'a/8'])
    assert.throws(() => parseCIDR(bad), /invalid IPv4/, bad);
});

test('addressAt, cidrContains, cidrsOverlap', () => {
  const vpc = parseCIDR('10.240.0.0/16');
  assert.equal(formatIPv4(addressAt(vpc, 1)), '10.240.0.1');
  assert.equal(formatIPv4(addressAt(vpc, 258)), '10.240.1.2');
  assert.throws(() => addressAt(vpc, 65536), /outside 10.240.0.0\/16/);
  assert.ok(cidrContains(vpc, parseIPv4('10.240.255.255')));
  assert.ok(!cidrContains(vpc, parseIPv4('10.241.0.0')));
  assert.ok(cidrsOverlap(parseCIDR('10.0.0.0/14'), parseCIDR('10.2.0.0/16')));
  assert.ok(cidrsOverlap(parseCIDR('10.2.0.0/16'), parseCIDR('10.0.0.0/14')));
  assert.ok(!cidrsOverlap(parseCIDR('10.4.0.0/14'), parseCIDR('10.0.0.0/16')));
});
