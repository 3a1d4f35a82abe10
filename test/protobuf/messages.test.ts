import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeMessage,
  ObjectMeta,
  TypedLocalObjectReference,
  type MessageDescriptor,
} from '../../src/protobuf/messages.js';
import { HTTPIngressPath, HTTPIngressRuleValue, IngressRule } from '../../src/registry/kinds/ingress/protobuf.js';
import { NamespaceStatus } from '../../src/registry/kinds/namespace/protobuf.js';
import { Service, ServicePort, ServiceSpec, ServiceStatus } from '../../src/registry/kinds/service/protobuf.js';
import { ProtobufDecodeError } from '../../src/protobuf/wire.js';
import { join, pb } from './builder.js';

interface Case {
  name: string;
  desc: MessageDescriptor;
  bytes: Uint8Array;
  want: unknown;
}

const time = (fieldNumber: number, seconds: number | bigint, nanos = 0) =>
  pb.message(fieldNumber, pb.varint(1, seconds), ...(nanos ? [pb.varint(2, nanos)] : []));

/** Go's JSON for unset or zero fields, by shape: omitted, null, "", 0, {} — never guessed. */
const goShapeCases: Case[] = [
  {
    name: 'empty ServicePort: non-omitempty port is 0, the IntOrString struct targetPort is 0',
    desc: ServicePort,
    bytes: new Uint8Array(),
    want: { port: 0, targetPort: 0 },
  },
  {
    name: 'explicit empty strings and zero ints of omitempty fields are dropped',
    desc: ServicePort,
    bytes: join(pb.string(1, ''), pb.string(2, ''), pb.varint(3, 0), pb.varint(5, 0)),
    want: { port: 0, targetPort: 0 },
  },
  {
    name: 'a pointer field that is present keeps its empty value',
    desc: ServicePort,
    bytes: join(pb.string(6, ''), pb.varint(3, 443)),
    want: { appProtocol: '', port: 443, targetPort: 0 },
  },
  {
    name: 'named targetPort (IntOrString type 1)',
    desc: ServicePort,
    bytes: join(pb.varint(3, 80), pb.message(4, pb.varint(1, 1), pb.varint(2, 0), pb.string(3, 'http'))),
    want: { port: 80, targetPort: 'http' },
  },
  {
    name: 'negative int32 sent as a ten-byte varint',
    desc: ServicePort,
    bytes: pb.varint(3, -1),
    want: { port: -1, targetPort: 0 },
  },
  {
    name: 'int32 keeps only the low 32 bits, as Go does',
    desc: ServicePort,
    bytes: pb.varint(3, 2n ** 32n + 7n),
    want: { port: 7, targetPort: 0 },
  },
  {
    name: 'empty HTTPIngressPath: non-omitempty pointer pathType is null, backend struct is {}',
    desc: HTTPIngressPath,
    bytes: new Uint8Array(),
    want: { pathType: null, backend: {} },
  },
  {
    name: 'empty HTTPIngressRuleValue: non-omitempty nil slice paths is null',
    desc: HTTPIngressRuleValue,
    bytes: new Uint8Array(),
    want: { paths: null },
  },
  {
    name: 'IngressRule inlines its IngressRuleValue: http sits beside host',
    desc: IngressRule,
    bytes: join(
      pb.string(1, 'a.example'),
      pb.message(2, pb.message(1, pb.message(1, pb.string(1, '/'), pb.string(3, 'Prefix')))),
    ),
    want: { host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: {} }] } },
  },
  {
    name: 'IngressRule without a rule value has only its host',
    desc: IngressRule,
    bytes: pb.string(1, 'a.example'),
    want: { host: 'a.example' },
  },
  {
    name: 'empty TypedLocalObjectReference: apiGroup (pointer, no omitempty) is null',
    desc: TypedLocalObjectReference,
    bytes: new Uint8Array(),
    want: { apiGroup: null, kind: '', name: '' },
  },
  {
    name: 'empty ServiceStatus: the loadBalancer struct is {}',
    desc: ServiceStatus,
    bytes: new Uint8Array(),
    want: { loadBalancer: {} },
  },
  {
    name: 'metav1.Condition: non-omitempty strings and the zero lastTransitionTime are printed',
    desc: ServiceStatus,
    bytes: pb.message(2, pb.string(1, 'Ready'), pb.varint(3, 0)),
    want: {
      loadBalancer: {},
      conditions: [{ type: 'Ready', status: '', lastTransitionTime: null, reason: '', message: '' }],
    },
  },
  {
    name: 'NamespaceCondition: zero lastTransitionTime is null even with omitempty (a struct)',
    desc: NamespaceStatus,
    bytes: join(
      pb.string(1, 'Terminating'),
      pb.message(2, pb.string(1, 'NamespaceDeletionContentFailure'), pb.string(2, 'False')),
    ),
    want: {
      phase: 'Terminating',
      conditions: [{ type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: null }],
    },
  },
];

