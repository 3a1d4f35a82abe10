/** What `kubectl explain` shows for Ingresses: upstream's type names and short descriptions. */
import { networkingV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import {
  HTTPIngressPathSchema,
  IngressBackendSchema,
  IngressLoadBalancerIngressSchema,
  IngressRuleSchema,
  IngressServiceBackendSchema,
  IngressSpecSchema,
  IngressStatusSchema,
  IngressTLSSchema,
  ServiceBackendPortSchema,
} from './schema.js';

export const ingressOpenApi: KindOpenApi = {
  names: [
    [IngressSpecSchema, `${networkingV1}.IngressSpec`],
    [IngressStatusSchema, `${networkingV1}.IngressStatus`],
    [IngressRuleSchema, `${networkingV1}.IngressRule`],
    [IngressBackendSchema, `${networkingV1}.IngressBackend`],
    [IngressServiceBackendSchema, `${networkingV1}.IngressServiceBackend`],
    [ServiceBackendPortSchema, `${networkingV1}.ServiceBackendPort`],
    [HTTPIngressPathSchema, `${networkingV1}.HTTPIngressPath`],
    [IngressTLSSchema, `${networkingV1}.IngressTLS`],
    [IngressLoadBalancerIngressSchema, `${networkingV1}.IngressLoadBalancerIngress`],
  ],
  descriptions: {
    [`${networkingV1}.Ingress`]: kindDescription(
      'A collection of rules that allow inbound connections to reach the endpoints defined by a backend.',
      {
        spec: 'The desired state of the Ingress.',
        status: 'The current state of the Ingress.',
      },
    ),
    [`${networkingV1}.IngressSpec`]: {
      description: 'The Ingress the user wishes to exist.',
      fields: {
        ingressClassName: 'The name of the IngressClass this Ingress belongs to.',
        defaultBackend: 'The backend for requests that match no rule.',
        tls: 'TLS configuration.',
        rules: 'Host rules configuring the Ingress; unmatched traffic goes to the default backend.',
      },
    },
  },
};
