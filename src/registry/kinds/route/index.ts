/** compute.kplane.io/v1alpha1 routes: VPC custom static routes (docs/network-model.md#routes). */
import { routeOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { RouteSchema, type Route } from './schema.js';
import type { ResourceType } from '../../resource.js';
import { validateNodeNameRef } from '../common.js';
import { COMPUTE_GROUP, COMPUTE_VERSION, validateDescription, validateIPv4CIDR, validatePriority } from '../compute.js';
import { routeTable } from './table.js';

function validateRoute(route: Route): StatusCause[] {
  const { spec } = route;
  const nextHop = spec.nextHopInstance
    ? validateNodeNameRef(spec.nextHopInstance, 'spec.nextHopInstance')
    : [fieldError.required('spec.nextHopInstance')];
  return [
    ...validateIPv4CIDR(spec.destRange, 'spec.destRange'),
    ...nextHop,
    ...validatePriority(spec.priority, 'spec.priority'),
    ...validateDescription(spec.description, 'spec.description'),
  ];
}

export const routes: ResourceType<Route, 'Route'> = {
  group: COMPUTE_GROUP,
  version: COMPUTE_VERSION,
  kind: 'Route',
  plural: 'routes',
  singular: 'route',
  namespaced: false,
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: RouteSchema,
  // Lists are replaced whole, as in GCP's own API, which has no list merging.
  openapi: routeOpenApi,
  strategicMerge: kindPatchMeta(),
  table: routeTable,
  strategy: { validate: validateRoute },
};
