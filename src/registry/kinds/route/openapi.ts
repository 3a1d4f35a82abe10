/** What `kubectl explain` shows for Routes: upstream's type names and short descriptions. */
import { kindDescription, type KindOpenApi } from '../../../openapi/types.js';

export const routeOpenApi: KindOpenApi = {
  descriptions: {
    ['io.k8s.api.compute.v1alpha1.Route']: kindDescription(
      'A VPC route of the simulated cloud: packets for destRange go to the node nextHopInstance. The route controller keeps one per node, for its pod CIDR.',
      {
        spec: 'The destination range, next-hop node, priority and description of the route.',
      },
    ),
  },
};
