import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/apimachinery/errors.js';
import {
  exactFieldValue,
  labelSelectorFromLabelSelectorObject,
  labelSelectorFromSet,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type LabelSelectorObject,
} from '../../src/apimachinery/selectors.js';

/** Asserts `fn` throws a 400 BadRequest StatusError whose message matches. */
function assertBadRequest(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `expected StatusError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

const QUALIFIED_NAME_RULE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const matchCases: { name: string; selector: string; labels: Record<string, string> | undefined; want: boolean }[] = [
  { name: 'empty selector matches anything', selector: '', labels: { a: 'b' }, want: true },
  { name: 'empty selector matches no labels', selector: '', labels: undefined, want: true },
  { name: 'equals', selector: 'app=web', labels: { app: 'web' }, want: true },
  { name: 'equals other value', selector: 'app=web', labels: { app: 'db' }, want: false },
  { name: 'equals absent key', selector: 'app=web', labels: {}, want: false },
  { name: 'double equals', selector: 'app==web', labels: { app: 'web' }, want: true },
  { name: 'not equals differs', selector: 'role!=fe', labels: { role: 'be' }, want: true },
  { name: 'not equals same', selector: 'role!=fe', labels: { role: 'fe' }, want: false },
  { name: 'not equals absent key matches', selector: 'role!=fe', labels: {}, want: true },
  { name: 'not equals without labels matches', selector: 'role!=fe', labels: undefined, want: true },
  { name: 'in', selector: 'env in (prod, qa)', labels: { env: 'qa' }, want: true },
  { name: 'in other value', selector: 'env in (prod,qa)', labels: { env: 'dev' }, want: false },
  { name: 'in absent key', selector: 'env in (prod,qa)', labels: {}, want: false },
  { name: 'notin', selector: 'env notin (prod,qa)', labels: { env: 'dev' }, want: true },
  { name: 'notin listed value', selector: 'env notin (prod,qa)', labels: { env: 'prod' }, want: false },
  { name: 'notin absent key matches', selector: 'env notin (prod,qa)', labels: {}, want: true },
  { name: 'exists', selector: 'tier', labels: { tier: '' }, want: true },
  { name: 'exists absent', selector: 'tier', labels: { other: 'x' }, want: false },
  { name: 'does not exist', selector: '!tier', labels: { other: 'x' }, want: true },
  { name: 'does not exist present', selector: '!tier', labels: { tier: 'x' }, want: false },
  { name: 'AND of requirements', selector: 'app=store,role!=fe', labels: { app: 'store', role: 'be' }, want: true },
  { name: 'AND fails on one', selector: 'app=store,role!=fe', labels: { app: 'store', role: 'fe' }, want: false },
  {
    name: 'whitespace everywhere',
    selector: '  app = web ,  !old , env   in(a ,b)  ',
    labels: { app: 'web', env: 'b' },
    want: true,
  },
  { name: 'empty value equals', selector: 'a=', labels: { a: '' }, want: true },
  { name: 'empty member in set', selector: 'a in (,x)', labels: { a: '' }, want: true },
  { name: 'in and notin are values inside a set', selector: 'x in (in,notin)', labels: { x: 'notin' }, want: true },
  {
    name: 'prefixed key',
    selector: 'kubernetes.io/service-name=web',
    labels: { 'kubernetes.io/service-name': 'web' },
    want: true,
  },
  { name: 'greater than', selector: 'replicas>2', labels: { replicas: '3' }, want: true },
  { name: 'greater than equal bound', selector: 'replicas>2', labels: { replicas: '2' }, want: false },
  { name: 'less than', selector: 'replicas<2', labels: { replicas: '-1' }, want: true },
  { name: 'gt with non-integer label', selector: 'replicas>2', labels: { replicas: 'many' }, want: false },
  { name: 'prototype names are not labels', selector: 'constructor', labels: {}, want: false },
  { name: 'prototype names are absent for !', selector: '!toString', labels: {}, want: true },
];

for (const tc of matchCases) {
  test(`label match: ${tc.name}`, () => {
    assert.equal(matchesLabels(parseLabelSelector(tc.selector), tc.labels), tc.want);
  });
}

const canonicalCases: { selector: string; want: string }[] = [
  { selector: 'b=1,a=2', want: 'a=2,b=1' },
  { selector: 'x in (foo,,baz),y,z notin ()', want: 'x in (,baz,foo),y,z notin ()' },
  { selector: '!a, b!=c, d==e', want: '!a,b!=c,d==e' },
  { selector: 'n>5,m<3', want: 'm<3,n>5' },
  { selector: 'e in (b,a,b)', want: 'e in (a,b)' },
];

for (const tc of canonicalCases) {
  test(`label selector renders ${JSON.stringify(tc.selector)} canonically`, () => {
    assert.equal(parseLabelSelector(tc.selector).toString(), tc.want);
  });
}

const labelErrorCases: { name: string; selector: string; message: string | RegExp }[] = [
  {
    name: 'in without parenthesis',
    selector: 'a in b',
    message: "unable to parse requirement: found 'b' expected: '('",
  },
  { name: 'second operator', selector: 'a=b=c', message: "found '=', expected: ',' or 'end of string'" },
  { name: 'two values', selector: 'a=b c', message: "found 'c', expected: ',' or 'end of string'" },
  { name: 'lone bang', selector: '!', message: "unable to parse requirement: found '', expected: identifier" },
  { name: 'trailing comma', selector: 'a,', message: "found '', expected: identifier after ','" },
  { name: 'leading comma', selector: ',a', message: "found ',', expected: !, identifier, or 'end of string'" },
  { name: 'unclosed set', selector: 'a in (b', message: "unable to parse requirement: found '', expected: ',' or ')'" },
  {
    name: 'set needs commas',
    selector: 'a in (b c)',
    message: "unable to parse requirement: found 'c', expected: ',' or ')'",
  },
  {
    name: 'bad operator',
    selector: 'a (b)',
    message: "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
  },
  {
    name: 'value is an operator',
    selector: 'a=(',
    message: "unable to parse requirement: found '(', expected: identifier",
  },
  {
    name: 'two slashes in key',
    selector: 'a/b/c=d',
    message: `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${QUALIFIED_NAME_RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  },
  {
    name: 'key name too long',
    selector: `${'k'.repeat(64)}=v`,
    message:
      /^unable to parse requirement: <nil>: Invalid value: "k{64}": name part must be no more than 63 characters$/,
  },
  {
    name: 'key prefix too long',
    selector: `${'p'.repeat(254)}/k`,
    message: /prefix part must be no more than 253 characters/,
  },
  {
    name: 'uppercase prefix',
    selector: 'Example.com/k',
    message: /prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/,
  },
  { name: 'empty prefix', selector: '/k', message: /prefix part must be non-empty/ },
  {
    name: 'key starting with a dash',
    selector: '-k',
    message: `unable to parse requirement: <nil>: Invalid value: "-k": name part ${QUALIFIED_NAME_RULE}`,
  },
  {
    name: 'invalid value',
    selector: 'a=-x',
    message: `unable to parse requirement: values[0][a]: Invalid value: "-x": ${LABEL_VALUE_RULE}`,
  },
  {
    name: 'value too long',
    selector: `a=${'v'.repeat(64)}`,
    message: /values\[0\]\[a\]: Invalid value: "v{64}": must be no more than 63 characters$/,
  },
  {
    name: 'gt needs an integer',
    selector: 'a>b',
    message: `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
  },
];

for (const tc of labelErrorCases) {
  test(`label selector error: ${tc.name}`, () => {
    assertBadRequest(() => parseLabelSelector(tc.selector), tc.message);
  });
}

test('label selector: empty and blank text select everything', () => {
  for (const text of ['', '   ']) {
    const sel = parseLabelSelector(text);
    assert.equal(sel.isEverything, true);
    assert.equal(sel.isNothing, false);
    assert.deepEqual(sel.requirements, []);
  }
  assert.equal(parseLabelSelector('a').isEverything, false);
});

test('label selector: requirements are sorted by key with parsed operators', () => {
  const sel = parseLabelSelector('z notin (b,a), !y, x>1, a');
  assert.deepEqual(
    sel.requirements.map((r) => [r.key, r.operator, r.values]),
    [
      ['a', 'exists', []],
      ['x', 'gt', ['1']],
      ['y', '!', []],
      ['z', 'notin', ['a', 'b']],
    ],
  );
});

const objectCases: {
  name: string;
  obj: LabelSelectorObject | null | undefined;
  labels: Record<string, string>;
  want: boolean;
}[] = [
  { name: 'null matches nothing', obj: null, labels: {}, want: false },
  { name: 'undefined matches nothing', obj: undefined, labels: { a: 'b' }, want: false },
  { name: 'empty matches everything', obj: {}, labels: { a: 'b' }, want: true },
  { name: 'empty lists match everything', obj: { matchLabels: {}, matchExpressions: [] }, labels: {}, want: true },
  {
    name: 'matchLabels',
    obj: { matchLabels: { app: 'web', tier: 'fe' } },
    labels: { app: 'web', tier: 'fe', x: 'y' },
    want: true,
  },
  {
    name: 'matchLabels partial',
    obj: { matchLabels: { app: 'web', tier: 'fe' } },
    labels: { app: 'web' },
    want: false,
  },
  {
    name: 'In',
    obj: { matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] },
    labels: { env: 'b' },
    want: true,
  },
  {
    name: 'NotIn absent',
    obj: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a'] }] },
    labels: {},
    want: true,
  },
  { name: 'Exists', obj: { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels: { env: '' }, want: true },
  {
    name: 'DoesNotExist',
    obj: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist', values: [] }] },
    labels: { env: '' },
    want: false,
  },
  {
    name: 'labels and expressions are ANDed',
    obj: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
    labels: { app: 'web', env: 'dev' },
    want: false,
  },
];

for (const tc of objectCases) {
  test(`metav1.LabelSelector: ${tc.name}`, () => {
    const sel = labelSelectorFromLabelSelectorObject(tc.obj);
    assert.equal(matchesLabels(sel, tc.labels), tc.want);
  });
}

const objectErrorCases: { name: string; obj: LabelSelectorObject; message: string | RegExp }[] = [
  {
    name: 'unknown operator',
    obj: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
    message: '"Gt" is not a valid label selector operator',
  },
  {
    name: 'In without values',
    obj: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
    message: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
  },
  {
    name: 'Exists with values',
    obj: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }] },
    message: 'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist',
  },
  {
    name: 'bad key',
    obj: { matchLabels: { 'a b': 'c' } },
    message: /^key: Invalid value: "a b": name part must consist of/,
  },
  {
    name: 'bad value',
    obj: { matchLabels: { a: 'b c' } },
    message: /^values\[0\]\[a\]: Invalid value: "b c": a valid label must be/,
  },
  {
    name: 'several problems are aggregated',
    obj: { matchExpressions: [{ key: '-a', operator: 'In', values: ['-x'] }] },
    message: /^\[key: Invalid value: "-a": .*, values\[0\]\[-a\]: Invalid value: "-x": .*\]$/,
  },
];

for (const tc of objectErrorCases) {
  test(`metav1.LabelSelector error: ${tc.name}`, () => {
    assertBadRequest(() => labelSelectorFromLabelSelectorObject(tc.obj), tc.message);
  });
}

test('metav1.LabelSelector: empty one is everything, nil one is nothing', () => {
  assert.equal(labelSelectorFromLabelSelectorObject({}).isEverything, true);
  const nothing = labelSelectorFromLabelSelectorObject(null);
  assert.equal(nothing.isNothing, true);
  assert.equal(nothing.isEverything, false);
});

const setCases: {
  name: string;
  set: Record<string, string> | undefined;
  labels: Record<string, string>;
  want: boolean;
}[] = [
  {
    name: 'all pairs present',
    set: { app: 'web', tier: 'fe' },
    labels: { tier: 'fe', app: 'web', extra: '1' },
    want: true,
  },
  { name: 'one pair differs', set: { app: 'web', tier: 'fe' }, labels: { app: 'web', tier: 'be' }, want: false },
  { name: 'empty set selects everything', set: {}, labels: {}, want: true },
  { name: 'absent set selects everything', set: undefined, labels: { a: 'b' }, want: true },
];

for (const tc of setCases) {
  test(`selector from set: ${tc.name}`, () => {
    assert.equal(matchesLabels(labelSelectorFromSet(tc.set), tc.labels), tc.want);
  });
}

test('selector from set renders sorted equality terms', () => {
  assert.equal(labelSelectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
  assert.equal(labelSelectorFromSet({}).isEverything, true);
});

const POD_FIELDS: ReadonlySet<string> = new Set([
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'status.phase',
]);

const fieldCases: { name: string; selector: string; fields: Record<string, string>; want: boolean }[] = [
  { name: 'empty selector', selector: '', fields: { 'metadata.name': 'x' }, want: true },
  { name: 'equals', selector: 'metadata.name=web', fields: { 'metadata.name': 'web' }, want: true },
  { name: 'double equals', selector: 'metadata.name==web', fields: { 'metadata.name': 'web' }, want: true },
  { name: 'equals mismatch', selector: 'metadata.name=web', fields: { 'metadata.name': 'db' }, want: false },
  { name: 'not equals', selector: 'status.phase!=Running', fields: { 'status.phase': 'Pending' }, want: true },
  { name: 'not equals same', selector: 'status.phase!=Running', fields: { 'status.phase': 'Running' }, want: false },
  { name: 'missing field is the empty string', selector: 'spec.nodeName=', fields: {}, want: true },
  { name: 'missing field differs from a value', selector: 'spec.nodeName!=n1', fields: {}, want: true },
  {
    name: 'AND',
    selector: 'metadata.namespace=default,spec.nodeName=n1',
    fields: { 'metadata.namespace': 'default', 'spec.nodeName': 'n2' },
    want: false,
  },
  {
    name: 'escaped comma and equals',
    selector: 'metadata.name=a\\,b\\=c\\\\d',
    fields: { 'metadata.name': 'a,b=c\\d' },
    want: true,
  },
];

for (const tc of fieldCases) {
  test(`field match: ${tc.name}`, () => {
    assert.equal(matchesFields(parseFieldSelector(tc.selector, POD_FIELDS), tc.fields), tc.want);
  });
}

const fieldErrorCases: { name: string; selector: string; message: string }[] = [
  { name: 'unsupported field', selector: 'spec.foo=bar', message: 'field label not supported: spec.foo' },
  {
    name: 'unsupported among supported',
    selector: 'metadata.name=a,metadata.uid=b',
    message: 'field label not supported: metadata.uid',
  },
  {
    name: 'no operator',
    selector: 'metadata.name',
    message: "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
  },
  {
    name: 'unescaped equals in value',
    selector: 'metadata.name=a=b',
    message: 'invalid field selector: unescaped character in value: 61',
  },
  {
    name: 'unknown escape',
    selector: 'metadata.name=a\\b',
    message: 'invalid field selector: invalid escape sequence: \\b',
  },
  {
    name: 'trailing backslash',
    selector: 'metadata.name=a\\',
    message: 'invalid field selector: invalid escape sequence: \\',
  },
];

for (const tc of fieldErrorCases) {
  test(`field selector error: ${tc.name}`, () => {
    assertBadRequest(() => parseFieldSelector(tc.selector, POD_FIELDS), tc.message);
  });
}

test('field selector: parsed terms, canonical text and exact values', () => {
  const sel = parseFieldSelector('spec.nodeName!=n1,metadata.name==a\\,b,', POD_FIELDS);
  assert.equal(sel.isEverything, false);
  assert.deepEqual(sel.requirements, [
    { field: 'metadata.name', operator: '=', value: 'a,b' },
    { field: 'spec.nodeName', operator: '!=', value: 'n1' },
  ]);
  assert.equal(sel.toString(), 'metadata.name=a\\,b,spec.nodeName!=n1');
  assert.equal(exactFieldValue(sel, 'metadata.name'), 'a,b');
  assert.equal(exactFieldValue(sel, 'spec.nodeName'), undefined);
  assert.equal(parseFieldSelector('', POD_FIELDS).isEverything, true);
});
