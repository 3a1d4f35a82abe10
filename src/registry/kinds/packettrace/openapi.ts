/** What `kubectl explain` shows for PacketTraces: upstream's type names and short descriptions. */
import { kindDescription, type KindOpenApi } from '../../../openapi/types.js';

export const packetTraceOpenApi: KindOpenApi = {
  descriptions: {
    ['io.k8s.api.network.v1alpha1.PacketTrace']: kindDescription(
      'A question about one packet: create it and the response carries, in status, every hop it takes through the simulated network, the reply path and the backends it could reach. Not stored.',
      {
        spec: 'Where the packet starts, where it goes, its protocol and source port.',
        status: 'The outcome, the hops forward and back, the backends and their probabilities.',
      },
    ),
  },
};
