/** core/v1 Namespace: shape and decode-time defaults (SetDefaults_Namespace / NamespaceStatus). */
import { z } from 'zod';
import {
  Time,
  kindSchema,
  metadata,
  modeled,
  optString,
  optStrings,
  reqString,
  stringDefault,
  typeMeta,
} from '../../../../schemas/meta.js';

/** Label every namespace carries with its own name, so selectors can pick namespaces by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export const NamespaceConditionSchema = modeled({
  type: reqString,
  status: reqString,
  lastTransitionTime: Time.optional(),
  reason: optString,
  message: optString,
});

export const NamespaceStatusSchema = modeled({
  phase: stringDefault('Active'),
  conditions: z.array(NamespaceConditionSchema).optional(),
});

export const NamespaceSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: modeled({ finalizers: optStrings }).prefault({}),
    status: NamespaceStatusSchema.prefault({}),
  }).overwrite((ns) => {
    // A generateName'd namespace has no name yet; the strategy's canonicalize labels it later.
    if (ns.metadata.name) ns.metadata.labels = { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: ns.metadata.name };
    return ns;
  }),
);
export type Namespace = z.infer<typeof NamespaceSchema>;
