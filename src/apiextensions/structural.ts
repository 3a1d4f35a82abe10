/**
 * Whether a CRD version's schema is structural: the rules of
 * staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go
 * (`ValidateStructural`) that users meet most, with upstream's wording. Pruning, defaulting and
 * validation of custom objects rely on them.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { isObject, mapValueSchema, type JsonSchema } from './types.js';

/** Where a node sits: the root, a property, an array's items, or a map's values. */
type Level = 'root' | 'property' | 'items' | 'additionalProperties';

const emptyTypeDetail: Record<Level, string> = {
  root: 'must not be empty at the root',
  property: 'must not be empty for specified object fields',
  items: 'must not be empty for specified array items',
  additionalProperties: 'must not be empty for specified object fields',
};

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** Every violation in `schema`, each with its path below `path` (e.g. `spec.versions[0].schema.openAPIV3Schema`). */
export function structuralErrors(schema: unknown, path: string): StatusCause[] {
  if (!isObject(schema)) return [fieldError.required(path, '')];
  const causes: StatusCause[] = [];
  checkNode(schema as JsonSchema, path, 'root', causes);
  return causes;
}

/** The JSON type each keyword must have (JSONSchemaProps' Go types: a wrong one is undecodable upstream). */
const KEYWORD_TYPES: Record<string, 'string' | 'number' | 'boolean' | 'object' | 'array'> = {
  type: 'string',
  format: 'string',
  description: 'string',
  pattern: 'string',
  nullable: 'boolean',
  exclusiveMinimum: 'boolean',
  exclusiveMaximum: 'boolean',
  'x-kubernetes-int-or-string': 'boolean',
  'x-kubernetes-preserve-unknown-fields': 'boolean',
  'x-kubernetes-embedded-resource': 'boolean',
  minimum: 'number',
  maximum: 'number',
  minLength: 'number',
  maxLength: 'number',
  minItems: 'number',
  maxItems: 'number',
  properties: 'object',
  items: 'object',
  required: 'array',
  enum: 'array',
};

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/** Keywords of the wrong JSON type, `required` entries that are not strings, and patterns that do not compile. */
function checkKeywords(s: Record<string, unknown>, path: string, out: StatusCause[]): boolean {
  const before = out.length;
  for (const [keyword, type] of Object.entries(KEYWORD_TYPES)) {
    const value = s[keyword];
    if (value !== undefined && jsonTypeOf(value) !== type)
      out.push(fieldError.invalid(`${path}.${keyword}`, value, `must be of type ${type}`));
  }
  const ap = s.additionalProperties;
  if (ap !== undefined && typeof ap !== 'boolean' && !isObject(ap))
    out.push(fieldError.invalid(`${path}.additionalProperties`, ap, 'must be a boolean or a schema'));
  if (Array.isArray(s.required) && s.required.some((r) => typeof r !== 'string'))
    out.push(fieldError.invalid(`${path}.required`, s.required, 'must be a list of strings'));
  if (typeof s.pattern === 'string' && !compiles(s.pattern))
    out.push(fieldError.invalid(`${path}.pattern`, s.pattern, 'must be a valid regular expression'));
  return out.length === before;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function checkNode(s: JsonSchema, path: string, level: Level, out: StatusCause[]): void {
  if (!checkKeywords(s as Record<string, unknown>, path, out)) return;
  if (s.$ref !== undefined) out.push(fieldError.forbidden(`${path}.$ref`, '$ref is not supported'));
  checkType(s, path, level, out);
  if (s['x-kubernetes-preserve-unknown-fields'] === false)
    out.push(fieldError.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (s.properties !== undefined && s.additionalProperties !== undefined && s.additionalProperties !== false)
    out.push(
      fieldError.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'),
    );
  if (level === 'root') checkRootMetadata(s, path, out);
  for (const [name, child] of Object.entries(s.properties ?? {})) {
    if (isObject(child)) checkNode(child, `${path}.properties[${name}]`, 'property', out);
    else out.push(fieldError.invalid(`${path}.properties[${name}]`, child, 'must be a schema'));
  }
  if (isObject(s.items)) checkNode(s.items, `${path}.items`, 'items', out);
  const values = mapValueSchema(s);
  if (values) checkNode(values, `${path}.additionalProperties`, 'additionalProperties', out);
}

function checkType(s: JsonSchema, path: string, level: Level, out: StatusCause[]): void {
  const field = `${path}.type`;
  if (s['x-kubernetes-int-or-string']) {
    if (s.type) out.push(fieldError.invalid(field, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
    return;
  }
  if (s.type === undefined || s.type === '') {
    if (!s['x-kubernetes-preserve-unknown-fields'] || level === 'root')
      out.push(fieldError.required(field, emptyTypeDetail[level]));
    return;
  }
  if (!TYPES.includes(s.type)) out.push(fieldError.unsupported(field, s.type, TYPES));
  else if (level === 'root' && s.type !== 'object')
    out.push(fieldError.invalid(field, s.type, 'must be object at the root'));
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object')
    out.push(fieldError.invalid(field, s.type, 'must be object if x-kubernetes-embedded-resource is true'));
}

/** metadata is implicit at the root: a schema may only restrict `name` and `generateName` (as strings). */
function checkRootMetadata(s: JsonSchema, path: string, out: StatusCause[]): void {
  const meta = s.properties?.metadata;
  if (!isObject(meta)) return;
  const field = `${path}.properties[metadata]`;
  if (meta.type !== undefined && meta.type !== 'object')
    out.push(fieldError.invalid(`${field}.type`, meta.type, 'must be object if specified'));
  const others = Object.keys(meta).filter((k) => !['type', 'properties', 'description'].includes(k));
  const extraProps = Object.keys(meta.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
  if (others.length || extraProps.length)
    out.push(
      fieldError.forbidden(
        field,
        'must not specify anything other than name and generateName, but metadata is implicitly specified',
      ),
    );
}
