/** core/v1 namespaces (pkg/registry/core/namespace/strategy.go). */
import { Namespace as NamespaceMessage } from './protobuf.js';
import { namespaceOpenApi } from './openapi.js';
import { byType, kindPatchMeta } from '../../../apimachinery/patch.js';
import { errors, fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { invalidEach, isQualifiedName } from '../../../apimachinery/validation.js';
import { NAMESPACE_NAME_LABEL, NamespaceSchema, type Namespace } from './schema.js';
import type { ResourceType, SubresourceAction } from '../../resource.js';
import { namespaceTable } from './table.js';

/** The finalizer the namespace controller removes once the namespace's content is gone. */
export const KUBERNETES_FINALIZER = 'kubernetes';

const STANDARD_FINALIZERS = [KUBERNETES_FINALIZER, 'orphan', 'foregroundDeletion'];

/** `spec.finalizers[]`: qualified names, and an unprefixed one must be a standard finalizer. */
function validateSpecFinalizer(name: string): StatusCause[] {
  const field = 'spec.finalizers';
  const causes = invalidEach(field, name, isQualifiedName(name));
  if (!name.includes('/') && !STANDARD_FINALIZERS.includes(name)) {
    causes.push(fieldError.invalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return causes;
}

/**
 * `PUT namespaces/<name>/finalize`: replaces `spec.finalizers` with the body's, nothing else (what
 * `kubectl replace --raw …/finalize` does to release a namespace stuck in Terminating). Emptying
 * them on a terminating namespace removes it.
 */
const namespaceFinalize: SubresourceAction<Namespace> = {
  kind: 'Namespace',
  method: 'PUT',
  answer: 'object',
  writesAs: 'status',
  apply(ns, body) {
    const spec = (body.spec ?? {}) as { finalizers?: unknown };
    const finalizers = spec.finalizers ?? [];
    if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === 'string'))
      throw errors.badRequest('spec.finalizers must be a list of strings');
    if (
      (body.metadata as { name?: unknown } | undefined)?.name !== undefined &&
      (body.metadata as { name?: unknown }).name !== ns.metadata.name
    ) {
      throw errors.badRequest(`the name of the object does not match the name on the URL (${ns.metadata.name})`);
    }
    ns.spec = { ...ns.spec, finalizers: finalizers as string[] };
    return ns;
  },
};

export const namespaces: ResourceType<Namespace, 'Namespace'> = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  hasStatus: true,
  nameRule: 'label',
  allowUnconditionalUpdate: true,
  schema: NamespaceSchema,
  openapi: namespaceOpenApi,
  protobuf: NamespaceMessage,
  strategicMerge: kindPatchMeta({ status: { conditions: byType } }),
  table: namespaceTable,
  fieldSelectors: { 'status.phase': (ns) => ns.status.phase },
  actions: { finalize: namespaceFinalize },
  strategy: {
    prepareForCreate(ns) {
      ns.status = { phase: 'Active' };
      const finalizers = ns.spec.finalizers ?? [];
      if (!finalizers.includes(KUBERNETES_FINALIZER)) ns.spec.finalizers = [...finalizers, KUBERNETES_FINALIZER];
    },
    // spec.finalizers changes only through `finalize` (and, for our namespace controller, `/status`).
    prepareForUpdate(ns, old) {
      ns.spec.finalizers = old.spec.finalizers;
    },
    validate: (ns) => (ns.spec.finalizers ?? []).flatMap(validateSpecFinalizer),
    pendingFinalizers: (ns) => ns.spec.finalizers ?? [],
    prepareForDeletion(ns) {
      ns.status = { ...ns.status, phase: 'Terminating' };
    },
    prepareForStatusUpdate(ns, incoming) {
      ns.spec = { ...ns.spec, finalizers: incoming.spec.finalizers };
    },
    // The name label is set again here because a generateName'd namespace had no name at decode time.
    canonicalize(ns) {
      ns.metadata.labels = { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: ns.metadata.name ?? '' };
    },
  },
};
