/** core/v1 Node: shape and decode-time defaults (SetDefaults_NodeStatus, podCIDR/podCIDRs conversion). */
import { z } from 'zod';
import {
  ResourceList,
  Time,
  kindSchema,
  metadata,
  modeled,
  opaque,
  optBool,
  optString,
  optStrings,
  reqString,
  typeMeta,
} from '../../../../schemas/meta.js';

export const TaintSchema = modeled({ key: reqString, value: optString, effect: reqString, timeAdded: Time.optional() });
export type Taint = z.infer<typeof TaintSchema>;

export const NodeSpecSchema = modeled({
  podCIDR: optString,
  podCIDRs: optStrings,
  providerID: optString,
  unschedulable: optBool,
  taints: z.array(TaintSchema).optional(),
  configSource: opaque().optional(),
  externalID: optString,
}).overwrite((spec) => {
  // v1 conversion: the singular podCIDR wins and is always podCIDRs[0].
  if (spec.podCIDR && spec.podCIDRs?.[0] !== spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
  if (!spec.podCIDR && spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
  return spec;
});
export type NodeSpec = z.infer<typeof NodeSpecSchema>;

export const NodeConditionSchema = modeled({
  type: reqString,
  status: reqString,
  lastHeartbeatTime: Time.optional(),
  lastTransitionTime: Time.optional(),
  reason: optString,
  message: optString,
});
export type NodeCondition = z.infer<typeof NodeConditionSchema>;

export const NodeAddressSchema = modeled({ type: reqString, address: reqString });
export type NodeAddress = z.infer<typeof NodeAddressSchema>;

export const NodeStatusSchema = modeled({
  capacity: ResourceList.optional(),
  allocatable: ResourceList.optional(),
  phase: optString,
  conditions: z.array(NodeConditionSchema).optional(),
  addresses: z.array(NodeAddressSchema).optional(),
  daemonEndpoints: opaque().optional(),
  nodeInfo: opaque().optional(),
  images: z.array(opaque()).optional(),
  volumesInUse: optStrings,
  volumesAttached: z.array(opaque()).optional(),
  config: opaque().optional(),
  runtimeHandlers: z.array(opaque()).optional(),
  features: opaque().optional(),
}).overwrite((status) => {
  if (!status.allocatable && status.capacity) status.allocatable = { ...status.capacity };
  return status;
});
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

export const NodeSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: NodeSpecSchema.prefault({}),
    status: NodeStatusSchema.optional(),
  }),
);
export type Node = z.infer<typeof NodeSchema>;
