/** What `kubectl explain` shows for Firewalls: upstream's type names and short descriptions. */
import { kindDescription, type KindOpenApi } from '../../../openapi/types.js';

export const firewallOpenApi: KindOpenApi = {
  descriptions: {
    ['io.k8s.api.compute.v1alpha1.Firewall']: kindDescription(
      'A VPC firewall rule of the simulated cloud: ingress to a node is denied unless a rule allows it.',
      {
        spec: 'The source ranges, allowed protocols and ports, target nodes and priority of the rule.',
      },
    ),
  },
};
