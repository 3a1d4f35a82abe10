import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceType } from '../../src/registry/resource.js';
import { firewalls } from '../../src/registry/kinds/firewall/index.js';
import { forwardingRules } from '../../src/registry/kinds/forwardingrule/index.js';
import { routes } from '../../src/registry/kinds/route/index.js';

type Body = Record<string, any>;
type AnyResource = ResourceType<any>;

/** Decodes like the registry (a shape error throws), prepares for create, validates: the causes as `reason field`. */
function causesOf(rt: AnyResource, body: Body): string[] {
  const decoded = rt.schema.safeParse(body);
  if (!decoded.success) throw new Error(`decode failed: ${JSON.stringify(decoded.error.issues)}`);
  rt.strategy.prepareForCreate?.(decoded.data);
  return rt.strategy.validate(decoded.data).map((c) => `${c.reason} ${c.field}`);
}

interface Case {
  name: string;
  spec: Body;
  /** Every cause expected, as `reason field`; empty = valid. */
  causes: string[];
}

function runCases(rt: AnyResource, cases: Case[]): void {
  for (const tc of cases) {
    test(`${rt.kind}: ${tc.name}`, () =>
      assert.deepEqual(causesOf(rt, { metadata: { name: 'x' }, spec: tc.spec }), tc.causes));
  }
}

const route = { destRange: '10.4.0.0/24', nextHopInstance: 'vm1' };
runCases(routes, [
  { name: 'a node route', spec: { ...route, priority: 1000, description: 'k8s-node-route' }, causes: [] },
  { name: 'priority 0 and 65535 are the bounds', spec: { ...route, priority: 0 }, causes: [] },
  { name: 'host bits are accepted (like Go ParseCIDR)', spec: { ...route, destRange: '10.4.0.7/24' }, causes: [] },
  {
    name: 'an empty spec: both required fields',
    spec: {},
    causes: ['FieldValueRequired spec.destRange', 'FieldValueRequired spec.nextHopInstance'],
  },
  {
    name: 'destRange not a CIDR',
    spec: { ...route, destRange: '10.4.0.0' },
    causes: ['FieldValueInvalid spec.destRange'],
  },
  {
    name: 'destRange prefix too long',
    spec: { ...route, destRange: '10.4.0.0/33' },
    causes: ['FieldValueInvalid spec.destRange'],
  },
  { name: 'destRange IPv6', spec: { ...route, destRange: 'fd00::/64' }, causes: ['FieldValueInvalid spec.destRange'] },
  {
    name: 'next hop not a node name',
    spec: { ...route, nextHopInstance: 'VM_1' },
    causes: ['FieldValueInvalid spec.nextHopInstance'],
  },
  { name: 'priority above 65535', spec: { ...route, priority: 65536 }, causes: ['FieldValueInvalid spec.priority'] },
  { name: 'negative priority', spec: { ...route, priority: -1 }, causes: ['FieldValueInvalid spec.priority'] },
  {
    name: 'description too long',
    spec: { ...route, description: 'x'.repeat(2049) },
    causes: ['FieldValueTooLong spec.description'],
  },
]);

