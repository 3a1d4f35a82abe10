/** What a kind contributes to the OpenAPI documents, declared in the kind's folder, and the helpers to write it. */
import type { z } from 'zod';

/** The descriptions `kubectl explain` prints for one type: the type's own and one per field. */
export interface TypeDescription {
  description?: string;
  fields?: Record<string, string>;
}

/** A kind's OpenAPI contribution: names for its nested schemas and descriptions by component name. */
export interface KindOpenApi {
  /**
   * Upstream component names (`io.k8s.api.core.v1.ServiceSpec`) of nested schemas. A named schema
   * becomes one `components.schemas` entry referenced by `$ref`, so `kubectl explain` shows upstream
   * type names; any other object is described inline.
   */
  names?: readonly (readonly [z.ZodType, string])[];
  /** Descriptions by component name, the kind's own (`io.k8s.api.core.v1.Service`) included. */
  descriptions?: Readonly<Record<string, TypeDescription>>;
  /** The kind's component name when it does not follow `io.k8s.api.<group>.<version>.<Kind>` (CRDs, custom kinds). */
  name?: string;
  /**
   * The kind's whole component schema, used as is instead of one derived from its zod schema (a
   * custom kind publishes its CRD's openAPIV3Schema). `names` and `descriptions` do not apply to it.
   */
  component?: Readonly<Record<string, unknown>>;
}

/** Upstream's package prefixes of component names. */
export const coreV1 = 'io.k8s.api.core.v1';
export const networkingV1 = 'io.k8s.api.networking.v1';
export const discoveryV1 = 'io.k8s.api.discovery.v1';
export const metaV1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The fields every kind has, described once. */
const objectFields: Record<string, string> = {
  apiVersion:
    'Versioned schema of this representation of an object; the server converts recognized schemas to the latest internal value.',
  kind: 'The REST resource this object represents, in CamelCase. Inferred from the endpoint the client submits requests to; cannot be updated.',
  metadata: "Standard object's metadata: name, namespace, labels, annotations and the server-managed fields.",
  spec: 'The desired behavior of the object, set by its users.',
  status: 'The most recently observed status of the object, set by the system. Read-only for users.',
};

/** Descriptions of the standard fields of a kind, with its own text for the type. */
export function kindDescription(description: string, fields: Record<string, string> = {}): TypeDescription {
  return { description, fields: { ...objectFields, ...fields } };
}
