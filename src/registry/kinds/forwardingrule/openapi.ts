/** What `kubectl explain` shows for ForwardingRules: upstream's type names and short descriptions. */
import { kindDescription, type KindOpenApi } from '../../../openapi/types.js';

export const forwardingRuleOpenApi: KindOpenApi = {
  descriptions: {
    ['io.k8s.api.compute.v1alpha1.ForwardingRule']: kindDescription(
      'A load balancer frontend of the simulated cloud: an IP address, protocol and ports, forwarded to nodes or through a URL map.',
      {
        spec: 'The address, protocol, ports and target of the rule.',
        status: "The health of the rule's backend nodes.",
      },
    ),
  },
};