const allowAll = { sourceRanges: ['10.4.0.0/14'], allowed: [{ protocol: 'all' }] };
runCases(firewalls, [
  { name: 'GKE all rule', spec: allowAll, causes: [] },
  {
    name: 'GKE vms rule',
    spec: {
      sourceRanges: ['10.240.0.0/16'],
      allowed: [{ protocol: 'tcp', ports: ['1-65535'] }, { protocol: 'udp', ports: ['1-65535'] }, { protocol: 'icmp' }],
    },
    causes: [],
  },
  {
    name: 'protocols in any case',
    spec: {
      ...allowAll,
      allowed: [{ protocol: 'TCP', ports: ['80'] }, { protocol: 'Udp' }, { protocol: 'ICMP' }, { protocol: 'ALL' }],
    },
    causes: [],
  },
  { name: 'target nodes', spec: { ...allowAll, targetNodes: ['vm1', 'vm2'] }, causes: [] },
  {
    name: 'an empty spec: sources and allowed required',
    spec: {},
    causes: ['FieldValueRequired spec.sourceRanges', 'FieldValueRequired spec.allowed'],
  },
  {
    name: 'empty lists count as missing',
    spec: { sourceRanges: [], allowed: [] },
    causes: ['FieldValueRequired spec.sourceRanges', 'FieldValueRequired spec.allowed'],
  },
  {
    name: 'every bad source range is reported',
    spec: { ...allowAll, sourceRanges: ['10.0.0.0/8', 'nope', '1.2.3.4', ''] },
    causes: [
      'FieldValueInvalid spec.sourceRanges[1]',
      'FieldValueInvalid spec.sourceRanges[2]',
      'FieldValueRequired spec.sourceRanges[3]',
    ],
  },
  {
    name: 'unknown protocol',
    spec: { ...allowAll, allowed: [{ protocol: 'sctp' }] },
    causes: ['FieldValueNotSupported spec.allowed[0].protocol'],
  },
  {
    name: 'missing protocol',
    spec: { ...allowAll, allowed: [{ ports: ['80'] }] },
    causes: ['FieldValueRequired spec.allowed[0].protocol'],
  },
  {
    name: 'ports on icmp are forbidden',
    spec: { ...allowAll, allowed: [{ protocol: 'icmp', ports: ['1'] }] },
    causes: ['FieldValueForbidden spec.allowed[0].ports'],
  },
  {
    name: 'ports on all are forbidden',
    spec: { ...allowAll, allowed: [{ protocol: 'all', ports: ['80'] }] },
    causes: ['FieldValueForbidden spec.allowed[0].ports'],
  },
  {
    name: 'every bad port is reported',
    spec: {
      ...allowAll,
      allowed: [{ protocol: 'tcp', ports: ['80', '0', '65536', '32767-30000', 'http', '30000-32767'] }],
    },
    causes: [
      'FieldValueInvalid spec.allowed[0].ports[1]',
      'FieldValueInvalid spec.allowed[0].ports[2]',
      'FieldValueInvalid spec.allowed[0].ports[3]',
      'FieldValueInvalid spec.allowed[0].ports[4]',
    ],
  },
  {
    name: 'bad and repeated target nodes',
    spec: { ...allowAll, targetNodes: ['vm1', 'VM2', 'vm1', ''] },
    causes: [
      'FieldValueInvalid spec.targetNodes[1]',
      'FieldValueDuplicate spec.targetNodes[2]',
      'FieldValueRequired spec.targetNodes[3]',
    ],
  },
  {
    name: 'priority out of range',
    spec: { ...allowAll, priority: 70000 },
    causes: ['FieldValueInvalid spec.priority'],
  },
  {
    name: 'all problems at once',
    spec: { sourceRanges: ['x'], allowed: [{ protocol: 'gre' }], priority: -5, description: 'd'.repeat(3000) },
    causes: [
      'FieldValueInvalid spec.sourceRanges[0]',
      'FieldValueNotSupported spec.allowed[0].protocol',
      'FieldValueInvalid spec.priority',
      'FieldValueTooLong spec.description',
    ],
  },
]);

const netLB = { ipAddress: '203.0.113.4', ports: ['80'], target: { nodes: ['vm1', 'vm2'] } };
runCases(forwardingRules, [
  { name: 'a network LB', spec: netLB, causes: [] },
  { name: 'a network LB with no nodes yet', spec: { ...netLB, target: { nodes: [] } }, causes: [] },
  {
    name: 'an HTTP(S) LB with an opaque URL map',
    spec: { ipAddress: '203.0.113.5', target: { urlMap: { hostRules: [{ hosts: ['*'] }], anything: 1 } } },
    causes: [],
  },
  {
    name: 'UDP, every port',
    spec: { ipAddress: '203.0.113.4', protocol: 'UDP', target: { nodes: ['vm1'] } },
    causes: [],
  },
  { name: 'an empty spec', spec: {}, causes: ['FieldValueRequired spec.ipAddress', 'FieldValueRequired spec.target'] },
  {
    name: 'both targets',
    spec: { ...netLB, target: { nodes: ['vm1'], urlMap: {} } },
    causes: ['FieldValueInvalid spec.target'],
  },
  {
    name: 'not an IPv4 address',
    spec: { ...netLB, ipAddress: '203.0.113.0/24' },
    causes: ['FieldValueInvalid spec.ipAddress'],
  },
  {
    name: 'protocol other than TCP/UDP',
    spec: { ...netLB, protocol: 'tcp' },
    causes: ['FieldValueNotSupported spec.protocol'],
  },
  { name: 'bad ports', spec: { ...netLB, ports: ['80', '100-90'] }, causes: ['FieldValueInvalid spec.ports[1]'] },
  {
    name: 'bad and repeated nodes',
    spec: { ...netLB, target: { nodes: ['vm1', 'vm1', 'Vm3'] } },
    causes: ['FieldValueDuplicate spec.target.nodes[1]', 'FieldValueInvalid spec.target.nodes[2]'],
  },
]);

