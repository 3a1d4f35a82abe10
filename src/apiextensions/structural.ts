/**
 * Whether a CRD version's schema is structural: the rules of
 * staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go
 * (`ValidateStructural`) that users meet most, with upstream's wording. Pruning, defaulting and
 * validation of custom objects rely on them.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { ruleErrors } from './cel-rules.js';
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
  causes.push(...ruleErrors(schema as JsonSchema, path));
  // Upstream sorts by the error text, so the order does not depend on map iteration.
  const text = (c: StatusCause) => `${c.field}: ${c.message}`;
  return causes.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
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
  const patternError = typeof s.pattern === 'string' ? compileError(s.pattern) : undefined;
  if (patternError)
    out.push(
      fieldError.invalid(
        `${path}.pattern`,
        s.pattern,
        `must be a valid regular expression, but isn't: ${patternError}`,
      ),
    );
  return out.length === before;
}

/** Why `pattern` does not compile (JavaScript's words, not Go's), or undefined. */
function compileError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function checkNode(s: JsonSchema, path: string, level: Level, out: StatusCause[]): void {
  if (Array.isArray(s.items)) {
    out.push(fieldError.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
    return;
  }
  if (!checkKeywords(s as Record<string, unknown>, path, out)) return;
  if (s.type === 'null') out.push(fieldError.forbidden(`${path}.type`, 'type cannot be set to null'));
  if ((s as { uniqueItems?: unknown }).uniqueItems === true)
    out.push(
      fieldError.forbidden(
        `${path}.uniqueItems`,
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  if (s.$ref !== undefined) out.push(fieldError.forbidden(`${path}.$ref`, '$ref is not supported'));
  checkType(s, path, level, out);
  checkExtensions(s, path, out);
  if (s.type === 'array' && s.items === undefined) out.push(fieldError.required(`${path}.items`, 'must be specified'));
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (level === 'root')
      out.push(fieldError.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (s.properties !== undefined)
      out.push(
        fieldError.forbidden(
          `${path}.additionalProperties`,
          'additionalProperties and properties are mutual exclusive',
        ),
      );
  }
  if (level === 'root' || s['x-kubernetes-embedded-resource']) checkObjectMetaFields(s, path, level, out);
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
  const embedded = s['x-kubernetes-embedded-resource'];
  if (s.type && s.type !== 'null' && !TYPES.includes(s.type)) out.push(fieldError.unsupported(field, s.type, TYPES));
  if (embedded && s.type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    out.push(s.type ? fieldError.invalid(field, s.type, detail) : fieldError.required(field, detail));
  } else if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    out.push(fieldError.required(field, emptyTypeDetail[level]));
  }
  if (s.type && s['x-kubernetes-int-or-string'])
    out.push(fieldError.invalid(field, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (level === 'root' && s.type && s.type !== 'object')
    out.push(fieldError.invalid(field, s.type, 'must be object at the root'));
}

function checkExtensions(s: JsonSchema, path: string, out: StatusCause[]): void {
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  if (preserve === false)
    out.push(fieldError.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (s['x-kubernetes-int-or-string']) {
    if (preserve)
      out.push(
        fieldError.invalid(
          `${path}.x-kubernetes-preserve-unknown-fields`,
          true,
          'must be false if x-kubernetes-int-or-string is true',
        ),
      );
    if (s['x-kubernetes-embedded-resource'])
      out.push(
        fieldError.invalid(
          `${path}.x-kubernetes-embedded-resource`,
          true,
          'must be false if x-kubernetes-int-or-string is true',
        ),
      );
  }
  if (s['x-kubernetes-embedded-resource'] && !preserve && !Object.keys(s.properties ?? {}).length)
    out.push(
      fieldError.required(
        `${path}.properties`,
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
}

/**
 * At the root and in embedded resources, apiVersion and kind are strings and metadata an object
 * that may only restrict `name` and `generateName`, and only at the root (ObjectMeta is implicit).
 */
function checkObjectMetaFields(s: JsonSchema, path: string, level: Level, out: StatusCause[]): void {
  for (const name of ['apiVersion', 'kind']) {
    const field = s.properties?.[name];
    if (isObject(field) && field.type !== 'string')
      out.push(fieldError.invalid(`${path}.properties[${name}].type`, field.type ?? '', 'must be string'));
  }
  const meta = s.properties?.metadata;
  if (!isObject(meta)) return;
  const field = `${path}.properties[metadata]`;
  if (meta.type !== 'object') out.push(fieldError.invalid(`${field}.type`, meta.type ?? '', 'must be object'));
  if (level !== 'root') return;
  const others = Object.keys(meta).filter((k) => k !== 'type' && k !== 'properties');
  const extraProps = Object.keys(meta.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
  if (others.length || extraProps.length)
    out.push(
      fieldError.forbidden(
        field,
        'must not specify anything other than name and generateName, but metadata is implicitly specified',
      ),
    );
}
