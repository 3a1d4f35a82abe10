import assert from 'node:assert/strict';
import { test } from 'node:test';
import { celValidator } from '../../src/apiextensions/cel-validation.js';
import { customObjectValidation } from '../../src/apiextensions/object-validation.js';
import { structuralErrors } from '../../src/apiextensions/structural.js';
import type { JsonSchema, ValidationRule } from '../../src/apiextensions/types.js';

const messages = (causes: { field?: string; message: string; reason?: string }[]) =>
  causes.map((c) => `${c.reason} ${c.field}: ${c.message}`);

const spec = (rules: ValidationRule[], extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': rules,
      properties: {
        replicas: { type: 'integer' },
        maxReplicas: { type: 'integer' },
        name: { type: 'string' },
        ratio: { type: 'number' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
      ...extra,
    },
  },
});

test('CRD writes refuse rules that do not compile, naming the rule with upstream wording', () => {
  const path = 'spec.versions[0].schema.openAPIV3Schema';
  const rules = `${path}.properties[spec].x-kubernetes-validations`;
  const cases: [string, ValidationRule[], string[]][] = [
    ['a rule that compiles', [{ rule: 'self.replicas <= self.maxReplicas', message: 'too many' }], []],
    [
      'a syntax error',
      [{ rule: 'self.replicas <=' }],
      [
        `FieldValueInvalid ${rules}[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicas <=", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:15: found < but expecting end of input`,
      ],
    ],
    [
      'an unknown function',
      [{ rule: 'self.name.frobnicate()' }],
      [
        `FieldValueInvalid ${rules}[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.name.frobnicate()", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:10: undeclared reference to 'frobnicate' (in container '')`,
      ],
    ],
    ['an empty rule', [{ rule: ' ' }], [`FieldValueRequired ${rules}[0].rule: Required value: rule is not specified`]],
    [
      'a messageExpression that does not compile',
      [{ rule: 'true', messageExpression: 'nope(self)' }],
      [
        `FieldValueInvalid ${rules}[0].messageExpression: Invalid value: apiextensions.ValidationRule{Rule:"true", Message:"", MessageExpression:"nope(self)", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: messageExpression compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope' (in container '')`,
      ],
    ],
    [
      'an unknown reason',
      [{ rule: 'true', reason: 'FieldValueOdd' }],
      [
        `FieldValueNotSupported ${rules}[0].reason: Unsupported value: "FieldValueOdd": supported values: "FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"`,
      ],
    ],
    [
      'a message on two lines',
      [{ rule: 'true', message: 'a\nb' }],
      [`FieldValueInvalid ${rules}[0].message: Invalid value: "a\\nb": message must not contain line breaks`],
    ],
    [
      'a fieldPath to no field',
      [{ rule: 'true', fieldPath: '.nothing' }],
      [
        `FieldValueInvalid ${rules}[0].fieldPath: Invalid value: ".nothing": fieldPath must be a valid path: does not refer to a valid field`,
      ],
    ],
    [
      'members of the wrong type',
      [{ rule: 'true', fieldPath: 3, optionalOldSelf: 'yes' } as unknown as ValidationRule],
      [
        `FieldValueInvalid ${rules}[0].fieldPath: Invalid value: 3: must be of type string`,
        `FieldValueInvalid ${rules}[0].optionalOldSelf: Invalid value: "yes": must be of type boolean`,
      ],
    ],
    ['a fieldPath into a map', [{ rule: 'true', fieldPath: ".labels['a.b']" }], []],
  ];
  for (const [name, rule, want] of cases) assert.deepEqual(messages(structuralErrors(spec(rule), path)), want, name);
});

type Obj = Record<string, unknown>;
const widget = (s: Obj): Obj => ({
  apiVersion: 'example.kplane.io/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  spec: s,
});

