/** compute.kplane.io/v1alpha1 firewalls: VPC ingress allow rules (docs/network-model.md#firewall). */
import { firewallOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { FirewallSchema, type Firewall, type FirewallAllowed } from './schema.js';
import type { ResourceType } from '../../resource.js';
import {
  COMPUTE_GROUP,
  COMPUTE_VERSION,
  validateDescription,
  validateIPv4CIDR,
  validateNodeNames,
  validatePortSpecs,
  validatePriority,
} from '../compute.js';
import { firewallTable } from './table.js';

/** Firewall protocols, matched case-insensitively (the object keeps the case it was written in). */
const FIREWALL_PROTOCOLS = ['tcp', 'udp', 'icmp', 'all'] as const;
/** The protocols whose entries may name ports. */
const PORTED_PROTOCOLS = new Set(['tcp', 'udp']);

function validateAllowed(entry: FirewallAllowed, path: string): StatusCause[] {
  if (!entry.protocol) return [fieldError.required(`${path}.protocol`)];
  const protocol = entry.protocol.toLowerCase();
  if (!(FIREWALL_PROTOCOLS as readonly string[]).includes(protocol))
    return [fieldError.unsupported(`${path}.protocol`, entry.protocol, FIREWALL_PROTOCOLS)];
  if (entry.ports?.length && !PORTED_PROTOCOLS.has(protocol)) {
    return [fieldError.forbidden(`${path}.ports`, 'ports may only be specified for tcp and udp')];
  }
  return validatePortSpecs(entry.ports, `${path}.ports`);
}

function validateFirewall(fw: Firewall): StatusCause[] {
  const { spec } = fw;
  const causes: StatusCause[] = [];
  if (!spec.sourceRanges?.length)
    causes.push(fieldError.required('spec.sourceRanges', 'at least one source CIDR is required'));
  spec.sourceRanges?.forEach((range, i) => causes.push(...validateIPv4CIDR(range, `spec.sourceRanges[${i}]`)));
  if (!spec.allowed?.length)
    causes.push(fieldError.required('spec.allowed', 'at least one allowed protocol is required'));
  spec.allowed?.forEach((entry, i) => causes.push(...validateAllowed(entry, `spec.allowed[${i}]`)));
  causes.push(...validateNodeNames(spec.targetNodes ?? [], (i) => `spec.targetNodes[${i}]`));
  return [
    ...causes,
    ...validatePriority(spec.priority, 'spec.priority'),
    ...validateDescription(spec.description, 'spec.description'),
  ];
}

export const firewalls: ResourceType<Firewall, 'Firewall'> = {
  group: COMPUTE_GROUP,
  version: COMPUTE_VERSION,
  kind: 'Firewall',
  plural: 'firewalls',
  singular: 'firewall',
  namespaced: false,
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: FirewallSchema,
  // Lists are replaced whole, as in GCP's own API, which has no list merging.
  openapi: firewallOpenApi,
  strategicMerge: kindPatchMeta(),
  table: firewallTable,
  strategy: { validate: validateFirewall },
};
