import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from '../../src/apiextensions/defaults.js';
import { prune } from '../../src/apiextensions/prune.js';
import { structuralErrors } from '../../src/apiextensions/structural.js';
import type { JsonSchema } from '../../src/apiextensions/types.js';
import { validateCustomObject } from '../../src/apiextensions/validation.js';

const root = (spec: JsonSchema): JsonSchema => ({ type: 'object', properties: { spec } });
const messages = (causes: { field?: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

test('structural schema rules, with upstream wording and paths', () => {
  const path = 'spec.versions[0].schema.openAPIV3Schema';
  const cases: [string, unknown, string[]][] = [
    ['a structural schema', root({ type: 'object', properties: { a: { type: 'string' } } }), []],
    ['not an object', 'x', [`${path}: Required value`]],
    ['no type at the root', { properties: {} }, [`${path}.type: Required value: must not be empty at the root`]],
    ['a non-object root', { type: 'string' }, [`${path}.type: Invalid value: "string": must be object at the root`]],
    [
      'a property without type',
      root({ type: 'object', properties: { a: {} } }),
      [`${path}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`],
    ],
    [
      'array items without type',
      root({ type: 'array', items: {} }),
      [`${path}.properties[spec].items.type: Required value: must not be empty for specified array items`],
    ],
    ['preserve-unknown-fields needs no type', root({ 'x-kubernetes-preserve-unknown-fields': true }), []],
    ['int-or-string needs no type', root({ 'x-kubernetes-int-or-string': true }), []],
    [
      'int-or-string with a type',
      root({ type: 'string', 'x-kubernetes-int-or-string': true }),
      [`${path}.properties[spec].type: Invalid value: "string": must be empty if x-kubernetes-int-or-string is true`],
    ],
    [
      '$ref',
      root({ type: 'object', $ref: '#/x' }),
      [`${path}.properties[spec].$ref: Forbidden: $ref is not supported`],
    ],
    [
      'an unknown type',
      root({ type: 'float' }),
      [
        `${path}.properties[spec].type: Unsupported value: "float": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      ],
    ],
    [
      'properties and additionalProperties',
      root({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }),
      [
        `${path}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      ],
    ],
    [
      'metadata beyond name and generateName',
      { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } },
      [
        `${path}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
      ],
    ],
    [
      'metadata.name restricted',
      { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string' } } } } },
      [],
    ],
    [
      'an embedded resource that is not an object',
      root({ type: 'string', 'x-kubernetes-embedded-resource': true }),
      [
        `${path}.properties[spec].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
        `${path}.properties[spec].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
      ],
    ],
    [
      'an array without items, and additionalProperties at the root',
      { type: 'object', additionalProperties: { type: 'string' }, properties: { spec: { type: 'array' } } },
      [
        `${path}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
        `${path}.additionalProperties: Forbidden: must not be used at the root`,
        `${path}.properties[spec].items: Required value: must be specified`,
      ],
    ],
    [
      'kind and metadata of the wrong type',
      { type: 'object', properties: { kind: { type: 'integer' }, metadata: {} } },
      [
        `${path}.properties[kind].type: Invalid value: "integer": must be string`,
        `${path}.properties[metadata].type: Invalid value: "": must be object`,
        `${path}.properties[metadata].type: Required value: must not be empty for specified object fields`,
      ],
    ],
    [
      'uniqueItems and a null type',
      root({
        type: 'object',
        properties: { l: { type: 'array', items: { type: 'null' }, uniqueItems: true } as JsonSchema },
      }),
      [
        `${path}.properties[spec].properties[l].items.type: Forbidden: type cannot be set to null`,
        `${path}.properties[spec].properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      ],
    ],
    ['preserve-unknown-fields at the root needs no type', { 'x-kubernetes-preserve-unknown-fields': true }, []],
    [
      'keywords of the wrong type',
      { type: 'object', properties: { spec: { type: 'object', required: 'a', properties: { a: { enum: 'x' } } } } },
      [`${path}.properties[spec].required: Invalid value: "a": must be of type array`],
    ],
    [
      'a property that is not a schema, and a pattern that does not compile',
      {
        type: 'object',
        properties: { spec: { type: 'object', properties: { a: 'string', b: { type: 'string', pattern: '(' } } } },
      },
      [
        `${path}.properties[spec].properties[a]: Invalid value: "string": must be a schema`,
        `${path}.properties[spec].properties[b].pattern: Invalid value: "(": must be a valid regular expression, but isn't: Invalid regular expression: /(/u: Unterminated group`,
      ],
    ],
    [
      'items as a list of schemas',
      { type: 'object', properties: { spec: { type: 'array', items: [{ type: 'string' }] } } },
      [`${path}.properties[spec].items: Forbidden: items must be a schema object and not an array`],
    ],
  ];
  for (const [name, schema, want] of cases) assert.deepEqual(messages(structuralErrors(schema, path)), want, name);
});

test('objects are validated against the schema with kube-openapi messages', () => {
  const spec = (properties: Record<string, JsonSchema>, required?: string[]): JsonSchema =>
    root({ type: 'object', properties, required });
  const cases: [string, JsonSchema, unknown, string[]][] = [
    ['a valid object', spec({ replicas: { type: 'integer' } }), { replicas: 3 }, []],
    [
      'a wrong type',
      spec({ replicas: { type: 'integer' } }),
      { replicas: 'x' },
      ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'],
    ],
    [
      'a float for an integer',
      spec({ replicas: { type: 'integer' } }),
      { replicas: 1.5 },
      ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"'],
    ],
    ['an integer for a number', spec({ ratio: { type: 'number' } }), { ratio: 2 }, []],
    ['required', spec({ a: { type: 'string' } }, ['a']), {}, ['spec.a: Required value']],
    [
      'enum',
      spec({ c: { type: 'string', enum: ['red', 'blue'] } }),
      { c: 'green' },
      ['spec.c: Unsupported value: "green": supported values: "red", "blue"'],
    ],
    [
      'pattern',
      spec({ c: { type: 'string', pattern: '^[a-z]+$' } }),
      { c: 'A1' },
      ['spec.c: Invalid value: "A1": spec.c in body should match \'^[a-z]+$\''],
    ],
    [
      'maxLength',
      spec({ c: { type: 'string', maxLength: 2 } }),
      { c: 'abc' },
      ['spec.c: Too long: may not be more than 2 bytes'],
    ],
    [
      'minLength',
      spec({ c: { type: 'string', minLength: 2 } }),
      { c: 'a' },
      ['spec.c: Invalid value: "a": spec.c in body should be at least 2 chars long'],
    ],
    [
      'minimum and maximum',
      spec({ lo: { type: 'integer', minimum: 1 }, hi: { type: 'integer', maximum: 5, exclusiveMaximum: true } }),
      { lo: 0, hi: 5 },
      [
        'spec.lo: Invalid value: 0: spec.lo in body should be greater than or equal to 1',
        'spec.hi: Invalid value: 5: spec.hi in body should be less than 5',
      ],
    ],
    [
      'items and maxItems',
      spec({ l: { type: 'array', maxItems: 1, items: { type: 'string' } } }),
      { l: ['a', 2] },
      [
        'spec.l[1]: Invalid value: "integer": spec.l[1] in body must be of type string: "integer"',
        'spec.l: Too many: 2: must have at most 1 items',
      ],
    ],
    [
      'minItems',
      spec({ l: { type: 'array', minItems: 2, items: { type: 'string' } } }),
      { l: ['a'] },
      ['spec.l: Invalid value: 1: spec.l in body should have at least 2 items'],
    ],
    [
      'additionalProperties',
      spec({ m: { type: 'object', additionalProperties: { type: 'integer' } } }),
      { m: { a: 1, b: 'x' } },
      ['spec.m.b: Invalid value: "string": spec.m.b in body must be of type integer: "string"'],
    ],
    [
      'formats',
      spec({
        t: { type: 'string', format: 'date-time' },
        b: { type: 'string', format: 'byte' },
        i: { type: 'integer', format: 'int32' },
      }),
      { t: 'yesterday', b: '!!', i: 2 ** 31 },
      [
        'spec.t: Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday"',
        'spec.b: Invalid value: "!!": spec.b in body must be of type byte: "!!"',
        'spec.i: Invalid value: 2147483648: spec.i in body must be of type int32',
      ],
    ],
    ['a valid date-time', spec({ t: { type: 'string', format: 'date-time' } }), { t: '2024-01-02T03:04:05Z' }, []],
    ['nullable', spec({ n: { type: 'string', nullable: true } }), { n: null }, []],
    [
      'null where not nullable',
      spec({ n: { type: 'string' } }),
      { n: null },
      ['spec.n: Invalid value: "null": spec.n in body must be of type string: "null"'],
    ],
    ['int-or-string', spec({ p: { 'x-kubernetes-int-or-string': true } }), { p: 'http' }, []],
    [
      'int-or-string given a boolean',
      spec({ p: { 'x-kubernetes-int-or-string': true } }),
      { p: true },
      ['spec.p: Invalid value: "boolean": spec.p in body must be of type integer,string: "boolean"'],
    ],
    [
      'an embedded resource without apiVersion and kind',
      spec({
        e: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      }),
      { e: {} },
      ['spec.e.apiVersion: Required value: must not be empty', 'spec.e.kind: Required value: must not be empty'],
    ],
  ];
  for (const [name, schema, value, want] of cases)
    assert.deepEqual(messages(validateCustomObject(schema, { spec: value })), want, name);
});

test('pruning drops what the schema does not specify', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          known: { type: 'string' },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'object' } } },
          map: { type: 'object', additionalProperties: { type: 'object', properties: { x: { type: 'string' } } } },
          list: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' } } } },
          embedded: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            properties: { spec: { type: 'object' } },
          },
        },
      },
    },
  };
  const obj = {
    apiVersion: 'example.kplane.io/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    extra: 1,
    spec: {
      known: 'k',
      unknown: 'u',
      free: { anything: 1, a: { dropped: true } },
      map: { k: { x: 'x', y: 'y' } },
      list: [{ x: 'x', y: 'y' }],
      embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, other: 1 },
    },
  };
  assert.deepEqual(prune(schema, obj), [
    ['extra'],
    ['spec', 'unknown'],
    ['spec', 'free', 'a', 'dropped'],
    ['spec', 'map', 'k', 'y'],
    ['spec', 'list', 0, 'y'],
    ['spec', 'embedded', 'other'],
  ]);
  assert.deepEqual(obj, {
    apiVersion: 'example.kplane.io/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec: {
      known: 'k',
      free: { anything: 1, a: {} },
      map: { k: { x: 'x' } },
      list: [{ x: 'x' }],
      embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
    },
  });
});

test('defaulting fills missing fields at every depth the object has', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        default: {},
        properties: {
          replicas: { type: 'integer', default: 1 },
          mode: { type: 'string', default: 'auto' },
          nullable: { type: 'string', nullable: true, default: 'd' },
          ports: {
            type: 'array',
            items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } },
          },
          absent: { type: 'object', properties: { inner: { type: 'string', default: 'x' } } },
        },
      },
    },
  };
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['no spec', {}, { spec: { replicas: 1, mode: 'auto', nullable: 'd' } }],
    [
      'a partial spec with nulls',
      { spec: { replicas: 3, mode: null, nullable: null, ports: [{ port: 80 }, { protocol: 'UDP' }] } },
      {
        spec: {
          replicas: 3,
          mode: 'auto',
          nullable: null,
          ports: [{ port: 80, protocol: 'TCP' }, { protocol: 'UDP' }],
        },
      },
    ],
  ];
  for (const [name, obj, want] of cases) {
    applyDefaults(schema, obj);
    assert.deepEqual(obj, want, name);
  }
});
