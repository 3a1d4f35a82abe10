/**
 * zod schemas → OpenAPI 3.0 schema objects. Written by hand rather than with `z.toJSONSchema`: the
 * document needs upstream component names with `$ref`s, `x-kubernetes-*` extensions and OpenAPI
 * 3.0 (not JSON Schema 2020-12), and our decoders are pipes whose shape lives on one side only.
 */
import { z } from 'zod';
import { isOpaque, reqInt, reqString } from '../../schemas/meta.js';
import type { ResourceType } from '../registry/resource.js';
import { innerSchema, structuralSchema } from '../registry/unknown-fields.js';
import { componentNameOf, listMetaName, ref, scalarComponents } from './names.js';
import type { TypeDescription } from './types.js';

/** One OpenAPI schema object, as JSON. */
export type OpenApiSchema = Record<string, unknown>;

/** The `components.schemas` of one document, filled as schemas are described. */
export type Components = Record<string, OpenApiSchema>;

/**
 * One document's components being filled, with what names and describes the schemas: the served
 * kinds' contributions and the shared ones (see `document.ts`).
 */
export interface ComponentsBuilder {
  components: Components;
  /** Component names of the schemas described once and referenced by `$ref`. */
  names: ReadonlyMap<z.ZodType, string>;
  /** Descriptions by component name. */
  descriptions: Readonly<Record<string, TypeDescription>>;
}

/** `{group, version, kind}`, the value of `x-kubernetes-group-version-kind` on operations. */
export function gvkOf(rt: Pick<ResourceType, 'group' | 'version'>, kind: string) {
  return { group: rt.group, version: rt.version, kind };
}

/**
 * Adds the component of `rt`'s kind (and of every named type it uses) to `components`, with the
 * `x-kubernetes-group-version-kind` list `kubectl explain` finds it by. Returns its name.
 */
export function addKindComponent(rt: ResourceType, doc: ComponentsBuilder): string {
  const name = componentNameOf(rt);
  const supplied = rt.openapi?.component;
  if (supplied) {
    doc.components[name] = { ...supplied, 'x-kubernetes-group-version-kind': [gvkOf(rt, rt.kind)] };
    return name;
  }
  const body = structuralSchema(rt.schema as z.ZodType);
  if (!(body instanceof z.ZodObject)) throw new Error(`${rt.kind}: the schema is not an object`);
  doc.components[name] = {
    ...objectSchema(body, name, doc),
    'x-kubernetes-group-version-kind': [gvkOf(rt, rt.kind)],
  };
  return name;
}

/** Adds the `<Kind>List` component of `rt` (and ListMeta). Returns its name. */
export function addListComponent(rt: ResourceType, doc: ComponentsBuilder): string {
  const kind = `${rt.kind}List`;
  const name = `${componentNameOf(rt)}List`;
  doc.components[listMetaName] ??= {
    type: 'object',
    description: 'Metadata of a list: its resourceVersion and the continue token of the next page.',
    properties: {
      resourceVersion: { type: 'string' },
      continue: { type: 'string' },
      remainingItemCount: { type: 'integer' },
      selfLink: { type: 'string' },
    },
  };
  doc.components[name] = {
    type: 'object',
    description: `A list of ${rt.kind} objects.`,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: ref(listMetaName),
      items: { type: 'array', items: ref(componentNameOf(rt)) },
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': [gvkOf(rt, kind)],
  };
  return name;
}

/** The schema of a field: a `$ref` for named types (defining them on first use), inline otherwise. */
function fieldSchema(schema: z.ZodType, doc: ComponentsBuilder): OpenApiSchema {
  for (let s: z.ZodType | undefined = schema; s; s = innerSchema(s)) {
    const name = doc.names.get(s);
    if (name) {
      defineComponent(name, s, doc);
      return ref(name);
    }
  }
  return inlineSchema(structuralSchema(schema), doc);
}

function defineComponent(name: string, schema: z.ZodType, doc: ComponentsBuilder): void {
  if (doc.components[name]) return;
  const scalar = scalarComponents[name];
  if (scalar) {
    doc.components[name] = scalar;
    return;
  }
  doc.components[name] = {}; // placeholder: a type that (indirectly) contains itself refers to it
  const body = structuralSchema(schema);
  doc.components[name] = body instanceof z.ZodObject ? objectSchema(body, name, doc) : inlineSchema(body, doc);
}

function inlineSchema(s: z.ZodType, doc: ComponentsBuilder): OpenApiSchema {
  if (s instanceof z.ZodObject) return objectSchema(s, undefined, doc);
  if (s instanceof z.ZodArray) return { type: 'array', items: fieldSchema(s.element as z.ZodType, doc) };
  if (s instanceof z.ZodRecord)
    return { type: 'object', additionalProperties: fieldSchema(s.valueType as z.ZodType, doc) };
  if (s instanceof z.ZodString) return { type: 'string' };
  if (s instanceof z.ZodNumber) return { type: s.isInt ? 'integer' : 'number' };
  if (s instanceof z.ZodBoolean) return { type: 'boolean' };
  if (s instanceof z.ZodUnion) return { oneOf: (s.options as z.ZodType[]).map((o) => fieldSchema(o, doc)) };
  return {};
}

/** An object: its properties with their descriptions, required (non-omitempty) fields, opaque marker. */
function objectSchema(s: z.ZodObject, name: string | undefined, doc: ComponentsBuilder): OpenApiSchema {
  const described = name ? doc.descriptions[name] : undefined;
  const properties: Record<string, OpenApiSchema> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
    properties[key] = withDescription(fieldSchema(field, doc), described?.fields?.[key]);
    if (field === reqString || field === reqInt) required.push(key);
  }
  const out: OpenApiSchema = { type: 'object' };
  if (described?.description) out.description = described.description;
  if (Object.keys(properties).length) out.properties = properties;
  if (required.length) out.required = required;
  // kplane lists only some fields of an opaque object and keeps the others as sent.
  if (isOpaque(s)) out['x-kubernetes-preserve-unknown-fields'] = true;
  return out;
}

/** OpenAPI 3.0 ignores siblings of `$ref`, so a described reference is wrapped in `allOf` as upstream does. */
function withDescription(schema: OpenApiSchema, description: string | undefined): OpenApiSchema {
  if (!description) return schema;
  return schema.$ref ? { allOf: [schema], description } : { ...schema, description };
}