const metadataCases: Case[] = [
  {
    name: 'empty ObjectMeta: only the zero creationTimestamp, as null',
    desc: ObjectMeta,
    bytes: new Uint8Array(),
    want: { creationTimestamp: null },
  },
  {
    name: 'timestamps: RFC 3339 seconds, nanos dropped; pointer deletion fields kept even when zero',
    desc: ObjectMeta,
    bytes: join(pb.string(1, 'web'), time(8, 1700000000, 999), time(9, 0), pb.varint(10, 0), pb.varint(7, 3)),
    want: {
      name: 'web',
      generation: 3,
      creationTimestamp: '2023-11-14T22:13:20Z',
      deletionTimestamp: '1970-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 0,
    },
  },
  {
    name: "Go's zero time sent as seconds prints null",
    desc: ObjectMeta,
    bytes: time(8, -62135596800),
    want: { creationTimestamp: null },
  },
  {
    name: 'labels and annotations: sorted keys, last duplicate wins, missing value is ""',
    desc: ObjectMeta,
    bytes: join(
      pb.mapEntry(11, 'tier', 'web'),
      pb.mapEntry(11, 'app', 'one'),
      pb.mapEntry(11, 'app', 'two'),
      pb.message(12, pb.string(1, 'note')),
    ),
    want: { creationTimestamp: null, labels: { app: 'two', tier: 'web' }, annotations: { note: '' } },
  },
  {
    name: 'owner references, finalizers and managed fields',
    desc: ObjectMeta,
    bytes: join(
      pb.message(
        13,
        pb.string(1, 'ReplicaSet'),
        pb.string(3, 'rs'),
        pb.string(4, 'u-1'),
        pb.string(5, 'apps/v1'),
        pb.varint(6, true),
        pb.varint(7, false),
      ),
      pb.string(14, 'a/one'),
      pb.string(14, 'b/two'),
      pb.message(
        17,
        pb.string(1, 'kubectl'),
        pb.string(2, 'Update'),
        pb.string(3, 'v1'),
        time(4, 86400),
        pb.string(6, 'FieldsV1'),
        pb.message(7, pb.string(1, '{"f:spec":{".":{}}}')),
      ),
    ),
    want: {
      creationTimestamp: null,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'rs',
          uid: 'u-1',
          controller: true,
          blockOwnerDeletion: false,
        },
      ],
      finalizers: ['a/one', 'b/two'],
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          apiVersion: 'v1',
          time: '1970-01-02T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { '.': {} } },
        },
      ],
    },
  },
  {
    name: 'FieldsV1 without Raw prints null',
    desc: ObjectMeta,
    bytes: pb.message(17, pb.message(7)),
    want: { creationTimestamp: null, managedFields: [{ fieldsV1: null }] },
  },
];

const protobufRuleCases: Case[] = [
  {
    name: 'unknown fields of every wire type are skipped',
    desc: ServicePort,
    bytes: join(
      pb.varint(99, 5),
      pb.fixed64(98),
      pb.string(97, 'x'),
      pb.fixed32(96),
      pb.varint(3, 80),
      pb.message(95, pb.varint(1, 1)),
    ),
    want: { port: 80, targetPort: 0 },
  },
  {
    name: 'a repeated scalar: the last value wins',
    desc: ServicePort,
    bytes: join(pb.string(1, 'first'), pb.varint(3, 1), pb.string(1, 'second'), pb.varint(3, 2)),
    want: { name: 'second', port: 2, targetPort: 0 },
  },
  {
    name: 'a repeated embedded message: occurrences merge',
    desc: Service,
    bytes: join(pb.message(2, pb.string(4, 'NodePort')), pb.message(2, pb.string(3, 'None'))),
    want: {
      metadata: { creationTimestamp: null },
      spec: { clusterIP: 'None', type: 'NodePort' },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'invalid UTF-8 becomes U+FFFD, as Go prints it',
    desc: ServicePort,
    bytes: pb.bytes(1, Uint8Array.of(0x61, 0xff, 0x62)),
    want: { name: 'a\uFFFDb', port: 0, targetPort: 0 },
  },
  {
    name: 'a label keyed __proto__ is an ordinary key',
    desc: ObjectMeta,
    bytes: pb.mapEntry(11, '__proto__', 'x'),
    want: { creationTimestamp: null, labels: Object.fromEntries([['__proto__', 'x']]) },
  },
];

for (const tc of [...goShapeCases, ...metadataCases, ...protobufRuleCases]) {
  test(`decodeMessage(${tc.desc.name}): ${tc.name}`, () => {
    assert.deepEqual(decodeMessage(tc.desc, tc.bytes), tc.want);
  });
}

test('a ServiceSpec with every field kind decodes in Go struct order', () => {
  const bytes = join(
    pb.message(1, pb.string(1, 'dns'), pb.string(2, 'UDP'), pb.varint(3, 53), pb.message(4, pb.varint(2, 5353))),
    pb.mapEntry(2, 'app', 'dns'),
    pb.string(3, '10.0.0.10'),
    pb.string(18, '10.0.0.10'),
    pb.string(4, 'LoadBalancer'),
    pb.string(5, '192.0.2.1'),
    pb.string(7, 'ClientIP'),
    pb.string(8, '192.0.2.2'),
    pb.string(9, '198.51.100.0/24'),
    pb.string(10, 'ext.example'),
    pb.string(11, 'Local'),
    pb.varint(12, 31000),
    pb.varint(13, true),
    pb.message(14, pb.message(1, pb.varint(1, 600))),
    pb.string(19, 'IPv4'),
    pb.string(17, 'SingleStack'),
    pb.varint(20, false),
    pb.string(21, 'example.com/lb'),
    pb.string(22, 'Cluster'),
    pb.string(23, 'PreferClose'),
  );
  const spec = decodeMessage(ServiceSpec, bytes);
  assert.deepEqual(spec, {
    ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 }],
    selector: { app: 'dns' },
    clusterIP: '10.0.0.10',
    clusterIPs: ['10.0.0.10'],
    type: 'LoadBalancer',
    externalIPs: ['192.0.2.1'],
    sessionAffinity: 'ClientIP',
    loadBalancerIP: '192.0.2.2',
    loadBalancerSourceRanges: ['198.51.100.0/24'],
    externalName: 'ext.example',
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 31000,
    publishNotReadyAddresses: true,
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    allocateLoadBalancerNodePorts: false,
    loadBalancerClass: 'example.com/lb',
    internalTrafficPolicy: 'Cluster',
    trafficDistribution: 'PreferClose',
  });
  assert.deepEqual(
    Object.keys(spec),
    ServiceSpec.fields.map((f) => f.json),
  );
});

