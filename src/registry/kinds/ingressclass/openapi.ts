/** What `kubectl explain` shows for IngressClasses: upstream's type names and short descriptions. */
import { networkingV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import { IngressClassParametersReferenceSchema, IngressClassSpecSchema } from './schema.js';

export const ingressClassOpenApi: KindOpenApi = {
  names: [
    [IngressClassSpecSchema, `${networkingV1}.IngressClassSpec`],
    [IngressClassParametersReferenceSchema, `${networkingV1}.IngressClassParametersReference`],
  ],
  descriptions: {
    [`${networkingV1}.IngressClass`]: kindDescription(
      'The class of an Ingress, naming the controller that implements it.',
      {
        spec: 'The desired state of the IngressClass.',
      },
    ),
  },
};
