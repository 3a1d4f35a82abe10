/** What `kubectl explain` shows for Bindings: upstream's type names and short descriptions. */
import { coreV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';

export const bindingOpenApi: KindOpenApi = {
  descriptions: {
    [`${coreV1}.Binding`]: kindDescription(
      'Ties one object to another; for example, a pod is bound to a node by a scheduler.',
      {
        target: 'The target object that you want to bind to the standard object.',
      },
    ),
  },
};