test('Route: priority defaults to 1000 when absent, 0 is kept', () => {
  assert.equal(routes.schema.parse({ metadata: {}, spec: route }).spec.priority, 1000);
  assert.equal(routes.schema.parse({ metadata: {}, spec: { ...route, priority: 0 } }).spec.priority, 0);
});

test('Firewall: priority defaults to 1000; protocols keep their case', () => {
  const fw = firewalls.schema.parse({
    metadata: {},
    spec: { sourceRanges: ['0.0.0.0/0'], allowed: [{ protocol: 'TCP', ports: ['80'] }] },
  });
  assert.equal(fw.spec.priority, 1000);
  assert.deepEqual(fw.spec.allowed, [{ protocol: 'TCP', ports: ['80'] }]);
});

test('ForwardingRule: protocol defaults to TCP; the URL map is kept as sent; create drops client-written status', () => {
  const urlMap = {
    hostRules: [{ hosts: ['shop.example.com'], pathMatcher: 'm' }],
    pathMatchers: [{ name: 'm', pathRules: [{ paths: ['/products/*'] }] }],
  };
  const fr = forwardingRules.schema.parse({
    metadata: {},
    spec: { ipAddress: '203.0.113.5', target: { urlMap } },
    status: { backends: [{ node: 'vm1', healthy: true }] },
  });
  assert.equal(fr.spec.protocol, 'TCP');
  assert.deepEqual(fr.spec.target.urlMap, urlMap);
  forwardingRules.strategy.prepareForCreate!(fr);
  assert.deepEqual(fr.status, {});
});

test('ForwardingRule: status backends are validated', () => {
  const body = {
    metadata: { name: 'x' },
    spec: netLB,
    status: {
      backends: [
        { node: 'vm1', healthy: true },
        { node: 'vm1' },
        { node: '' },
        { node: 'Bad_Node', healthy: false, reason: 'x' },
      ],
    },
  };
  const fr = forwardingRules.schema.parse(body);
  assert.deepEqual(
    forwardingRules.strategy.validate(fr).map((c) => `${c.reason} ${c.field}`),
    [
      'FieldValueDuplicate status.backends[1].node',
      'FieldValueRequired status.backends[2].node',
      'FieldValueInvalid status.backends[3].node',
    ],
  );
  assert.equal(fr.status?.backends?.[1].healthy, false, 'healthy defaults to false');
});

const shapeErrors: { name: string; rt: AnyResource; spec: Body }[] = [
  { name: 'Route priority as a string', rt: routes, spec: { ...route, priority: '1000' } },
  { name: 'Firewall sourceRanges as a string', rt: firewalls, spec: { ...allowAll, sourceRanges: '10.0.0.0/8' } },
  {
    name: 'Firewall ports as numbers',
    rt: firewalls,
    spec: { ...allowAll, allowed: [{ protocol: 'tcp', ports: [80] }] },
  },
  {
    name: 'ForwardingRule urlMap not an object',
    rt: forwardingRules,
    spec: { ipAddress: '203.0.113.5', target: { urlMap: 'um' } },
  },
];
for (const tc of shapeErrors) {
  test(`shape error (400): ${tc.name}`, () =>
    assert.equal(tc.rt.schema.safeParse({ metadata: {}, spec: tc.spec }).success, false));
}
