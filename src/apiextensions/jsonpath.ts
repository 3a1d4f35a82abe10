/**
 * The JSONPath subset printer columns and selectable fields use: `.a.b`, `.a[0]`, `.a['b.c']` and
 * a filter on equality, `.conditions[?(@.type=="Ready")].status` (k8s.io/client-go/util/jsonpath
 * accepts more; CRDs rarely need it). Evaluates to every match, in order.
 */
import { isObject } from './types.js';

type Step = { field: string } | { index: number } | { filter: { key: string; value: string } };

const STEP = /^(?:\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']+)'\]|\[\?\(@\.([A-Za-z0-9_-]+)\s*==\s*["']([^"']*)["']\)\])/;

/** Parses `path`; undefined when it uses syntax outside the subset. */
export function parseJsonPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  let rest = path.trim();
  while (rest) {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ field: m[3] });
    else steps.push({ filter: { key: m[4], value: m[5] } });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** The values `steps` select in `root`. */
export function evaluateJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('field' in step) {
        if (isObject(value) && value[step.field] !== undefined) next.push(value[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (Array.isArray(value)) {
        next.push(...value.filter((v) => isObject(v) && String(v[step.filter.key]) === step.filter.value));
      }
    }
    current = next;
  }
  return current;
}
