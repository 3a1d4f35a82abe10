/** compute.kplane.io/v1alpha1 ForwardingRule: a load balancer's frontend (GCP `compute.forwardingRules`), shape and defaults. */
import { z } from 'zod';
import {
  kindSchema,
  metadata,
  modeled,
  opaque,
  optString,
  optStrings,
  reqString,
  stringDefault,
  typeMeta,
} from '../../../../schemas/meta.js';

/**
 * Where matching packets go: exactly one of `nodes` (a network LB's target pool) or `urlMap` (an
 * HTTP(S) LB). The URL map is the ingress controller's to shape (hosts, paths, backends), so it is
 * kept as sent.
 */
export const ForwardingRuleTargetSchema = modeled({
  nodes: optStrings,
  urlMap: opaque().optional(),
});
export type ForwardingRuleTarget = z.infer<typeof ForwardingRuleTargetSchema>;

export const ForwardingRuleSpecSchema = modeled({
  ipAddress: reqString,
  protocol: stringDefault('TCP'),
  /** Same syntax as a Firewall's ports; absent = every port. */
  ports: optStrings,
  target: ForwardingRuleTargetSchema.prefault({}),
  description: optString,
});
export type ForwardingRuleSpec = z.infer<typeof ForwardingRuleSpecSchema>;

/** A backend node as the load balancer's health check currently sees it. */
export const ForwardingRuleBackendSchema = modeled({
  node: reqString,
  healthy: z.boolean().default(false),
  reason: optString,
});
export type ForwardingRuleBackend = z.infer<typeof ForwardingRuleBackendSchema>;

export const ForwardingRuleStatusSchema = modeled({
  backends: z.array(ForwardingRuleBackendSchema).optional(),
});
export type ForwardingRuleStatus = z.infer<typeof ForwardingRuleStatusSchema>;

export const ForwardingRuleSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: ForwardingRuleSpecSchema.prefault({}),
    status: ForwardingRuleStatusSchema.optional(),
  }),
);
export type ForwardingRule = z.infer<typeof ForwardingRuleSchema>;
