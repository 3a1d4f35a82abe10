/**
 * Unknown fields, as kube-apiserver's strict decoder sees them: a field is unknown when it sits in
 * an object built with `modeled(...)` (which lists every upstream field) and is not listed there.
 * Everything below an `opaque(...)` object, a union or an `unknown` is legitimate.
 */
import { z } from 'zod';
import { isOpaque } from '../../schemas/meta.js';

/** A field's location: object keys and array indexes, outermost first. */
export type FieldPath = readonly (string | number)[];

/**
 * The schema a wrapper stands for, one step in: optional/nullable/default/prefault give their inner
 * type; a pipe gives the side that describes the JSON shape (its output when the input side is a
 * preprocess function, otherwise its input, as for a string normalized by a transform). Undefined
 * for a schema that wraps nothing.
 */
export function innerSchema(schema: z.ZodType): z.ZodType | undefined {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault
  ) {
    return schema.unwrap() as z.ZodType;
  }
  if (schema instanceof z.ZodPipe) return (schema.in instanceof z.ZodTransform ? schema.out : schema.in) as z.ZodType;
  return undefined;
}

/** The schema that describes the JSON shape under all wrappers (see `innerSchema`). */
export function structuralSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let next = innerSchema(current); next; next = innerSchema(current)) current = next;
  return current;
}

/** What the walker needs of a schema node, computed once per schema (decoding is a hot path). */
type Node =
  | { kind: 'object'; fields: ReadonlyMap<string, z.ZodType> }
  | { kind: 'array'; element: z.ZodType }
  | { kind: 'record'; value: z.ZodType }
  | { kind: 'leaf' };

const nodes = new WeakMap<z.ZodType, Node>();

function nodeOf(schema: z.ZodType): Node {
  let node = nodes.get(schema);
  if (!node) {
    node = describe(structuralSchema(schema));
    nodes.set(schema, node);
  }
  return node;
}

function describe(s: z.ZodType): Node {
  if (s instanceof z.ZodArray) return { kind: 'array', element: s.element as z.ZodType };
  if (s instanceof z.ZodRecord) return { kind: 'record', value: s.valueType as z.ZodType };
  // Unions hold scalars (IntOrString, Quantity); opaque objects accept anything below them.
  if (!(s instanceof z.ZodObject) || isOpaque(s)) return { kind: 'leaf' };
  return { kind: 'object', fields: new Map(Object.entries(s.shape as Record<string, z.ZodType>)) };
}

/**
 * Finds the unknown fields of `input` (a request body as the client sent it) in document order, and
 * deletes each of them from `output` (what `schema` decoded from it, which keeps unknown fields),
 * as Go's decoder drops fields its structs do not have. Returns their paths.
 */
export function dropUnknownFields(schema: z.ZodType, input: unknown, output: unknown): FieldPath[] {
  const found: FieldPath[] = [];
  walk(schema, input, output, [], found);
  return found;
}

/** `path` is the location of `input`, shared and restored on return (copied only for a finding). */
function walk(schema: z.ZodType, input: unknown, output: unknown, path: (string | number)[], found: FieldPath[]): void {
  if (typeof input !== 'object' || input === null) return;
  const node = nodeOf(schema);
  if (node.kind === 'leaf') return;
  if (node.kind === 'array') {
    if (!Array.isArray(input)) return;
    const out = Array.isArray(output) ? output : undefined;
    for (let i = 0; i < input.length; i++) {
      path.push(i);
      walk(node.element, input[i], out?.[i], path, found);
      path.pop();
    }
    return;
  }
  if (Array.isArray(input)) return;
  const inObj = input as Record<string, unknown>;
  const outObj = isPlainObject(output) ? output : undefined;
  for (const key of Object.keys(inObj)) {
    const field = node.kind === 'record' ? node.value : node.fields.get(key);
    path.push(key);
    if (field) walk(field, inObj[key], outObj?.[key], path, found);
    else {
      found.push([...path]);
      if (outObj) delete outObj[key];
    }
    path.pop();
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
