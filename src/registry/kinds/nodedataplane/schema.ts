/**
 * network.kplane.io/v1alpha1 NodeDataplane (docs/network-model.md#nodedataplane): read-only, one per node, derived
 * from the dataplane the controllers keep — interfaces, routes, rule counts, conntrack entries.
 */
import { z } from 'zod';
import { kindSchema, metadata, modeled, optBool, optInt, optString, typeMeta } from '../../../../schemas/meta.js';

export const InterfaceSchema = modeled({
  name: z.string(),
  netns: z.string(),
  addresses: z.array(z.string()).optional(),
  /** For a veth: the other end (`pod:<ns>/<name> eth0`). */
  peer: optString,
  /** The bridge a veth is enslaved to. */
  master: optString,
});

export const ConntrackEntrySchema = modeled({
  id: z.number().int(),
  protocol: z.string(),
  original: z.string(),
  reply: z.string(),
  expiresInSeconds: z.number().int(),
});

export const NodeDataplaneStatusSchema = modeled({
  internalIP: optString,
  externalIP: optString,
  podCIDR: optString,
  canIpForward: optBool,
  interfaces: z.array(InterfaceSchema).optional(),
  routes: z.array(z.string()).optional(),
  rules: modeled({ nat: optInt, filter: optInt, chains: optInt }).optional(),
  /** The nat table's rules as `iptables-save` prints them (the first 2000; `/iptables` has every table whole). */
  natRules: z.array(z.string()).optional(),
  /** How many nat rules `natRules` leaves out. */
  natRulesOmitted: optInt,
  conntrack: z.array(ConntrackEntrySchema).optional(),
});
export type NodeDataplaneStatus = z.infer<typeof NodeDataplaneStatusSchema>;

export const NodeDataplaneSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    status: NodeDataplaneStatusSchema.optional(),
  }),
);
export type NodeDataplane = z.infer<typeof NodeDataplaneSchema>;
