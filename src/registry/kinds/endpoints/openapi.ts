/** What `kubectl explain` shows for Endpoints: upstream's type names and short descriptions. */
import { coreV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import { EndpointAddressSchema, EndpointPortSchema, EndpointSubsetSchema } from './schema.js';

export const endpointsOpenApi: KindOpenApi = {
  names: [
    [EndpointSubsetSchema, `${coreV1}.EndpointSubset`],
    [EndpointAddressSchema, `${coreV1}.EndpointAddress`],
    [EndpointPortSchema, `${coreV1}.EndpointPort`],
  ],
  descriptions: {
    [`${coreV1}.Endpoints`]: kindDescription('The set of addresses and ports that implement a Service.', {
      subsets:
        'The sets of addresses and ports that comprise the service: every address with every port of its subset.',
    }),
  },
};
