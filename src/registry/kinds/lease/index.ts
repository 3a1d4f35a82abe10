/** coordination.k8s.io/v1 leases (pkg/registry/coordination/lease/strategy.go, ValidateLease). */
import { leaseOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { validateQualifiedName } from '../../../apimachinery/validation.js';
import { LeaseSchema, type Lease, type LeaseSpec } from './schema.js';
import type { ResourceType } from '../../resource.js';
import { leaseTable } from './table.js';

const LEASE_STRATEGIES = ['OldestEmulationVersion'];

/** A strategy is a Kubernetes-defined name or a prefixed (`example.com/x`) custom one. */
function validateStrategy(strategy: string): StatusCause[] {
  const field = 'spec.strategy';
  if (strategy.includes('/')) return validateQualifiedName(strategy, field);
  return LEASE_STRATEGIES.includes(strategy) ? [] : [fieldError.unsupported(field, strategy, LEASE_STRATEGIES)];
}

function validateLeaseSpec(spec: LeaseSpec | undefined): StatusCause[] {
  if (!spec) return [];
  const causes: StatusCause[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    causes.push(fieldError.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    causes.push(
      fieldError.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'),
    );
  }
  if (spec.strategy !== undefined) causes.push(...validateStrategy(spec.strategy));
  if (spec.preferredHolder && !spec.strategy)
    causes.push(fieldError.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return causes;
}

export const leases: ResourceType<Lease, 'Lease'> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  hasStatus: false,
  nameRule: 'subdomain',
  // Leases are locks: a write must name the version it read.
  allowUnconditionalUpdate: false,
  schema: LeaseSchema,
  openapi: leaseOpenApi,
  strategicMerge: kindPatchMeta(),
  table: leaseTable,
  strategy: { validate: (lease) => validateLeaseSpec(lease.spec) },
};
