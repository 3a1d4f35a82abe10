/** What `kubectl explain` shows for CustomResourceDefinitions: upstream's type names and short descriptions. */
import { kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import {
  CustomResourceColumnDefinitionSchema,
  CustomResourceDefinitionNamesSchema,
  CustomResourceDefinitionSpecSchema,
  CustomResourceDefinitionStatusSchema,
  CustomResourceDefinitionVersionSchema,
} from './schema.js';

const apiextensionsV1 = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

export const customResourceDefinitionOpenApi: KindOpenApi = {
  name: `${apiextensionsV1}.CustomResourceDefinition`,
  names: [
    [CustomResourceDefinitionSpecSchema, `${apiextensionsV1}.CustomResourceDefinitionSpec`],
    [CustomResourceDefinitionStatusSchema, `${apiextensionsV1}.CustomResourceDefinitionStatus`],
    [CustomResourceDefinitionNamesSchema, `${apiextensionsV1}.CustomResourceDefinitionNames`],
    [CustomResourceDefinitionVersionSchema, `${apiextensionsV1}.CustomResourceDefinitionVersion`],
    [CustomResourceColumnDefinitionSchema, `${apiextensionsV1}.CustomResourceColumnDefinition`],
  ],
  descriptions: {
    [`${apiextensionsV1}.CustomResourceDefinition`]: kindDescription(
      'CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in the format <.spec.name>.<.spec.group>.',
      { spec: 'spec describes how the user wants the resources to appear' },
    ),
  },
};
