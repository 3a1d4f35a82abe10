/** core/v1 nodes (pkg/registry/core/node/strategy.go, ValidateNode / ValidateNodeUpdate). */
import { nodeOpenApi } from './openapi.js';
import { byType, kindPatchMeta, primitiveSet } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import {
  INVALID_CIDR_MESSAGE,
  invalidEach,
  isQualifiedName,
  isValidCIDR,
  isValidLabelValue,
} from '../../../apimachinery/validation.js';
import { NodeSchema, type Node, type Taint } from './schema.js';
import type { ResourceType } from '../../resource.js';
import { formatBool, validateTaintEffect } from '../common.js';
import { nodeTable } from './table.js';

/** Taints: key a qualified name, value a label value, effect required and known, (key, effect) unique. */
function validateTaints(taints: Taint[] | undefined): StatusCause[] {
  const seen = new Set<string>();
  return (taints ?? []).flatMap((taint, i) => {
    // Upstream reports taints under metadata.taints (a historical path); kplane uses the real field.
    const path = `spec.taints[${i}]`;
    const causes = [
      ...invalidEach(`${path}.key`, taint.key, isQualifiedName(taint.key)),
      ...invalidEach(`${path}.value`, taint.value ?? '', isValidLabelValue(taint.value ?? '')),
      ...validateTaintEffect(taint.effect, false, `${path}.effect`),
    ];
    const id = `${taint.key}\u0000${taint.effect}`;
    if (seen.has(id)) causes.push(fieldError.duplicate(path, `${taint.key}:${taint.effect}`));
    seen.add(id);
    return causes;
  });
}

/** spec.podCIDRs: valid CIDRs, at most one per family, no duplicates. */
function validatePodCIDRs(cidrs: string[] | undefined): StatusCause[] {
  const list = cidrs ?? [];
  const field = 'spec.podCIDRs';
  const causes = list.flatMap((c, i) =>
    isValidCIDR(c) ? [] : [fieldError.invalid(`${field}[${i}]`, c, INVALID_CIDR_MESSAGE)],
  );
  if (list.length > 1) {
    const families = new Set(list.map((c) => (c.includes(':') ? 6 : 4)));
    if (list.length > 2 || families.size !== list.length)
      causes.push(fieldError.invalid(field, list, 'may specify no more than one CIDR for each IP family'));
    list.forEach((c, i) => {
      if (list.indexOf(c) !== i) causes.push(fieldError.duplicate(`${field}[${i}]`, c));
    });
  }
  return causes;
}

const onlyFromEmpty = (what: string) => `node updates may not change ${what} except from "" to valid`;

export const nodes: ResourceType<Node, 'Node'> = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  hasStatus: true,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: NodeSchema,
  openapi: nodeOpenApi,
  strategicMerge: kindPatchMeta({
    spec: { podCIDRs: primitiveSet },
    status: { conditions: byType, addresses: byType },
  }),
  table: nodeTable,
  fieldSelectors: { 'spec.unschedulable': (node) => formatBool(node.spec.unschedulable) },
  strategy: {
    validate: (node) => [...validateTaints(node.spec.taints), ...validatePodCIDRs(node.spec.podCIDRs)],
    validateUpdate(node, old) {
      const causes: StatusCause[] = [];
      const oldCIDRs = old.spec.podCIDRs ?? [];
      const newCIDRs = node.spec.podCIDRs ?? [];
      if (oldCIDRs.length > 0 && (oldCIDRs.length !== newCIDRs.length || oldCIDRs.some((c, i) => c !== newCIDRs[i]))) {
        causes.push(fieldError.forbidden('spec.podCIDRs', onlyFromEmpty('podCIDR')));
      }
      if (old.spec.providerID && old.spec.providerID !== node.spec.providerID) {
        causes.push(fieldError.forbidden('spec.providerID', onlyFromEmpty('providerID')));
      }
      return causes;
    },
  },
};
