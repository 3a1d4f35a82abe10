import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTrace, parseFrom, parseTo, TraceUsageError } from '../../src/cli/trace.js';

const froms: [string, unknown][] = [
  ['pod/store/fe-prod', { pod: 'store/fe-prod' }],
  ['node/vm1', { node: 'vm1' }],
  ['ip/198.51.100.7', { ip: '198.51.100.7' }],
];
for (const [text, want] of froms) test(`--from ${text}`, () => assert.deepEqual(parseFrom(text), want));

const tos: [string, unknown][] = [
  ['svc/store/store-be:http', { service: 'store/store-be', port: 'http' }],
  ['svc/store/store-be:80', { service: 'store/store-be', port: 80 }],
  ['svc/store/store-be', { service: 'store/store-be' }],
  ['ip/10.0.0.10:53', { ip: '10.0.0.10', port: 53 }],
  ['host/store-be.store.svc.cluster.local:80', { host: 'store-be.store.svc.cluster.local', port: 80 }],
  ['url/http://203.0.113.4/products', { url: 'http://203.0.113.4/products' }],
];
for (const [text, want] of tos) test(`--to ${text}`, () => assert.deepEqual(parseTo(text), want));

for (const [flag, text] of [
  ['from', 'svc/a/b'],
  ['from', 'pod'],
  ['to', 'pod/a/b:80'],
  ['to', 'svc'],
  ['to', 'ip/1.2.3.4:'],
] as const) {
  test(`--${flag} ${text} is a usage error`, () =>
    assert.throws(() => (flag === 'from' ? parseFrom(text) : parseTo(text)), TraceUsageError));
}

test('formatTrace prints the outcome, a hop table and the backends', () => {
  const packet = { protocol: 'TCP', src: '10.4.0.3', srcPort: 40000, dst: '10.0.31.7', dstPort: 80 };
  const text = formatTrace({
    outcome: 'Delivered',
    message: 'reached it',
    hops: [
      { action: 'Emit', node: 'vm1', netns: 'pod:store/fe-prod', device: 'eth0', packet },
      {
        action: 'DNAT',
        node: 'vm1',
        netns: 'root',
        packet: { ...packet, dst: '10.4.1.5' },
        rule: '-A KUBE-SEP-X -j DNAT --to-destination 10.4.1.5:80',
      },
    ],
    observedSource: { ip: '10.4.0.3', port: 40000 },
    backends: [{ pod: 'store/be-prod', node: 'vm2', ip: '10.4.1.5', port: 80, probability: 0.5 }],
  });
  const lines = text.split('\n');
  assert.equal(lines[0], 'Delivered: reached it');
  assert.match(lines[2], /^#\s+ACTION\s+NODE\s+NETNS\s+DEVICE\s+PACKET\s+RULE$/);
  assert.match(
    lines[4],
    /^2\s+DNAT\s+vm1\s+root\s+-\s+10\.4\.0\.3:40000 → 10\.4\.1\.5:80\s+-A KUBE-SEP-X -j DNAT --to-destination 10\.4\.1\.5:80$/,
  );
  assert.ok(lines.includes('   50.0%  store/be-prod  10.4.1.5:80'), text);
});