test('rules run with self bound to their node and report upstream field errors', () => {
  const max: ValidationRule = {
    rule: 'self.replicas <= self.maxReplicas',
    message: 'replicas must be at most maxReplicas',
  };
  const cases: [string, JsonSchema, Obj, Obj | undefined, string[]][] = [
    ['a rule that holds', spec([max]), widget({ replicas: 1, maxReplicas: 2 }), undefined, []],
    [
      'a violated rule with a message',
      spec([max]),
      widget({ replicas: 3, maxReplicas: 2 }),
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": replicas must be at most maxReplicas'],
    ],
    [
      'no message: the rule itself',
      spec([{ rule: 'self.replicas <= self.maxReplicas' }]),
      widget({ replicas: 3, maxReplicas: 2 }),
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas'],
    ],
    [
      'has(), size() and strings',
      spec([
        { rule: "has(self.name) && self.name.size() > 2 && self.name.startsWith('w') && self.tags.all(t, t != '')" },
      ]),
      widget({ name: 'wid', tags: ['a'] }),
      undefined,
      [],
    ],
    [
      'a double and an int-or-string',
      spec([{ rule: "self.ratio < 0.5 && (type(self.port) == string ? self.port == 'http' : self.port > 0)" }]),
      widget({ ratio: 0.25, port: 'http' }),
      undefined,
      [],
    ],
    [
      'regex matches',
      spec([{ rule: "self.name.matches('^[a-z]+$')" }]),
      widget({ name: 'Bad' }),
      undefined,
      [`FieldValueInvalid spec: Invalid value: "object": failed rule: self.name.matches('^[a-z]+$')`],
    ],
    [
      'messageExpression',
      spec([{ ...max, messageExpression: "'replicas ' + string(self.replicas) + ' > ' + string(self.maxReplicas)" }]),
      widget({ replicas: 3, maxReplicas: 2 }),
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": replicas 3 > 2'],
    ],
    [
      'a failing messageExpression falls back to the message',
      spec([{ ...max, messageExpression: 'self.missing' }]),
      widget({ replicas: 3, maxReplicas: 2 }),
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": replicas must be at most maxReplicas'],
    ],
    [
      'fieldPath',
      spec([{ ...max, fieldPath: '.replicas' }]),
      widget({ replicas: 3, maxReplicas: 2 }),
      undefined,
      ['FieldValueInvalid spec.replicas: Invalid value: "object": replicas must be at most maxReplicas'],
    ],
    [
      'reason Forbidden, Required, Duplicate',
      spec([
        { rule: 'false', message: 'no', reason: 'FieldValueForbidden' },
        { rule: 'false', message: 'needed', reason: 'FieldValueRequired' },
        { rule: 'false', reason: 'FieldValueDuplicate' },
      ]),
      widget({}),
      undefined,
      [
        'FieldValueForbidden spec: Forbidden: no',
        'FieldValueRequired spec: Required value: needed',
        'FieldValueDuplicate spec: Duplicate value: "object"',
      ],
    ],
    [
      'an evaluation error',
      spec([{ rule: 'self.replicas > 0' }]),
      widget({}),
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": field not found: replicas evaluating rule: self.replicas > 0'],
    ],
    [
      'properties named as CEL identifiers: my-field, namespace, a.b, x__y',
      {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            'x-kubernetes-validations': [
              {
                rule: "self.my__dash__field == 1 && self.__namespace__ == 'n' && self.a__dot__b && self.x__underscores__y && self.labels['k.io/x'] == 'v'",
              },
            ],
            properties: {
              'my-field': { type: 'integer' },
              namespace: { type: 'string' },
              'a.b': { type: 'boolean' },
              x__y: { type: 'boolean' },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
      widget({ 'my-field': 1, namespace: 'n', 'a.b': true, x__y: true, labels: { 'k.io/x': 'v' } }),
      undefined,
      [],
    ],
    ['an absent node is not checked', spec([{ rule: 'false' }]), { metadata: { name: 'w' } }, undefined, []],
    [
      'the root sees apiVersion, kind and metadata.name',
      {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: "self.kind == 'Widget' && self.metadata.name == 'w' && !has(self.metadata.labels)" },
        ],
      },
      { ...widget({}), metadata: { name: 'w', labels: { a: 'b' } } },
      undefined,
      [],
    ],
  ];
  for (const [name, schema, obj, old, want] of cases)
    assert.deepEqual(messages(celValidator(schema)!.validate(obj, old)), want, name);
});

