/** What `kubectl explain` shows for EndpointSlices: upstream's type names and short descriptions. */
import { discoveryV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import { EndpointSchema, EndpointSlicePortSchema } from './schema.js';

export const endpointSliceOpenApi: KindOpenApi = {
  names: [
    [EndpointSchema, `${discoveryV1}.Endpoint`],
    [EndpointSlicePortSchema, `${discoveryV1}.EndpointPort`],
  ],
  descriptions: {
    ['io.k8s.api.discovery.v1.EndpointSlice']: kindDescription(
      'A subset of the endpoints that implement a service, for scalable service proxies.',
      {
        addressType: 'The type of address carried by this slice: IPv4, IPv6 or FQDN.',
        endpoints: 'A list of unique endpoints in this slice.',
        ports: 'The network ports exposed by each endpoint of this slice.',
      },
    ),
  },
};
