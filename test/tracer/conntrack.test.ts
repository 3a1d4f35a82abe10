import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conntrack, reversed, tupleKey } from '../../src/tracer/conntrack.js';
import type { Packet } from '../../src/dataplane/netfilter/packet.js';

const pod: Packet = { protocol: 'TCP', src: '10.11.0.9', srcPort: 1234, dst: '10.9.3.76', dstPort: 80 };
const dnatted: Packet = { ...pod, dst: '10.11.8.67' };

test('a reply to the NATed packet finds the entry in the reply direction', () => {
  const ct = new Conntrack();
  const entry = ct.insert(pod, dnatted, 0);
  assert.deepEqual(entry.reply, { protocol: 'TCP', src: '10.11.8.67', srcPort: 80, dst: '10.11.0.9', dstPort: 1234 });
  assert.deepEqual(ct.lookup(reversed(dnatted), 1000), { entry, direction: 'reply' });
  assert.deepEqual(ct.lookup(pod, 1000), { entry, direction: 'original' });
  assert.equal(ct.lookup(reversed(pod), 1000), undefined, 'a reply from the VIP itself is no known tuple');
});

const expiry: { protocol: Packet['protocol']; aliveAtMs: number; goneAtMs: number }[] = [
  { protocol: 'TCP', aliveAtMs: 119_999, goneAtMs: 120_000 },
  { protocol: 'UDP', aliveAtMs: 29_999, goneAtMs: 30_000 },
];
for (const tc of expiry) {
  test(`${tc.protocol} entries expire after ${tc.goneAtMs / 1000} s`, () => {
    const ct = new Conntrack();
    const p = { ...pod, protocol: tc.protocol };
    ct.insert(p, p, 0);
    assert.ok(ct.lookup(p, tc.aliveAtMs));
    assert.equal(ct.lookup(p, tc.goneAtMs), undefined);
    assert.deepEqual(ct.entries(tc.goneAtMs), []);
  });
}

test('a new connection with the same tuple replaces the old entry', () => {
  const ct = new Conntrack();
  ct.insert(pod, dnatted, 0);
  const again = ct.insert(pod, { ...pod, dst: '10.11.5.3' }, 10);
  assert.deepEqual(ct.entries(20), [again]);
  assert.equal(ct.lookup(reversed(dnatted), 20), undefined);
});

test('the table is bounded: the oldest entries go first', () => {
  const ct = new Conntrack(3);
  for (let port = 1; port <= 5; port++) ct.insert({ ...pod, srcPort: port }, { ...pod, srcPort: port }, 0);
  assert.deepEqual(
    ct.entries(0).map((e) => e.original.srcPort),
    [3, 4, 5],
  );
});

test('tupleKey names protocol, addresses and ports', () => {
  assert.equal(tupleKey(pod), 'TCP 10.11.0.9:1234>10.9.3.76:80');
});
