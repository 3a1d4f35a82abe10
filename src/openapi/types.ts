/** What a kind contributes to the OpenAPI documents, declared in the kind's folder. */
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
}
