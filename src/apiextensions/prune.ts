/**
 * Pruning of custom objects: fields the structural schema does not specify are dropped, unless
 * `x-kubernetes-preserve-unknown-fields` keeps them
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go).
 * apiVersion, kind and metadata of the object (and of embedded resources) are not the schema's.
 */
import type { FieldPath } from '../registry/unknown-fields.js';
import { isObject, mapValueSchema, type JsonSchema } from './types.js';

const SYSTEM_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Removes, in place, every field of `obj` (a whole custom object) that `schema` does not allow.
 * Returns their paths in document order, for strict field validation to report.
 */
export function prune(schema: JsonSchema, obj: Record<string, unknown>): FieldPath[] {
  const pruned: FieldPath[] = [];
  pruneObject(schema, obj, true, [], pruned);
  return pruned;
}

function pruneValue(s: JsonSchema, value: unknown, path: FieldPath, pruned: FieldPath[]): void {
  if (Array.isArray(value)) {
    if (isObject(s.items)) value.forEach((item, i) => pruneValue(s.items!, item, [...path, i], pruned));
    return;
  }
  if (isObject(value)) pruneObject(s, value, !!s['x-kubernetes-embedded-resource'], path, pruned);
}

function pruneObject(
  s: JsonSchema,
  obj: Record<string, unknown>,
  keepsSystemFields: boolean,
  path: FieldPath,
  pruned: FieldPath[],
): void {
  const values = mapValueSchema(s);
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true;
  for (const key of Object.keys(obj)) {
    if (keepsSystemFields && SYSTEM_FIELDS.has(key)) continue;
    const child = s.properties?.[key] ?? values;
    if (child) pruneValue(child, obj[key], [...path, key], pruned);
    else if (!preserve) {
      delete obj[key];
      pruned.push([...path, key]);
    }
  }
}
