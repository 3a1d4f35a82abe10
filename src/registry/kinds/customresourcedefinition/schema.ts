/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/types.go). The version
 * schemas (`openAPIV3Schema`) and subresources stay opaque: src/apiextensions reads them.
 */
import { z } from 'zod';
import {
  ConditionSchema,
  kindSchema,
  metadata,
  modeled,
  opaque,
  optBool,
  optInt,
  optString,
  optStrings,
  reqString,
  typeMeta,
} from '../../../../schemas/meta.js';

export const CustomResourceDefinitionNamesSchema = modeled({
  plural: reqString,
  singular: optString,
  shortNames: optStrings,
  kind: reqString,
  listKind: optString,
  categories: optStrings,
});
export type CustomResourceDefinitionNames = z.infer<typeof CustomResourceDefinitionNamesSchema>;

export const CustomResourceColumnDefinitionSchema = modeled({
  name: reqString,
  type: reqString,
  format: optString,
  description: optString,
  priority: optInt,
  jsonPath: reqString,
});
export type CustomResourceColumnDefinition = z.infer<typeof CustomResourceColumnDefinitionSchema>;

export const CustomResourceValidationSchema = opaque({ openAPIV3Schema: opaque().optional() });

export const CustomResourceSubresourcesSchema = opaque({ status: opaque().optional(), scale: opaque().optional() });

export const SelectableFieldSchema = modeled({ jsonPath: reqString });

export const CustomResourceDefinitionVersionSchema = modeled({
  name: reqString,
  served: z.boolean().default(false),
  storage: z.boolean().default(false),
  deprecated: optBool,
  deprecationWarning: optString,
  schema: CustomResourceValidationSchema.optional(),
  subresources: CustomResourceSubresourcesSchema.optional(),
  additionalPrinterColumns: z.array(CustomResourceColumnDefinitionSchema).optional(),
  selectableFields: z.array(SelectableFieldSchema).optional(),
});
export type CustomResourceDefinitionVersion = z.infer<typeof CustomResourceDefinitionVersionSchema>;

export const CustomResourceDefinitionSpecSchema = modeled({
  group: reqString,
  names: CustomResourceDefinitionNamesSchema.prefault({}),
  scope: reqString,
  versions: z.array(CustomResourceDefinitionVersionSchema).default(() => []),
  conversion: opaque().optional(),
  preserveUnknownFields: optBool,
});
export type CustomResourceDefinitionSpec = z.infer<typeof CustomResourceDefinitionSpecSchema>;

export const CustomResourceDefinitionStatusSchema = modeled({
  conditions: z.array(ConditionSchema).optional(),
  acceptedNames: CustomResourceDefinitionNamesSchema.optional(),
  storedVersions: optStrings,
});
export type CustomResourceDefinitionStatus = z.infer<typeof CustomResourceDefinitionStatusSchema>;

export const CustomResourceDefinitionSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: CustomResourceDefinitionSpecSchema.prefault({}),
    status: CustomResourceDefinitionStatusSchema.optional(),
  }),
);
export type CustomResourceDefinition = z.infer<typeof CustomResourceDefinitionSchema>;

/** The version objects are stored in (exactly one after validation). */
export function storageVersion(crd: CustomResourceDefinition): CustomResourceDefinitionVersion | undefined {
  return crd.spec.versions.find((v) => v.storage);
}
