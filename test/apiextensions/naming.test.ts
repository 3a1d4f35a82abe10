import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namesAcceptance } from '../../src/apiextensions/naming.js';
import { customResourceDefinitions } from '../../src/registry/kinds/customresourcedefinition/index.js';
import type { ResourceType } from '../../src/registry/resource.js';
import { widgetCrd } from './fixtures.js';

/** A served kind of the group, reduced to its names. */
const served = (plural: string, kind: string, shortNames: string[] = []) =>
  ({ plural, singular: plural.replace(/s$/, ''), kind, shortNames }) as unknown as ResourceType;

test('names are checked against the kinds of the group', () => {
  const crd = customResourceDefinitions.schema.parse(widgetCrd());
  customResourceDefinitions.strategy.prepareForCreate?.(crd);
  const cases: [string, ResourceType[], boolean, [string, string, string][]][] = [
    [
      'no other kinds',
      [],
      false,
      [
        ['NamesAccepted', 'True', 'no conflicts found'],
        ['Established', 'True', 'the initial names have been accepted'],
      ],
    ],
    [
      'the plural is another kind short name',
      [served('gadgets', 'Gadget', ['widgets'])],
      false,
      [
        ['NamesAccepted', 'False', '"widgets" is already in use'],
        ['Established', 'False', 'not all names are accepted'],
      ],
    ],
    [
      'a short name taken',
      [served('gadgets', 'Gadget', ['wd'])],
      false,
      [
        ['NamesAccepted', 'False', '"wd" is already in use'],
        ['Established', 'False', 'not all names are accepted'],
      ],
    ],
    [
      'a conflict after establishment keeps Established',
      [served('gizmos', 'Widget')],
      true,
      [
        ['NamesAccepted', 'False', '"WidgetList" is already in use'],
        ['Established', 'True', 'the initial names have been accepted'],
      ],
    ],
  ];
  for (const [name, others, established, want] of cases) {
    const got = namesAcceptance(crd, others, established);
    assert.deepEqual(
      got.conditions.map((c) => [c.type, c.status, c.message]),
      want,
      name,
    );
    assert.equal(got.accepted, want[0][1] === 'True', name);
  }
});
