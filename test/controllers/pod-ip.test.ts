import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostLocalRange, RangeExhaustedError } from '../../controllers/kubelet/host-local.js';

test('host-local: a /24 yields 253 pod IPs, never .0, .1 or .255, in order', () => {
  const range = new HostLocalRange('10.11.0.0/24');
  const ips: string[] = [];
  for (;;) {
    try {
      ips.push(range.allocate(`pod-${ips.length}`));
    } catch (err) {
      assert.ok(err instanceof RangeExhaustedError);
      break;
    }
  }
  assert.equal(ips.length, 253);
  assert.equal(new Set(ips).size, 253);
  assert.equal(ips[0], '10.11.0.2');
  assert.equal(ips.at(-1), '10.11.0.254');
  for (const reserved of ['10.11.0.0', '10.11.0.1', '10.11.0.255']) assert.ok(!ips.includes(reserved), reserved);
});

type Step =
  | { allocate: string; owner?: string }
  | { release: string; owner?: string }
  | { reserve: string; owner?: string; ok: boolean }
  | { exhausted: string };

const cases: { name: string; subnet: string; steps: Step[] }[] = [
  {
    name: 'round robin: a released address is reused only after the rest of the range',
    subnet: '10.11.0.0/24',
    steps: [{ allocate: '10.11.0.2' }, { allocate: '10.11.0.3' }, { release: '10.11.0.2' }, { allocate: '10.11.0.4' }],
  },
  {
    name: 'allocation continues after the last reserved address and wraps, skipping the gateway',
    subnet: '10.11.5.0/29',
    steps: [
      { allocate: '10.11.5.2' },
      { allocate: '10.11.5.3' },
      { allocate: '10.11.5.4' },
      { allocate: '10.11.5.5' },
      { allocate: '10.11.5.6' },
      { release: '10.11.5.3' },
      { allocate: '10.11.5.3' },
      { exhausted: 'no IP addresses available in range set: 10.11.5.1-10.11.5.6' },
    ],
  },
  {
    name: 'exhaustion names the range set from N+1 to broadcast−1',
    subnet: '10.11.8.0/30',
    steps: [{ allocate: '10.11.8.2' }, { exhausted: 'no IP addresses available in range set: 10.11.8.1-10.11.8.2' }],
  },
  {
    name: 'reserved addresses (existing pods, requested IPs) are skipped by allocation',
    subnet: '10.11.0.0/24',
    steps: [
      { reserve: '10.11.0.2', owner: 'a', ok: true },
      { reserve: '10.11.0.3', owner: 'b', ok: true },
      { allocate: '10.11.0.4' },
    ],
  },
  {
    name: 'reserve refuses the gateway, the network and broadcast addresses, other subnets and taken addresses',
    subnet: '10.11.0.0/24',
    steps: [
      { reserve: '10.11.0.1', ok: false },
      { reserve: '10.11.0.0', ok: false },
      { reserve: '10.11.0.255', ok: false },
      { reserve: '10.11.1.9', ok: false },
      { reserve: 'not-an-ip', ok: false },
      { reserve: '10.11.0.9', owner: 'a', ok: true },
      { reserve: '10.11.0.9', owner: 'a', ok: true },
      { reserve: '10.11.0.9', owner: 'b', ok: false },
    ],
  },
  {
    name: 'release only frees an address its owner holds',
    subnet: '10.11.8.0/30',
    steps: [
      { allocate: '10.11.8.2', owner: 'a' },
      { release: '10.11.8.2', owner: 'b' },
      { exhausted: 'no IP addresses available' },
      { release: '10.11.8.2', owner: 'a' },
      { allocate: '10.11.8.2' },
    ],
  },
];

function run(range: HostLocalRange, step: Step): void {
  if ('allocate' in step) assert.equal(range.allocate(step.owner ?? 'pod'), step.allocate);
  else if ('release' in step) range.release(step.release, step.owner ?? 'pod');
  else if ('reserve' in step) assert.equal(range.reserve(step.reserve, step.owner ?? 'pod'), step.ok, step.reserve);
  else
    assert.throws(
      () => range.allocate('pod'),
      (err: Error) => err instanceof RangeExhaustedError && err.message.startsWith(step.exhausted),
    );
}

for (const tc of cases) {
  test(`host-local: ${tc.name}`, () => {
    const range = new HostLocalRange(tc.subnet);
    for (const step of tc.steps) run(range, step);
  });
}

test('host-local: /31 and /32 are too small to allocate from', () => {
  assert.throws(() => new HostLocalRange('10.11.0.0/31'), /Network 10.11.0.0\/31 too small to allocate from/);
  assert.throws(() => new HostLocalRange('10.11.0.7/32'), /too small to allocate from/);
});

test('host-local: the range set and gateway of a fixture podCIDR', () => {
  const range = new HostLocalRange('10.11.5.0/24');
  assert.equal(range.rangeSet, '10.11.5.1-10.11.5.254');
  assert.equal(range.gateway, '10.11.5.1');
});
