/**
 * Whether a CRD's names are free in its group, and the conditions that say so
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/controller/status/naming_controller.go).
 */
import type { ResourceType } from '../registry/resource.js';
import type { CustomResourceDefinition } from '../registry/kinds/customresourcedefinition/schema.js';
import type { Condition } from '../../schemas/meta.js';

/** The outcome: accepted or not, and the NamesAccepted and Established conditions (without times). */
export interface NamesAcceptance {
  accepted: boolean;
  conditions: Condition[];
}

/** Checks `crd`'s plural, singular, short names, kind and list kind against `others` (the group's other kinds). */
export function namesAcceptance(crd: CustomResourceDefinition, others: readonly ResourceType[]): NamesAcceptance {
  const conflict = findConflict(crd, others);
  if (conflict) {
    return {
      accepted: false,
      conditions: [
        condition('NamesAccepted', 'False', conflict.reason, `"${conflict.name}" is already in use`),
        condition('Established', 'False', 'NotAccepted', 'not all names are accepted'),
      ],
    };
  }
  return {
    accepted: true,
    conditions: [
      condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
  };
}

function findConflict(
  crd: CustomResourceDefinition,
  others: readonly ResourceType[],
): { reason: string; name: string } | undefined {
  const names = crd.spec.names;
  const resourceNames = new Set(others.flatMap((rt) => [rt.plural, rt.singular]));
  const shortNames = new Set(others.flatMap((rt) => rt.shortNames ?? []));
  const kinds = new Set(others.flatMap((rt) => [rt.kind, `${rt.kind}List`]));
  if (resourceNames.has(names.plural)) return { reason: 'PluralConflict', name: names.plural };
  if (names.singular && resourceNames.has(names.singular)) return { reason: 'SingularConflict', name: names.singular };
  const taken = names.shortNames?.find((s) => shortNames.has(s) || resourceNames.has(s));
  if (taken) return { reason: 'ShortNamesConflict', name: taken };
  if (kinds.has(names.kind)) return { reason: 'KindConflict', name: names.kind };
  if (names.listKind && kinds.has(names.listKind)) return { reason: 'ListKindConflict', name: names.listKind };
  return undefined;
}

function condition(type: string, status: string, reason: string, message: string): Condition {
  return { type, status, reason, message };
}
