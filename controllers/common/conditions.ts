/** Status conditions as controllers write them: a transition time that moves only when the status does. */

/** The fields every condition type (Pod, Node, Namespace) shares. */
export interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/**
 * `desired` (in its order) followed by the `existing` conditions of other types, which belong to
 * other writers. A desired condition keeps its old `lastTransitionTime` when its status did not
 * change, otherwise gets `now`; so recomputing an unchanged state yields an identical list.
 */
export function mergeConditions<C extends ConditionLike>(
  existing: readonly C[] | undefined,
  desired: readonly C[],
  now: string,
): C[] {
  const old = new Map((existing ?? []).map((c) => [c.type, c]));
  const merged = desired.map((c) => {
    const previous = old.get(c.type);
    const lastTransitionTime =
      previous && previous.status === c.status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
    return { ...c, lastTransitionTime };
  });
  const owned = new Set(desired.map((c) => c.type));
  return [...merged, ...(existing ?? []).filter((c) => !owned.has(c.type))];
}

/** The condition of `type`, if present. */
export function findCondition<C extends ConditionLike>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((c) => c.type === type);
}
