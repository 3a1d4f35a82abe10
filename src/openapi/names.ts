/**
 * Upstream OpenAPI names (`io.k8s.api.core.v1.PodSpec`) of zod schemas. A named schema becomes one
 * entry of `components.schemas` referenced by `$ref`, so `kubectl explain` shows the upstream type
 * names (`<[]Container>`); any other object is described inline.
 */
import type { z } from 'zod';
import {
  ConditionSchema,
  IntOrString,
  LabelSelectorRequirementSchema,
  LabelSelectorSchema,
  ManagedFieldsEntrySchema,
  MicroTime,
  ObjectMetaSchema,
  ObjectReferenceSchema,
  OwnerReferenceSchema,
  PortStatusSchema,
  Quantity,
  Time,
  TypedLocalObjectReferenceSchema,
} from '../../schemas/meta.js';
import type { ResourceType } from '../registry/resource.js';
import { coreV1, metaV1 } from './types.js';

/** The component name of `metav1.ListMeta`, the metadata of every list kind. */
export const listMetaName = `${metaV1}.ListMeta`;

/** Names of the schemas every kind shares; each kind names its own in its folder. */
const sharedNames: readonly (readonly [z.ZodType, string])[] = [
  [Time, `${metaV1}.Time`],
  [MicroTime, `${metaV1}.MicroTime`],
  [IntOrString, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'],
  [Quantity, 'io.k8s.apimachinery.pkg.api.resource.Quantity'],
  [ObjectMetaSchema, `${metaV1}.ObjectMeta`],
  [OwnerReferenceSchema, `${metaV1}.OwnerReference`],
  [ManagedFieldsEntrySchema, `${metaV1}.ManagedFieldsEntry`],
  [LabelSelectorSchema, `${metaV1}.LabelSelector`],
  [LabelSelectorRequirementSchema, `${metaV1}.LabelSelectorRequirement`],
  [ConditionSchema, `${metaV1}.Condition`],
  [ObjectReferenceSchema, `${coreV1}.ObjectReference`],
  [TypedLocalObjectReferenceSchema, `${coreV1}.TypedLocalObjectReference`],
  [PortStatusSchema, `${coreV1}.PortStatus`],
];

/** The component names of `kinds`' schemas and the shared ones: the schemas described once and referenced. */
export function namedSchemas(kinds: readonly ResourceType[]): ReadonlyMap<z.ZodType, string> {
  return new Map([...sharedNames, ...kinds.flatMap((rt) => rt.openapi?.names ?? [])]);
}

/**
 * Types with custom JSON encodings upstream (timestamps, int-or-string, quantities), described as
 * upstream's documents describe them rather than from their zod shape (a union, a transformed string).
 */
export const scalarComponents: Readonly<Record<string, Record<string, unknown>>> = {
  [`${metaV1}.Time`]: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form, at second precision.',
  },
  [`${metaV1}.MicroTime`]: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form, at microsecond precision.',
  },
  // Unions carry no `type`, which is also what makes `kubectl explain` print their names.
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    description: 'An integer or a string (a port number or name).',
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    oneOf: [{ type: 'string' }, { type: 'number' }],
    description: 'A fixed-point number with an optional SI or binary suffix (500m, 1Gi, 2).',
  },
};

/**
 * The component name of a kind, as upstream derives it from the Go package:
 * `io.k8s.api.<first label of the group, or core>.<version>.<Kind>` (`io.k8s.api.networking.v1.Ingress`).
 */
export function kindComponentName(rt: Pick<ResourceType, 'group' | 'version'>, kind: string): string {
  const pkg = rt.group === '' ? 'core' : rt.group.split('.')[0];
  return `io.k8s.api.${pkg}.${rt.version}.${kind}`;
}

/** The component name of `rt`'s kind: the one it supplies (CRDs, custom kinds), else upstream's built-in pattern. */
export function componentNameOf(rt: ResourceType): string {
  return rt.openapi?.name ?? kindComponentName(rt, rt.kind);
}

/** Reference to a component of the same document. */
export function ref(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}
