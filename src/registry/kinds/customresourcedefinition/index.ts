/**
 * apiextensions.k8s.io/v1 customresourcedefinitions
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition/strategy.go and
 * etcd.go). Serving the kinds they define is src/apiextensions/registrar.ts's work.
 */
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import type { ResourceType } from '../../resource.js';
import { customResourceDefinitionOpenApi } from './openapi.js';
import { CustomResourceDefinitionSchema, type CustomResourceDefinition } from './schema.js';
import { validateCustomResourceDefinition } from './validation.js';

/** Holds a CRD's deletion until its objects are gone (apiextensions `CustomResourceCleanupFinalizer`). */
export const CUSTOM_RESOURCE_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** v1 defaulting (apiextensions/v1/defaults.go): singular and listKind follow the kind. */
function defaultNames(crd: CustomResourceDefinition): void {
  const names = crd.spec.names;
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
}

export const customResourceDefinitions: ResourceType<CustomResourceDefinition, 'CustomResourceDefinition'> = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  hasStatus: true,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: false,
  schema: CustomResourceDefinitionSchema,
  openapi: customResourceDefinitionOpenApi,
  strategicMerge: kindPatchMeta(),
  strategy: {
    prepareForCreate(crd) {
      crd.status = {};
      defaultNames(crd);
    },
    prepareForUpdate: defaultNames,
    validate: validateCustomResourceDefinition,
    // Until deletion starts, every CRD implicitly holds the cleanup finalizer (etcd.go `Delete` adds it).
    pendingFinalizers: (crd) => (crd.metadata.deletionTimestamp ? [] : [CUSTOM_RESOURCE_CLEANUP_FINALIZER]),
    prepareForDeletion(crd) {
      const finalizers = crd.metadata.finalizers ?? [];
      if (!finalizers.includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER))
        crd.metadata.finalizers = [...finalizers, CUSTOM_RESOURCE_CLEANUP_FINALIZER];
      const conditions = (crd.status?.conditions ?? []).filter((c) => c.type !== 'Terminating');
      conditions.push({
        type: 'Terminating',
        status: 'True',
        reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; instance deletion pending',
        lastTransitionTime: crd.metadata.deletionTimestamp,
      });
      crd.status = { ...crd.status, conditions };
    },
  },
};
