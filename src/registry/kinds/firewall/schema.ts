/** compute.kplane.io/v1alpha1 Firewall: a VPC ingress allow rule (GCP `compute.firewalls`), shape and defaults. */
import { z } from 'zod';
import { kindSchema, metadata, modeled, optString, optStrings, reqString, typeMeta } from '../../../../schemas/meta.js';
import { DEFAULT_COMPUTE_PRIORITY } from '../route/schema.js';

/** One `allowed[]` entry: a protocol (`tcp`, `udp`, `icmp`, `all`, any case) and, for tcp/udp, ports (`"80"`, `"30000-32767"`; none = all). */
export const FirewallAllowedSchema = modeled({
  protocol: reqString,
  ports: optStrings,
});
export type FirewallAllowed = z.infer<typeof FirewallAllowedSchema>;

export const FirewallSpecSchema = modeled({
  /** Source IPv4 CIDRs the rule admits. */
  sourceRanges: optStrings,
  allowed: z.array(FirewallAllowedSchema).optional(),
  /** Nodes the rule applies to; absent (or empty, as in GCP) = every node. */
  targetNodes: optStrings,
  /** Lower numbers are evaluated first; 0 is valid, so only an absent value defaults. */
  priority: z.number().int().default(DEFAULT_COMPUTE_PRIORITY),
  description: optString,
});
export type FirewallSpec = z.infer<typeof FirewallSpecSchema>;

export const FirewallSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: FirewallSpecSchema.prefault({}),
  }),
);
export type Firewall = z.infer<typeof FirewallSchema>;
