/** What `kubectl explain` shows for NodeDataplanes: upstream's type names and short descriptions. */
import { kindDescription, type KindOpenApi } from '../../../openapi/types.js';

export const nodeDataplaneOpenApi: KindOpenApi = {
  descriptions: {
    ['io.k8s.api.network.v1alpha1.NodeDataplane']: kindDescription(
      "A node's simulated dataplane, derived from the API: its interfaces, routes, iptables rule counts and conntrack entries. Read-only.",
      {
        status: "The node's interfaces, routes, rules and tracked connections.",
      },
    ),
  },
};
