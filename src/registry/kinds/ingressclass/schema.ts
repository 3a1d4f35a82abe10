/** networking.k8s.io/v1 IngressClass: shape and defaults (parameters scope Cluster). */
import { z } from 'zod';
import { kindSchema, metadata, modeled, optString, reqString, typeMeta } from '../../../../schemas/meta.js';

export const IngressClassParametersReferenceSchema = modeled({
  apiGroup: optString,
  kind: reqString,
  name: reqString,
  scope: z.string().default('Cluster'),
  namespace: optString,
});

export const IngressClassSpecSchema = modeled({
  controller: optString,
  parameters: IngressClassParametersReferenceSchema.optional(),
});
export type IngressClassSpec = z.infer<typeof IngressClassSpecSchema>;

export const IngressClassSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: IngressClassSpecSchema.prefault({}),
  }),
);
export type IngressClass = z.infer<typeof IngressClassSchema>;