test('transition rules compare with the old value and are skipped on create', () => {
  const immutable: ValidationRule = { rule: 'self == oldSelf', message: 'name is immutable' };
  const named = (rule: ValidationRule): JsonSchema => ({
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { name: { type: 'string', 'x-kubernetes-validations': [rule] } } },
    },
  });
  const optional: ValidationRule = {
    rule: "oldSelf.hasValue() ? self == oldSelf.value() : self.startsWith('new-')",
    message: 'new names start with new-, old ones do not change',
    optionalOldSelf: true,
  };
  const error = (m: string) => [`FieldValueInvalid spec.name: Invalid value: "string": ${m}`];
  const cases: [string, ValidationRule, Obj, Obj | undefined, string[]][] = [
    ['create: skipped', immutable, widget({ name: 'a' }), undefined, []],
    ['update, unchanged', immutable, widget({ name: 'a' }), widget({ name: 'a' }), []],
    ['update, changed', immutable, widget({ name: 'b' }), widget({ name: 'a' }), error('name is immutable')],
    ['update, no old value: skipped', immutable, widget({ name: 'b' }), widget({}), []],
    ['optionalOldSelf on create', optional, widget({ name: 'a' }), undefined, error(optional.message!)],
    ['optionalOldSelf on create, holding', optional, widget({ name: 'new-a' }), undefined, []],
    ['optionalOldSelf on update', optional, widget({ name: 'b' }), widget({ name: 'a' }), error(optional.message!)],
    ['optionalOldSelf on update, holding', optional, widget({ name: 'a' }), widget({ name: 'a' }), []],
  ];
  for (const [name, rule, obj, old, want] of cases)
    assert.deepEqual(messages(celValidator(named(rule))!.validate(obj, old)), want, name);
});

test('rules in list items and map values report the item path; map lists correlate old items by key', () => {
  const item: JsonSchema = {
    type: 'object',
    properties: { name: { type: 'string' }, port: { type: 'integer' } },
    'x-kubernetes-validations': [
      { rule: 'self.port < 1024', message: 'port must be below 1024' },
      { rule: 'self.port == oldSelf.port', message: 'port is immutable' },
    ],
  };
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          ports: {
            type: 'array',
            items: item,
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
          },
          atomic: { type: 'array', items: item },
          limits: {
            type: 'object',
            additionalProperties: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0' }] },
          },
        },
      },
    },
  };
  const obj = widget({
    ports: [
      { name: 'b', port: 81 },
      { name: 'a', port: 2000 },
    ],
    atomic: [{ name: 'x', port: 5 }],
    limits: { cpu: 1, 'mem.x': -1 },
  });
  const old = widget({
    ports: [
      { name: 'c', port: 2000 },
      { name: 'b', port: 80 },
    ],
    atomic: [{ name: 'x', port: 6 }],
  });
  assert.deepEqual(messages(celValidator(schema)!.validate(obj, old)), [
    'FieldValueInvalid spec.ports[0]: Invalid value: "object": port is immutable',
    'FieldValueInvalid spec.ports[1]: Invalid value: "object": port must be below 1024',
    'FieldValueInvalid spec.limits[mem.x]: Invalid value: "integer": failed rule: self >= 0',
  ]);
});

test('the evaluation budget stops rules once the elements they visit exceed it', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: { type: 'integer' },
            'x-kubernetes-validations': [{ rule: 'self.all(x, x >= 0)' }, { rule: 'self.size() >= 0' }],
          },
        },
      },
    },
  };
  const obj = widget({ items: Array.from({ length: 50 }, () => 1) });
  assert.deepEqual(messages(celValidator(schema, 80)!.validate(obj)), [
    'FieldValueInvalid spec.items: Invalid value: "array": validation failed due to running out of cost budget, no further validation rules will be run',
  ]);
});

test('a schema without rules needs no validator', () => {
  assert.equal(celValidator(spec([])), undefined);
});