const errorCases: { name: string; desc: MessageDescriptor; bytes: Uint8Array; error: RegExp }[] = [
  {
    name: 'known string field sent as a varint',
    desc: ServicePort,
    bytes: pb.varint(1, 3),
    error: /ServicePort\.name \(field 1\) has wire type 0, expected 2/,
  },
  {
    name: 'known int field sent length-delimited',
    desc: ServicePort,
    bytes: pb.string(3, '80'),
    error: /ServicePort\.port \(field 3\) has wire type 2, expected 0/,
  },
  {
    name: 'IntOrString of type 2',
    desc: ServicePort,
    bytes: pb.message(4, pb.varint(1, 2)),
    error: /IntOrString has invalid type 2/,
  },
  {
    name: 'int64 beyond 2^53',
    desc: ObjectMeta,
    bytes: pb.varint(7, 2n ** 53n + 1n),
    error: /int64 value 9007199254740993/,
  },
  {
    name: 'time beyond year 9999',
    desc: ObjectMeta,
    bytes: time(8, 253402300800),
    error: /outside the years 0000-9999/,
  },
  { name: 'time seconds beyond 2^53', desc: ObjectMeta, bytes: time(8, 2n ** 60n), error: /int64 value/ },
  {
    name: 'FieldsV1 that is not JSON',
    desc: ObjectMeta,
    bytes: pb.message(17, pb.message(7, pb.string(1, '{'))),
    error: /FieldsV1 does not hold valid JSON/,
  },
  {
    name: 'empty FieldsV1 Raw',
    desc: ObjectMeta,
    bytes: pb.message(17, pb.message(7, pb.string(1, ''))),
    error: /FieldsV1/,
  },
  {
    name: 'truncated nested message',
    desc: Service,
    bytes: Uint8Array.of(0x12, 0x04, 0x0a, 0x05, 0x61),
    error: /exceeds/,
  },
  { name: 'malformed map entry', desc: ObjectMeta, bytes: Uint8Array.of(0x5a, 0x02, 0x0a, 0x09), error: /exceeds/ },
];
for (const tc of errorCases) {
  test(`decodeMessage throws ProtobufDecodeError: ${tc.name}`, () => {
    assert.throws(
      () => decodeMessage(tc.desc, tc.bytes),
      (err: unknown) => {
        assert.ok(err instanceof ProtobufDecodeError, `expected ProtobufDecodeError, got ${String(err)}`);
        assert.match(err.message, tc.error);
        return true;
      },
    );
  });
}

test('decodeMessage starts counting nesting at the given depth', () => {
  // Service > spec > sessionAffinityConfig > clientIP is three levels below the Service.
  const bytes = pb.message(2, pb.message(14, pb.message(1, pb.varint(1, 10))));
  assert.doesNotThrow(() => decodeMessage(Service, bytes, 29));
  assert.throws(() => decodeMessage(Service, bytes, 30), ProtobufDecodeError);
});
