import { errors } from '../apimachinery/errors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, type PatchMeta } from '../apimachinery/patch.js';

/** The PATCH content types kube-apiserver accepts, by the name of their media type (`apply` is served by Registry.apply). */
export const patchContentTypes = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
} as const;

export type PatchType = (typeof patchContentTypes)[keyof typeof patchContentTypes];

/** Applies a patch body of the given type to the current object (never mutating it); `meta` is the kind's `strategicMerge`. */
export function applyPatch(
  type: Exclude<PatchType, 'apply'>,
  meta: PatchMeta,
  current: unknown,
  patch: unknown,
): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      return applyMergePatch(current, requireObject(patch));
    case 'strategic':
      return applyStrategicMergePatch(current, requireObject(patch), meta);
  }
}

function requireObject(patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw errors.badRequest('the patch body must be a JSON object');
  return patch;
}
