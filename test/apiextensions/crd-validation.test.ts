import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customTable } from '../../src/apiextensions/columns.js';
import { evaluateJsonPath, parseJsonPath } from '../../src/apiextensions/jsonpath.js';
import { customResourceDefinitions } from '../../src/registry/kinds/customresourcedefinition/index.js';
import { widgetCrd } from './fixtures.js';

type Body = ReturnType<typeof widgetCrd>;

/** decode → prepareForCreate → validate, as the registry runs them; the causes as `field: message`. */
function validate(edit: (crd: Body) => void): string[] {
  const body = widgetCrd();
  edit(body);
  const crd = customResourceDefinitions.schema.parse(body);
  customResourceDefinitions.strategy.prepareForCreate?.(crd);
  return customResourceDefinitions.strategy.validate(crd).map((c) => `${c.field}: ${c.message}`);
}

const version = (crd: Body) => crd.spec.versions[0] as Record<string, any>;

test('CustomResourceDefinition validation', () => {
  const cases: [string, (crd: Body) => void, string[]][] = [
    ['a valid CRD', () => {}, []],
    [
      'a name that is not plural.group',
      (crd) => (crd.metadata.name = 'widget.example.kplane.io'),
      ['metadata.name: Invalid value: "widget.example.kplane.io": must be spec.names.plural+"."+spec.group'],
    ],
    [
      'a group without a dot',
      (crd) => {
        crd.spec.group = 'example';
        crd.metadata.name = 'widgets.example';
      },
      ['spec.group: Invalid value: "example": should be a domain with at least one dot'],
    ],
    [
      'an unknown scope',
      (crd) => (crd.spec.scope = 'Global'),
      ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
    ],
    [
      'no kind',
      (crd) => (crd.spec.names.kind = ''),
      ['spec.names.kind: Required value', 'spec.names.listKind: Required value'],
    ],
    [
      'an upper-case plural',
      (crd) => {
        crd.spec.names.plural = 'Widgets';
        crd.metadata.name = 'Widgets.example.kplane.io';
      },
      [
        "spec.names.plural: Invalid value: \"Widgets\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    [
      'no storage version',
      (crd) => (version(crd).storage = false),
      ['spec.versions: Invalid value: "[v1]": must have exactly one version marked as storage version'],
    ],
    [
      'two storage versions with one name',
      (crd) => crd.spec.versions.push({ ...crd.spec.versions[0] }),
      [
        'spec.versions: Invalid value: "[v1 v1]": must contain unique version names',
        'spec.versions: Invalid value: "[v1 v1]": must have exactly one version marked as storage version',
      ],
    ],
    [
      'nothing served',
      (crd) => (version(crd).served = false),
      ['spec.versions: Invalid value: "[v1]": must serve at least one version'],
    ],
    [
      'no schema',
      (crd) => delete version(crd).schema,
      ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
    ],
    [
      'a non-structural schema',
      (crd) => (version(crd).schema.openAPIV3Schema.properties.spec.properties.color = { enum: ['red'] }),
      [
        'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[color].type: Required value: must not be empty for specified object fields',
      ],
    ],
    [
      'a printer column of an unknown type',
      (crd) => (version(crd).additionalPrinterColumns[0].type = 'text'),
      [
        'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      ],
    ],
  ];
  for (const [name, edit, want] of cases) assert.deepEqual(validate(edit), want, name);
});

test('names are defaulted from the kind', () => {
  const body = widgetCrd({ names: { singular: undefined } });
  const crd = customResourceDefinitions.schema.parse(body);
  customResourceDefinitions.strategy.prepareForCreate?.(crd);
  assert.equal(crd.spec.names.singular, 'widget');
  assert.equal(crd.spec.names.listKind, 'WidgetList');
});

test('the JSONPath subset of printer columns', () => {
  const obj = {
    spec: { a: { b: 1 }, l: ['x', 'y'] },
    status: { conditions: [{ type: 'A' }, { type: 'Ready', status: 'True' }] },
  };
  const cases: [string, unknown[] | undefined][] = [
    ['.spec.a.b', [1]],
    ['.spec.l[1]', ['y']],
    [".spec['a'].b", [1]],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.spec.missing', []],
    ['.spec.l[*]', undefined],
  ];
  for (const [path, want] of cases) {
    const steps = parseJsonPath(path);
    assert.deepEqual(steps && evaluateJsonPath(steps, obj), want, path);
  }
});

test('a custom Table: Name, the declared columns, or Age when none is declared', () => {
  const now = Date.parse('2024-01-01T00:10:00Z');
  const obj = { metadata: { name: 'w', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { replicas: 2 } };
  const declared = customTable([
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 },
  ]);
  assert.deepEqual(
    declared.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Replicas', 'integer', 0],
      ['Color', 'string', 1],
    ],
  );
  assert.deepEqual(declared.cells(obj, now), ['w', 2, null]);
  const plain = customTable(undefined);
  assert.deepEqual(
    plain.columns.map((c) => c.name),
    ['Name', 'Age'],
  );
  assert.deepEqual(plain.cells(obj, now), ['w', '10m']);
});
