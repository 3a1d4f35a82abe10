import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from '../../src/apimachinery/object.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidIPv4,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNumber,
  isWildcardDNS1123Subdomain,
  semanticEqual,
  validateEndpointIP,
  validateImmutable,
  validateObjectMeta,
  type ObjectMetaRules,
} from '../../src/apimachinery/validation.js';

const LABEL_RULE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_RULE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const messageCases: { name: string; fn: (v: string) => string[]; value: string; want: string[] }[] = [
  { name: 'label ok', fn: isDNS1123Label, value: 'my-name', want: [] },
  { name: 'label digits first ok', fn: isDNS1123Label, value: '123-abc', want: [] },
  { name: 'label upper case', fn: isDNS1123Label, value: 'My-name', want: [LABEL_RULE] },
  { name: 'label trailing dash', fn: isDNS1123Label, value: 'name-', want: [LABEL_RULE] },
  { name: 'label with dots', fn: isDNS1123Label, value: 'a.b', want: ['must not contain dots'] },
  { name: 'label too long', fn: isDNS1123Label, value: 'a'.repeat(64), want: ['must be no more than 63 characters'] },
  { name: 'subdomain ok', fn: isDNS1123Subdomain, value: 'a.example.com', want: [] },
  { name: 'subdomain underscore', fn: isDNS1123Subdomain, value: 'a_b', want: [SUBDOMAIN_RULE] },
  {
    name: 'subdomain too long',
    fn: isDNS1123Subdomain,
    value: 'a'.repeat(254),
    want: ['must be no more than 253 characters'],
  },
  {
    name: '1035 label must start with a letter',
    fn: isDNS1035Label,
    value: '1abc',
    want: [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  },
  { name: 'wildcard ok', fn: isWildcardDNS1123Subdomain, value: '*.example.com', want: [] },
  {
    name: 'wildcard in the middle',
    fn: isWildcardDNS1123Subdomain,
    value: 'a.*.com',
    want: [
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
  },
  { name: 'qualified name plain', fn: isQualifiedName, value: 'MyName', want: [] },
  { name: 'qualified name prefixed', fn: isQualifiedName, value: 'example.com/my_name', want: [] },
  {
    name: 'qualified name bad char',
    fn: isQualifiedName,
    value: 'my name',
    want: [`name part ${QUALIFIED_NAME_RULE}`],
  },
  { name: 'qualified name empty prefix', fn: isQualifiedName, value: '/a', want: ['prefix part must be non-empty'] },
  {
    name: 'qualified name bad prefix',
    fn: isQualifiedName,
    value: 'Example.com/a',
    want: [`prefix part ${SUBDOMAIN_RULE}`],
  },
  {
    name: 'qualified name empty name',
    fn: isQualifiedName,
    value: 'a/',
    want: ['name part must be non-empty', `name part ${QUALIFIED_NAME_RULE}`],
  },
  {
    name: 'qualified name two slashes',
    fn: isQualifiedName,
    value: 'a/b/c',
    want: [
      `a qualified name ${QUALIFIED_NAME_RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
  },
  { name: 'label value empty ok', fn: isValidLabelValue, value: '', want: [] },
  {
    name: 'label value too long',
    fn: isValidLabelValue,
    value: 'a'.repeat(64),
    want: ['must be no more than 63 characters'],
  },
  { name: 'path segment dot', fn: isValidPathSegmentName, value: '..', want: ["may not be '..'"] },
  {
    name: 'path segment slash and percent',
    fn: isValidPathSegmentName,
    value: 'a/%b',
    want: ["may not contain '/'", "may not contain '%'"],
  },
  { name: 'path segment dots inside ok', fn: isValidPathSegmentName, value: 'pod.17a3', want: [] },
  { name: 'port name ok', fn: isValidPortName, value: 'http-alt', want: [] },
  {
    name: 'port name digits only',
    fn: isValidPortName,
    value: '8080',
    want: ['must contain at least one letter (a-z)'],
  },
  {
    name: 'port name upper case',
    fn: isValidPortName,
    value: 'HTTP',
    want: ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
  },
  {
    name: 'port name hyphens',
    fn: isValidPortName,
    value: '-a--b',
    want: ['must not contain consecutive hyphens', 'must not begin or end with a hyphen'],
  },
  {
    name: 'port name too long',
    fn: isValidPortName,
    value: 'a'.repeat(16),
    want: ['must be no more than 15 characters'],
  },
];
for (const tc of messageCases) {
  test(`messages: ${tc.name}`, () => assert.deepEqual(tc.fn(tc.value), tc.want));
}

const portCases: { port: number; valid: boolean }[] = [
  { port: 1, valid: true },
  { port: 65535, valid: true },
  { port: 0, valid: false },
  { port: 65536, valid: false },
  { port: 80.5, valid: false },
];
for (const tc of portCases) {
  test(`isValidPortNumber(${tc.port})`, () =>
    assert.deepEqual(isValidPortNumber(tc.port), tc.valid ? [] : ['must be between 1 and 65535, inclusive']));
}

const addressCases: { value: string; ipv4: boolean; ip: boolean; cidr: boolean }[] = [
  { value: '10.0.0.1', ipv4: true, ip: true, cidr: false },
  { value: '010.0.0.1', ipv4: false, ip: false, cidr: false },
  { value: '256.0.0.1', ipv4: false, ip: false, cidr: false },
  { value: '2001:db8::1', ipv4: false, ip: true, cidr: false },
  { value: '10.0.0.0/8', ipv4: false, ip: false, cidr: true },
  { value: '10.0.0.1/24', ipv4: false, ip: false, cidr: true },
  { value: '10.0.0.0/33', ipv4: false, ip: false, cidr: false },
  { value: '2001:db8::/64', ipv4: false, ip: false, cidr: true },
];
for (const tc of addressCases) {
  test(`addresses: ${tc.value}`, () => {
    assert.equal(isValidIPv4(tc.value), tc.ipv4);
    assert.equal(isValidIP(tc.value), tc.ip);
    assert.equal(isValidCIDR(tc.value), tc.cidr);
  });
}

const endpointIPCases: { ip: string; want: string[] }[] = [
  { ip: '10.4.0.3', want: [] },
  { ip: '0.0.0.0', want: ['Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'] },
  { ip: '127.0.0.1', want: ['Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'] },
  {
    ip: '169.254.1.1',
    want: ['Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
  },
  {
    ip: '224.0.0.5',
    want: ['Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
  },
  { ip: '::1', want: ['Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)'] },
  { ip: 'fe80::1', want: ['Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'] },
  { ip: 'x', want: ['Invalid value: "x": must be a valid IP address'] },
];
for (const tc of endpointIPCases) {
  test(`validateEndpointIP(${tc.ip})`, () => {
    const causes = validateEndpointIP(tc.ip, 'f');
    assert.deepEqual(
      causes.map((c) => c.message),
      tc.want,
    );
    assert.ok(causes.every((c) => c.field === 'f'));
  });
}

const namespaced: ObjectMetaRules = { namespaced: true, nameRule: 'subdomain' };
const metaCases: { name: string; meta: ObjectMeta; rules?: ObjectMetaRules; want: [string, string][] }[] = [
  {
    name: 'valid',
    meta: { name: 'web-1', namespace: 'default', labels: { app: 'web' }, annotations: { 'example.com/x': 'y' } },
    want: [],
  },
  {
    name: 'name required',
    meta: { namespace: 'default' },
    want: [['metadata.name', 'Required value: name or generateName is required']],
  },
  {
    name: 'name rule subdomain',
    meta: { name: 'Web', namespace: 'default' },
    want: [['metadata.name', `Invalid value: "Web": ${SUBDOMAIN_RULE}`]],
  },
  {
    name: 'name rule label rejects dots',
    meta: { name: 'a.b' },
    rules: { namespaced: false, nameRule: 'label' },
    want: [['metadata.name', 'Invalid value: "a.b": must not contain dots']],
  },
  {
    name: 'name rule path allows dots',
    meta: { name: 'a.B_c', namespace: 'default' },
    rules: { namespaced: true, nameRule: 'path' },
    want: [],
  },
  {
    name: 'generateName may end in a dash',
    meta: { name: 'web-x1', generateName: 'web-', namespace: 'default' },
    want: [],
  },
  {
    name: 'generateName checked',
    meta: { name: 'x', generateName: 'Web-', namespace: 'default' },
    want: [['metadata.generateName', `Invalid value: "Web-": ${SUBDOMAIN_RULE}`]],
  },
  { name: 'namespace required', meta: { name: 'a' }, want: [['metadata.namespace', 'Required value']] },
  {
    name: 'namespace forbidden on cluster-scoped',
    meta: { name: 'a', namespace: 'default' },
    rules: { namespaced: false, nameRule: 'subdomain' },
    want: [['metadata.namespace', 'Forbidden: not allowed on this type']],
  },
  {
    name: 'namespace is a label',
    meta: { name: 'a', namespace: 'a.b' },
    want: [['metadata.namespace', 'Invalid value: "a.b": must not contain dots']],
  },
  {
    name: 'negative generation',
    meta: { name: 'a', namespace: 'n', generation: -1 },
    want: [['metadata.generation', 'Invalid value: -1: must be greater than or equal to 0']],
  },
  {
    name: 'label key and value at the map path',
    meta: { name: 'a', namespace: 'n', labels: { 'a b': 'ok', ok: '-bad' } },
    want: [
      ['metadata.labels', `Invalid value: "a b": name part ${QUALIFIED_NAME_RULE}`],
      [
        'metadata.labels',
        `Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
  },
  {
    name: 'annotation keys are case-insensitive',
    meta: { name: 'a', namespace: 'n', annotations: { 'Example.COM/Key': 'v' } },
    want: [],
  },
  {
    name: 'annotations too large',
    meta: { name: 'a', namespace: 'n', annotations: { big: 'x'.repeat(256 * 1024) } },
    want: [['metadata.annotations', 'Too long: may not be more than 262144 bytes']],
  },
  {
    name: 'owner reference incomplete',
    meta: { name: 'a', namespace: 'n', ownerReferences: [{ apiVersion: '', kind: 'ReplicaSet', name: 'rs', uid: '' }] },
    want: [
      ['metadata.ownerReferences.apiVersion', 'Invalid value: "": version must not be empty'],
      ['metadata.ownerReferences.uid', 'Invalid value: "": uid must not be empty'],
    ],
  },
  {
    name: 'two controllers',
    meta: {
      name: 'a',
      namespace: 'n',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
      ],
    },
    want: [
      [
        'metadata.ownerReferences',
        'Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
      ],
    ],
  },
  {
    name: 'finalizers',
    meta: { name: 'a', namespace: 'n', finalizers: ['orphan', 'foregroundDeletion', 'bad name'] },
    want: [
      ['metadata.finalizers', `Invalid value: "bad name": name part ${QUALIFIED_NAME_RULE}`],
      ['metadata.finalizers', 'finalizer orphan and foregroundDeletion cannot be both set'],
    ],
  },
  {
    name: 'managed fields operation',
    meta: { name: 'a', namespace: 'n', managedFields: [{ manager: 'x', operation: 'Patch' }] },
    want: [['metadata.managedFields[0].operation', 'Unsupported value: "Patch": supported values: "Apply", "Update"']],
  },
];
// Expected messages are matched as suffixes: causes whose value is a whole list print it in full.
for (const tc of metaCases) {
  test(`validateObjectMeta: ${tc.name}`, () => {
    const got = validateObjectMeta(tc.meta, tc.rules ?? namespaced);
    assert.deepEqual(
      got.map((c) => c.field),
      tc.want.map(([field]) => field),
    );
    got.forEach((cause, i) =>
      assert.ok(cause.message.endsWith(tc.want[i][1]), `${cause.message}\n does not end with\n${tc.want[i][1]}`),
    );
  });
}

test('validateObjectMeta reports every problem at once', () => {
  const causes = validateObjectMeta({ name: 'Bad', labels: { '-x': 'y' }, finalizers: ['a b'] }, namespaced);
  assert.deepEqual(
    causes.map((c) => c.field),
    ['metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.finalizers'],
  );
});

const equalCases: { name: string; a: unknown; b: unknown; want: boolean }[] = [
  { name: 'absent equals zero values', a: { x: undefined, y: '', z: [], w: {}, v: false, u: 0 }, b: {}, want: true },
  { name: 'key order ignored', a: { a: 1, b: [1, { c: 'd' }] }, b: { b: [1, { c: 'd' }], a: 1 }, want: true },
  { name: 'different values', a: { a: 1 }, b: { a: 2 }, want: false },
  { name: 'array order matters', a: [1, 2], b: [2, 1], want: false },
  { name: 'nested difference', a: { a: { b: 'x' } }, b: { a: { b: 'y' } }, want: false },
];
for (const tc of equalCases) {
  test(`semanticEqual: ${tc.name}`, () => assert.equal(semanticEqual(tc.a, tc.b), tc.want));
}

test('validateImmutable reports the new value as upstream does', () => {
  assert.deepEqual(validateImmutable('10.0.0.5', '10.0.0.5', 'spec.clusterIP'), []);
  assert.deepEqual(validateImmutable('10.0.0.6', '10.0.0.5', 'spec.clusterIP'), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: "10.0.0.6": field is immutable', field: 'spec.clusterIP' },
  ]);
});
