/**
 * The ResourceType of a custom kind, built from its CustomResourceDefinition's storage version:
 * decoding applies defaults and prunes unknown fields (reported like any kind's under strict field validation),
 * validation checks the structural schema and CEL rules, the Table prints the version's columns, and OpenAPI
 * publishes the CRD's own schema (staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource).
 */
import { z } from 'zod';
import type { KubeObject } from '../apimachinery/object.js';
import { kindPatchMeta } from '../apimachinery/patch.js';
import type { FieldReader, ResourceType } from '../registry/resource.js';
import {
  storageVersion,
  type CustomResourceDefinition,
  type CustomResourceDefinitionVersion,
} from '../registry/kinds/customresourcedefinition/schema.js';
import { metadata, opaque, typeMeta } from '../../schemas/meta.js';
import { customTable } from './columns.js';
import { applyDefaults } from './defaults.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import { prune } from './prune.js';
import { withScaleSubresource } from './scale.js';
import { isObject, type JsonSchema } from './types.js';
import { customObjectValidation } from './object-validation.js';

/** The kind `crd` defines, served at its storage version. */
export function customKind(crd: CustomResourceDefinition): ResourceType {
  const version = storageVersion(crd);
  if (!version) throw new Error(`${crd.metadata.name}: no storage version`);
  const schema = (version.schema?.openAPIV3Schema ?? { type: 'object' }) as JsonSchema;
  const names = crd.spec.names;
  const hasStatus = isObject(version.subresources?.status);
  const validation = customObjectValidation(schema);
  return withScaleSubresource(version, {
    group: crd.spec.group,
    version: version.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    namespaced: crd.spec.scope === 'Namespaced',
    shortNames: names.shortNames,
    categories: names.categories,
    hasStatus,
    // Custom resources' strategy (customresource/strategy.go) requires a resourceVersion on update.
    allowUnconditionalUpdate: false,
    schema: customObjectSchema(schema),
    pruneUnknownFields: (obj) => prune(schema, obj as unknown as Record<string, unknown>),
    strategy: {
      // With a status subresource, status is written through /status only (customresource/strategy.go).
      prepareForCreate: (obj) => {
        if (hasStatus) delete (obj as { status?: unknown }).status;
        validation.creating(obj);
      },
      validate: (obj) => validation.validate(obj as unknown as Record<string, unknown>),
      validateUpdate: (obj, old) =>
        validation.validateUpdate(obj as unknown as Record<string, unknown>, old as unknown as Record<string, unknown>),
    },
    strategicMerge: kindPatchMeta(),
    refusesStrategicMerge: true,
    table: customTable(version.additionalPrinterColumns),
    fieldSelectors: selectableFields(version),
    openapi: { name: componentName(crd.spec.group, version.name, names.kind), component: publishedSchema(schema) },
  });
}

/**
 * Decodes ObjectMeta's shape, then applies the schema's defaults. The object is `opaque` to the
 * zod field walker: `pruneUnknownFields`, not the walker, drops what the schema lacks.
 */
function customObjectSchema(schema: JsonSchema): z.ZodType<KubeObject> {
  const decoded = opaque({ ...typeMeta, metadata: z.preprocess(withoutNulls, metadata) });
  return decoded.transform((obj) => {
    applyDefaults(schema, obj as Record<string, unknown>);
    return obj as KubeObject;
  });
}

/** Go's decoder reads a null member of ObjectMeta as absent. */
function withoutNulls(value: unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

/** `selectableFields` become field selectors (`spec.color`), read with their JSONPath. */
function selectableFields(version: CustomResourceDefinitionVersion): Record<string, FieldReader<KubeObject>> {
  const out: Record<string, FieldReader<KubeObject>> = {};
  for (const { jsonPath } of version.selectableFields ?? []) {
    const steps = parseJsonPath(jsonPath);
    if (!steps) continue;
    out[jsonPath.replace(/^\./, '')] = (obj) => {
      const [value] = evaluateJsonPath(steps, obj);
      return value === undefined ? '' : String(value);
    };
  }
  return out;
}

/** Upstream names a custom kind's component by its reversed group: `com.example.v1.Widget`. */
function componentName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The CRD's schema with the standard members every object has, as apiextensions-apiserver publishes it. */
function publishedSchema(schema: JsonSchema): Record<string, unknown> {
  return {
    ...schema,
    properties: {
      apiVersion: {
        type: 'string',
        description:
          'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
      },
      kind: {
        type: 'string',
        description:
          'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.',
      },
      metadata: { type: 'object', description: "Standard object's metadata." },
      ...schema.properties,
    },
  };
}