test('schema errors and rule violations come in one list; blocking schema errors skip the rules', () => {
  const schema = spec([{ rule: 'self.replicas <= self.maxReplicas', message: 'too many' }], { required: ['name'] });
  const validation = customObjectValidation(schema);
  const cases: [string, Obj, Obj | undefined, string[]][] = [
    [
      'create: a wrong type blocks the rules',
      widget({ name: 'a', replicas: 3, maxReplicas: 2, ratio: 'x' }),
      undefined,
      [
        'FieldValueTypeInvalid spec.ratio: Invalid value: "string": spec.ratio in body must be of type number: "string"',
        'FieldValueInvalid <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      ],
    ],
    [
      'create: a required field missing blocks the rules',
      widget({ replicas: 3, maxReplicas: 2 }),
      undefined,
      [
        'FieldValueRequired spec.name: Required value',
        'FieldValueInvalid <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      ],
    ],
    [
      'create: only the rule',
      widget({ name: 'a', replicas: 3, maxReplicas: 2 }),
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": too many'],
    ],
    [
      'update: the rule runs in validateUpdate',
      widget({ name: 'a', replicas: 3, maxReplicas: 2 }),
      widget({ name: 'a', replicas: 1, maxReplicas: 2 }),
      ['FieldValueInvalid spec: Invalid value: "object": too many'],
    ],
  ];
  for (const [name, obj, old, want] of cases) {
    if (!old) validation.creating(obj);
    const got = old ? [...validation.validate(obj), ...validation.validateUpdate(obj, old)] : validation.validate(obj);
    assert.deepEqual(messages(got), want, name);
  }
});

test('a rule whose nested comprehensions could visit more than the per-call limit does not run', () => {
  const rule = 'self.all(x, self.exists(y, y == x))';
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      spec: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule }] },
    },
  };
  const validator = celValidator(schema)!;
  assert.deepEqual(messages(validator.validate({ spec: Array.from({ length: 999 }, (_, i) => i) })), []);
  assert.deepEqual(messages(validator.validate({ spec: Array.from({ length: 1000 }, (_, i) => i) })), [
    `FieldValueInvalid spec: Invalid value: "array": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${rule}`,
  ]);
});

test('on update, violations at values equal to their old ones are ratcheted, unless the rule reads oldSelf', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() < 3', message: 'too long' }] },
          tags: {
            type: 'array',
            items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'" }] },
          },
          pinned: { type: 'string', 'x-kubernetes-validations': [{ rule: "self == oldSelf && self != 'bad'" }] },
        },
      },
    },
  };
  const validator = celValidator(schema)!;
  const old = widget({ name: 'long', tags: ['bad'], pinned: 'bad' });
  const cases: [string, Obj, string[]][] = [
    [
      'nothing changed: only the transition rule',
      old,
      ['FieldValueInvalid spec.pinned: Invalid value: "string": failed rule: self == oldSelf && self != \'bad\''],
    ],
    [
      'changed values are checked, items of a changed atomic list too',
      widget({ name: 'longer', tags: ['bad', 'ok'], pinned: 'bad' }),
      [
        'FieldValueInvalid spec.name: Invalid value: "string": too long',
        'FieldValueInvalid spec.tags[0]: Invalid value: "string": failed rule: self != \'bad\'',
        'FieldValueInvalid spec.pinned: Invalid value: "string": failed rule: self == oldSelf && self != \'bad\'',
      ],
    ],
  ];
  for (const [name, obj, want] of cases) assert.deepEqual(messages(validator.validate(obj, old)), want, name);
  assert.equal(
    validator.validate(old).length,
    2,
    'a create ratchets nothing (the transition rule waits for an update)',
  );
});

test('CRD writes refuse oldSelf below lists that are not maps, and optionalOldSelf on rules without oldSelf', () => {
  const path = 'spec.versions[0].schema.openAPIV3Schema';
  const transition: ValidationRule = { rule: 'self == oldSelf' };
  const listOf = (listType?: string): JsonSchema => ({
    type: 'object',
    properties: {
      list: {
        type: 'array',
        ...(listType && { 'x-kubernetes-list-type': listType, 'x-kubernetes-list-map-keys': ['name'] }),
        items: {
          type: 'object',
          properties: { name: { type: 'string', 'x-kubernetes-validations': [transition] } },
        },
      },
    },
  });
  const items = `${path}.properties[list].items`;
  assert.deepEqual(messages(structuralErrors(listOf(), path)), [
    `FieldValueInvalid ${items}.properties[name].x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${items}`,
  ]);
  assert.deepEqual(messages(structuralErrors(listOf('map'), path)), []);
  assert.deepEqual(messages(structuralErrors(spec([{ rule: 'true', optionalOldSelf: true }]), path)), [
    `FieldValueInvalid ${path}.properties[spec].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
  ]);
});
