/**
 * Defaulting of custom objects from the schema's `default`s, after nulls of non-nullable fields are
 * dropped (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go
 * and prunenulls.go): a missing field with a default gets a copy of it, at any depth the object has.
 */
import { isObject, mapValueSchema, type JsonSchema } from './types.js';

/** Drops null non-nullable fields and fills defaults in `obj` (a whole custom object), in place. */
export function applyDefaults(schema: JsonSchema, obj: Record<string, unknown>): void {
  defaultObject(schema, obj);
}

function defaultValue(s: JsonSchema, value: unknown): void {
  if (Array.isArray(value)) {
    if (isObject(s.items)) {
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null && !s.items.nullable && s.items.default !== undefined)
          value[i] = structuredClone(s.items.default);
        defaultValue(s.items, value[i]);
      }
    }
    return;
  }
  if (isObject(value)) defaultObject(s, value);
}

function defaultObject(s: JsonSchema, obj: Record<string, unknown>): void {
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    if (obj[key] === null && !child.nullable) delete obj[key];
    if (obj[key] === undefined && child.default !== undefined) obj[key] = structuredClone(child.default);
    if (obj[key] !== undefined) defaultValue(child, obj[key]);
  }
  const values = mapValueSchema(s);
  if (!values) return;
  for (const key of Object.keys(obj)) {
    if (obj[key] === null && !values.nullable) delete obj[key];
    else defaultValue(values, obj[key]);
  }
}
