/** What `kubectl explain` shows for Nodes: upstream's type names and short descriptions. */
import { coreV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import { NodeAddressSchema, NodeConditionSchema, NodeSpecSchema, NodeStatusSchema, TaintSchema } from './schema.js';

export const nodeOpenApi: KindOpenApi = {
  names: [
    [NodeSpecSchema, `${coreV1}.NodeSpec`],
    [NodeStatusSchema, `${coreV1}.NodeStatus`],
    [NodeConditionSchema, `${coreV1}.NodeCondition`],
    [NodeAddressSchema, `${coreV1}.NodeAddress`],
    [TaintSchema, `${coreV1}.Taint`],
  ],
  descriptions: {
    [`${coreV1}.Node`]: kindDescription('A worker node of the cluster.', {
      spec: 'The behavior of the node.',
      status: 'The most recently observed status of the node.',
    }),
    [`${coreV1}.NodeSpec`]: {
      description: 'The attributes a node is created with.',
      fields: {
        podCIDR: 'The pod IP range assigned to the node.',
        podCIDRs: 'The pod IP ranges assigned to the node, one per IP family.',
        providerID: 'ID of the node assigned by the cloud provider.',
        unschedulable: 'Whether new pods may not be scheduled onto the node.',
        taints: 'The taints of the node.',
      },
    },
  },
};
