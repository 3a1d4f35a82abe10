/**
 * A custom kind's Table: Name, then the version's additionalPrinterColumns, or Age when it declares
 * none (staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor).
 */
import type { KubeObject } from '../apimachinery/object.js';
import {
  CREATION_TIMESTAMP_DESCRIPTION,
  nameColumn,
  timeSince,
  type TableCell,
  type TableColumnDefinition,
  type TableConvertor,
} from '../registry/table.js';
import type { CustomResourceColumnDefinition } from '../registry/kinds/customresourcedefinition/schema.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';

const AGE: CustomResourceColumnDefinition = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: CREATION_TIMESTAMP_DESCRIPTION,
};

/** The Table of a custom kind whose version declares `declared` columns. */
export function customTable(declared: readonly CustomResourceColumnDefinition[] | undefined): TableConvertor {
  const defs = declared?.length ? declared : [AGE];
  const columns: TableColumnDefinition[] = [
    nameColumn(),
    ...defs.map((c) => ({
      name: c.name,
      type: c.type as TableColumnDefinition['type'],
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  const paths = defs.map((c) => parseJsonPath(c.jsonPath));
  return {
    columns,
    cells: (obj: KubeObject, nowMs: number) => [
      obj.metadata.name ?? '',
      ...defs.map((c, i) => cell(c, paths[i] ? evaluateJsonPath(paths[i], obj) : [], nowMs)),
    ],
  };
}

/** One cell: the first match in the column's type; none is null (kubectl prints `<none>`). */
function cell(column: CustomResourceColumnDefinition, values: unknown[], nowMs: number): TableCell {
  if (!values.length) return null;
  const value = values[0];
  if (column.type === 'date') return typeof value === 'string' ? timeSince(value, nowMs) : null;
  if (column.type === 'integer' || column.type === 'number') return typeof value === 'number' ? value : null;
  if (column.type === 'boolean') return typeof value === 'boolean' ? value : null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
