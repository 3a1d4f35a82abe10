/** What `kubectl explain` shows for Namespaces: upstream's type names and short descriptions. */
import { coreV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import { NamespaceConditionSchema, NamespaceStatusSchema } from './schema.js';

export const namespaceOpenApi: KindOpenApi = {
  names: [
    [NamespaceStatusSchema, `${coreV1}.NamespaceStatus`],
    [NamespaceConditionSchema, `${coreV1}.NamespaceCondition`],
  ],
  descriptions: {
    [`${coreV1}.Namespace`]: kindDescription(
      'A scope for names: every namespaced object lives in exactly one namespace.',
      {
        spec: 'The behavior of the namespace: its finalizers.',
        status: 'The current status of the namespace: its lifecycle phase.',
      },
    ),
  },
};
