/**
 * zod schemas → OpenAPI 3.0 schema objects. Written by hand rather than with `z.toJSONSchema`: the
 * document needs upstream component names with `$ref`s, `x-kubernetes-*` extensions and OpenAPI
 * 3.0 (not JSON Schema 2020-12), and our decoders are pipes whose shape lives on one side only.
 */
import { z } from 'zod';
import { isOpaque, reqInt, reqString } from '../../schemas/meta.js';
import type { ResourceType } from '../registry/resource.js';
import { innerSchema, structuralSchema } from '../registry/unknown-fields.js';
import { descriptions } from './descriptions.js';
import { componentName, kindComponentName, listMetaName, ref, scalarComponents } from './names.js';

/** One OpenAPI schema object, as JSON. */
export type OpenApiSchema = Record<string, unknown>;

/** The `components.schemas` of one document, filled as schemas are described. */
export type Components = Record<string, OpenApiSchema>;

/** `{group, version, kind}`, the value of `x-kubernetes-group-version-kind` on operations. */
export function gvkOf(rt: Pick<ResourceType, 'group' | 'version'>, kind: string) {
  return { group: rt.group, version: rt.version, kind };
}

/**
 * Adds the component of `rt`'s kind (and of every named type it uses) to `components`, with the
 * `x-kubernetes-group-version-kind` list `kubectl explain` finds it by. Returns its name.
 */
export function addKindComponent(rt: ResourceType, components: Components): string {
  const name = kindComponentName(rt, rt.kind);
  const body = structuralSchema(rt.schema as z.ZodType);
  if (!(body instanceof z.ZodObject)) throw new Error(`${rt.kind}: the schema is not an object`);
  components[name] = {
    ...objectSchema(body, name, components),
    'x-kubernetes-group-version-kind': [gvkOf(rt, rt.kind)],
  };
  return name;
}

/** Adds the `<Kind>List` component of `rt` (and ListMeta). Returns its name. */
export function addListComponent(rt: ResourceType, components: Components): string {
  const kind = `${rt.kind}List`;
  const name = kindComponentName(rt, kind);
  components[listMetaName] ??= {
    type: 'object',
    description: 'Metadata of a list: its resourceVersion and the continue token of the next page.',
    properties: {
      resourceVersion: { type: 'string' },
      continue: { type: 'string' },
      remainingItemCount: { type: 'integer' },
      selfLink: { type: 'string' },
    },
  };
  components[name] = {
    type: 'object',
    description: `A list of ${rt.kind} objects.`,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: ref(listMetaName),
      items: { type: 'array', items: ref(kindComponentName(rt, rt.kind)) },
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': [gvkOf(rt, kind)],
  };
  return name;
}

/** The schema of a field: a `$ref` for named types (defining them on first use), inline otherwise. */
function fieldSchema(schema: z.ZodType, components: Components): OpenApiSchema {
  for (let s: z.ZodType | undefined = schema; s; s = innerSchema(s)) {
    const name = componentName(s);
    if (name) {
      defineComponent(name, s, components);
      return ref(name);
    }
  }
  return inlineSchema(structuralSchema(schema), components);
}

function defineComponent(name: string, schema: z.ZodType, components: Components): void {
  if (components[name]) return;
  const scalar = scalarComponents[name];
  if (scalar) {
    components[name] = scalar;
    return;
  }
  components[name] = {}; // placeholder: a type that (indirectly) contains itself refers to it
  const body = structuralSchema(schema);
  components[name] =
    body instanceof z.ZodObject ? objectSchema(body, name, components) : inlineSchema(body, components);
}

function inlineSchema(s: z.ZodType, components: Components): OpenApiSchema {
  if (s instanceof z.ZodObject) return objectSchema(s, undefined, components);
  if (s instanceof z.ZodArray) return { type: 'array', items: fieldSchema(s.element as z.ZodType, components) };
  if (s instanceof z.ZodRecord)
    return { type: 'object', additionalProperties: fieldSchema(s.valueType as z.ZodType, components) };
  if (s instanceof z.ZodString) return { type: 'string' };
  if (s instanceof z.ZodNumber) return { type: s.isInt ? 'integer' : 'number' };
  if (s instanceof z.ZodBoolean) return { type: 'boolean' };
  if (s instanceof z.ZodUnion) return { oneOf: (s.options as z.ZodType[]).map((o) => fieldSchema(o, components)) };
  return {};
}

/** An object: its properties with their descriptions, required (non-omitempty) fields, opaque marker. */
function objectSchema(s: z.ZodObject, name: string | undefined, components: Components): OpenApiSchema {
  const described = name ? descriptions[name] : undefined;
  const properties: Record<string, OpenApiSchema> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
    properties[key] = withDescription(fieldSchema(field, components), described?.fields?.[key]);
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
