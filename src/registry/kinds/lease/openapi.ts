/** What `kubectl explain` shows for Leases: upstream's type names and short descriptions. */
import { kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import { LeaseSpecSchema } from './schema.js';

export const leaseOpenApi: KindOpenApi = {
  names: [[LeaseSpecSchema, 'io.k8s.api.coordination.v1.LeaseSpec']],
  descriptions: {
    ['io.k8s.api.coordination.v1.Lease']: kindDescription('A lease concept: leader election and node heartbeats.', {
      spec: 'The specification of the Lease.',
    }),
  },
};
