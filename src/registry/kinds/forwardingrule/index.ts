/** compute.kplane.io/v1alpha1 forwardingrules: load-balancer frontends and their backends' health (docs/network-model.md#the-simulated-cloud-api). */
import { forwardingRuleOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { validateEnum } from '../../../apimachinery/validation.js';
import { isIPv4 } from '../../../net/ipv4.js';
import {
  ForwardingRuleSchema,
  type ForwardingRule,
  type ForwardingRuleSpec,
  type ForwardingRuleStatus,
} from './schema.js';
import type { ResourceType } from '../../resource.js';
import {
  COMPUTE_GROUP,
  COMPUTE_VERSION,
  validateDescription,
  validateNodeNames,
  validatePortSpecs,
} from '../compute.js';
import { forwardingRuleTable } from './table.js';

/** The forwarding rule protocols (GCP's IPProtocol values kplane simulates). */
const FORWARDING_RULE_PROTOCOLS = ['TCP', 'UDP'] as const;

/** Exactly one of `nodes` (network LB) or `urlMap` (HTTP(S) LB). */
function validateTarget(target: ForwardingRuleSpec['target']): StatusCause[] {
  const field = 'spec.target';
  if (target.nodes !== undefined && target.urlMap !== undefined)
    return [fieldError.invalid(field, '', 'cannot set both nodes and urlMap')];
  if (target.nodes !== undefined) return validateNodeNames(target.nodes, (i) => `${field}.nodes[${i}]`);
  return target.urlMap !== undefined ? [] : [fieldError.required(field, 'one of nodes or urlMap is required')];
}

function validateIPAddress(ip: string): StatusCause[] {
  if (!ip) return [fieldError.required('spec.ipAddress')];
  return isIPv4(ip) ? [] : [fieldError.invalid('spec.ipAddress', ip, 'must be an IPv4 address, such as 203.0.113.4')];
}

function validateStatus(status: ForwardingRuleStatus | undefined): StatusCause[] {
  return validateNodeNames(
    (status?.backends ?? []).map((b) => b.node),
    (i) => `status.backends[${i}].node`,
  );
}

function validateForwardingRule(fr: ForwardingRule): StatusCause[] {
  const { spec } = fr;
  return [
    ...validateIPAddress(spec.ipAddress),
    ...validateEnum(spec.protocol, 'spec.protocol', FORWARDING_RULE_PROTOCOLS),
    ...validatePortSpecs(spec.ports, 'spec.ports'),
    ...validateTarget(spec.target),
    ...validateDescription(spec.description, 'spec.description'),
    ...validateStatus(fr.status),
  ];
}

export const forwardingRules: ResourceType<ForwardingRule, 'ForwardingRule'> = {
  group: COMPUTE_GROUP,
  version: COMPUTE_VERSION,
  kind: 'ForwardingRule',
  plural: 'forwardingrules',
  singular: 'forwardingrule',
  namespaced: false,
  hasStatus: true,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: ForwardingRuleSchema,
  // Lists are replaced whole, as in GCP's own API, which has no list merging.
  openapi: forwardingRuleOpenApi,
  strategicMerge: kindPatchMeta(),
  table: forwardingRuleTable,
  strategy: {
    prepareForCreate(fr) {
      // Health is the load-balancer controller's to report, through /status.
      fr.status = {};
    },
    validate: validateForwardingRule,
  },
};
