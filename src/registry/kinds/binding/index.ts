/**
 * v1 `bindings` (create-only): the collection form of `pods/<name>/binding`, which is what
 * client libraries' `createNamespacedBinding` posts to. Not stored: `routes/bindings.ts` applies
 * it to the pod named in `metadata.name` through the Pod's `binding` action.
 */
import { bindingOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { type z } from 'zod';
import { kindSchema, metadata, modeled, optString, typeMeta } from '../../../../schemas/meta.js';
import type { ResourceType } from '../../resource.js';

const BindingSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    target: modeled({
      kind: optString,
      name: optString,
      namespace: optString,
      uid: optString,
      apiVersion: optString,
    }).optional(),
  }),
);
type Binding = z.infer<typeof BindingSchema>;

export const bindings: ResourceType<Binding, 'Binding'> = {
  group: '',
  version: 'v1',
  kind: 'Binding',
  plural: 'bindings',
  singular: 'binding',
  namespaced: true,
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: false,
  schema: BindingSchema,
  openapi: bindingOpenApi,
  strategicMerge: kindPatchMeta(),
  strategy: { validate: () => [] },
  custom: { verbs: ['create'] },
};
