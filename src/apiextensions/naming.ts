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

/**
 * Checks `crd`'s plural, singular, short names, kind and list kind against `others` (the group's
 * other kinds); of several conflicts the last one checked is reported, as upstream. Established,
 * once True, stays True (`established` is its current status).
 */
export function namesAcceptance(
  crd: CustomResourceDefinition,
  others: readonly ResourceType[],
  established = false,
): NamesAcceptance {
  const conflict = findConflict(crd, others);
  const namesAccepted = conflict
    ? condition('NamesAccepted', 'False', conflict.reason, conflict.message)
    : condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found');
  const establishedCondition =
    established || !conflict
      ? condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted')
      : condition('Established', 'False', 'NotAccepted', 'not all names are accepted');
  return { accepted: !conflict, conditions: [namesAccepted, establishedCondition] };
}

const inUse = (name: string) => `"${name}" is already in use`;

function findConflict(
  crd: CustomResourceDefinition,
  others: readonly ResourceType[],
): { reason: string; message: string } | undefined {
  const names = crd.spec.names;
  const resources = new Set(others.flatMap((rt) => [rt.plural, rt.singular, ...(rt.shortNames ?? [])]));
  const kinds = new Set(others.flatMap((rt) => [rt.kind, `${rt.kind}List`]));
  let conflict: { reason: string; message: string } | undefined;
  if (resources.has(names.plural)) conflict = { reason: 'PluralConflict', message: inUse(names.plural) };
  if (names.singular && resources.has(names.singular))
    conflict = { reason: 'SingularConflict', message: inUse(names.singular) };
  const shortNames = (names.shortNames ?? []).filter((s) => resources.has(s)).map(inUse);
  if (shortNames.length)
    conflict = {
      reason: 'ShortNamesConflict',
      message: shortNames.length === 1 ? shortNames[0] : `[${shortNames.join(', ')}]`,
    };
  if (kinds.has(names.kind)) conflict = { reason: 'KindConflict', message: inUse(names.kind) };
  if (names.listKind && kinds.has(names.listKind))
    conflict = { reason: 'ListKindConflict', message: inUse(names.listKind) };
  return conflict;
}

function condition(type: string, status: string, reason: string, message: string): Condition {
  return { type, status, reason, message };
}
