/**
 * Validates a custom object against its structural schema with the messages of
 * k8s.io/kube-openapi/pkg/validation/errors, turned into field errors as
 * staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/validation/validation.go
 * (`kubeOpenAPIResultToFieldErrors`) does: a wrong type is "Invalid value" naming the value's type,
 * a missing required field "Required value", an enum miss "Unsupported value", too long or too many
 * their own reasons, everything else "Invalid value" with kube-openapi's sentence.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { tooMany } from '../apimachinery/validation.js';
import { isObject, mapValueSchema, type JsonSchema } from './types.js';

/** Fields of the root that the schema does not govern (metadata has ObjectMeta's own rules). */
const ROOT_SYSTEM_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Every problem of `obj` (a whole custom object) against `schema`, with field paths like `spec.replicas`. */
export function validateCustomObject(schema: JsonSchema, obj: Record<string, unknown>): StatusCause[] {
  const out: StatusCause[] = [];
  for (const name of schema.required ?? []) {
    if (!ROOT_SYSTEM_FIELDS.has(name) && obj[name] === undefined) out.push(fieldError.required(name));
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    if (!ROOT_SYSTEM_FIELDS.has(name) && obj[name] !== undefined) validateValue(child, obj[name], name, out);
  }
  return out;
}

/** kube-openapi's name of a JSON value's type, as its type errors show it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * kube-openapi's InvalidType as a TypeInvalid field error: a value of the wrong type names its own
 * type (`"string"`); a string of the wrong format is quoted itself; other values are not shown.
 */
function typeInvalid(path: string, badValue: unknown, type: string): StatusCause {
  const data = typeof badValue === 'string' ? `: ${JSON.stringify(badValue)}` : '';
  return {
    reason: 'FieldValueTypeInvalid',
    message: `Invalid value: ${JSON.stringify(badValue)}: ${path} in body must be of type ${type}${data}`,
    field: path,
  };
}

function hasType(value: unknown, type: string): boolean {
  const actual = jsonType(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function validateValue(s: JsonSchema, value: unknown, path: string, out: StatusCause[]): void {
  if (value === null) {
    if (!s.nullable && s.type) out.push(typeInvalid(path, jsonType(value), s.type));
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (!hasType(value, 'integer') && typeof value !== 'string')
      out.push(typeInvalid(path, jsonType(value), 'integer,string'));
  } else if (s.type && !hasType(value, s.type)) {
    out.push(typeInvalid(path, jsonType(value), s.type));
    return;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    out.push(
      fieldError.unsupported(
        path,
        value,
        s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
      ),
    );
  if (typeof value === 'string') validateString(s, value, path, out);
  else if (typeof value === 'number') validateNumber(s, value, path, out);
  else if (Array.isArray(value)) validateArray(s, value, path, out);
  else if (isObject(value)) validateObject(s, value, path, out);
}

function validateString(s: JsonSchema, value: string, path: string, out: StatusCause[]): void {
  const length = [...value].length;
  if (s.maxLength !== undefined && length > s.maxLength) out.push(fieldError.tooLong(path, s.maxLength));
  if (s.minLength !== undefined && length < s.minLength)
    out.push(fieldError.invalid(path, value, `${path} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined && !matches(s.pattern, value))
    out.push(fieldError.invalid(path, value, `${path} in body should match '${s.pattern}'`));
  if (s.format && !stringFormatValid(s.format, value)) out.push(typeInvalid(path, value, s.format));
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true; // an invalid pattern is refused when the CRD is written
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The string formats kube-openapi checks that CRDs use most; unknown formats pass, as upstream. */
function stringFormatValid(format: string, value: string): boolean {
  switch (format) {
    case 'date-time':
      return RFC3339.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')));
    case 'date':
      return DATE.test(value) && !Number.isNaN(Date.parse(value));
    case 'byte':
      return BASE64.test(value);
    default:
      return true;
  }
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function validateNumber(s: JsonSchema, value: number, path: string, out: StatusCause[]): void {
  if (s.format === 'int32' && (value < INT32.min || value > INT32.max)) out.push(typeInvalid(path, value, 'int32'));
  if (s.format === 'int64' && !Number.isSafeInteger(value) && Number.isInteger(value))
    out.push(typeInvalid(path, value, 'int64'));
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum) {
      const bound = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      out.push(fieldError.invalid(path, value, `${path} in body should be ${bound} ${s.maximum}`));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum) {
      const bound = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      out.push(fieldError.invalid(path, value, `${path} in body should be ${bound} ${s.minimum}`));
    }
  }
}

/** Items first, then the bounds, in kube-openapi's order; a bound's error shows the array's length. */
function validateArray(s: JsonSchema, value: unknown[], path: string, out: StatusCause[]): void {
  if (isObject(s.items)) value.forEach((item, i) => validateValue(s.items!, item, `${path}[${i}]`, out));
  if (s.minItems !== undefined && value.length < s.minItems)
    out.push(fieldError.invalid(path, value.length, `${path} in body should have at least ${s.minItems} items`));
  if (s.maxItems !== undefined && value.length > s.maxItems) out.push(tooMany(path, value.length, s.maxItems));
}

function validateObject(s: JsonSchema, value: Record<string, unknown>, path: string, out: StatusCause[]): void {
  if (s['x-kubernetes-embedded-resource']) validateEmbedded(value, path, out);
  for (const name of s.required ?? []) {
    if (value[name] === undefined) out.push(fieldError.required(`${path}.${name}`));
  }
  for (const [name, child] of Object.entries(s.properties ?? {})) {
    if (value[name] !== undefined) validateValue(child, value[name], `${path}.${name}`, out);
  }
  const values = mapValueSchema(s);
  if (values) for (const [k, v] of Object.entries(value)) validateValue(values, v, `${path}.${k}`, out);
}

/** An embedded object must say what it is (validation.go `validateEmbeddedResource`). */
function validateEmbedded(value: Record<string, unknown>, path: string, out: StatusCause[]): void {
  if (!value.apiVersion) out.push(fieldError.required(`${path}.apiVersion`, 'must not be empty'));
  if (!value.kind) out.push(fieldError.required(`${path}.kind`, 'must not be empty'));
}
