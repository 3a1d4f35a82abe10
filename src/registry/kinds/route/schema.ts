/** compute.kplane.io/v1alpha1 Route: a VPC custom static route (GCP `compute.routes`), shape and defaults. */
import { z } from 'zod';
import { kindSchema, metadata, modeled, optString, reqString, typeMeta } from '../../../../schemas/meta.js';

/** GCP's default route priority, which GKE's route controller also uses. */
export const DEFAULT_COMPUTE_PRIORITY = 1000;

export const RouteSpecSchema = modeled({
  /** The IPv4 range the route sends somewhere (a node's pod CIDR). */
  destRange: reqString,
  /** The node (VM) that receives the range's packets. */
  nextHopInstance: reqString,
  /** Lower wins among routes of equal prefix length; 0 is valid, so only an absent value defaults. */
  priority: z.number().int().default(DEFAULT_COMPUTE_PRIORITY),
  description: optString,
});
export type RouteSpec = z.infer<typeof RouteSpecSchema>;

export const RouteSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: RouteSpecSchema.prefault({}),
  }),
);
export type Route = z.infer<typeof RouteSchema>;
