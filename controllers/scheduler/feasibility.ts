/**
 * Which nodes a pod may run on: the default scheduler's filters that matter for simulated VMs, in
 * upstream's order, each with upstream's failure reason (the first failing filter names the node's
 * reason, as the framework stops at the first failure):
 *
 * 1. NodeUnschedulable — `spec.unschedulable` (cordon) unless tolerated: "node(s) were unschedulable".
 * 2. TaintToleration — NoSchedule/NoExecute taints, plus `node.kubernetes.io/not-ready` for a node
 *    whose Ready condition is not True (upstream's node lifecycle controller adds that taint):
 *    "node(s) had untolerated taint {key: value}".
 * 3. NodeAffinity — `spec.nodeSelector` only: "node(s) didn't match Pod's node affinity/selector".
 * 4. NodeResourcesFit — only the `pods` count against allocatable pods: "Too many pods".
 *
 * Not modelled: affinity expressions, topology spread, CPU/memory requests, host ports, volumes.
 */
import { quantityValue } from '../../schemas/meta.js';
import type { Node, Taint } from '../../src/registry/kinds/node/schema.js';
import type { Pod, Toleration } from '../../src/registry/kinds/pod/schema.js';
import { findCondition } from '../common/conditions.js';

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const NOT_READY_TAINT: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

/** Upstream `Toleration.ToleratesTaint`. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator || 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

function untolerated(pod: Pod, taints: readonly Taint[]): Taint | undefined {
  const tolerations = pod.spec.tolerations ?? [];
  return taints.find((taint) => !tolerations.some((t) => tolerates(t, taint)));
}

function effectiveTaints(node: Node): Taint[] {
  const filtering = (node.spec.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const ready = findCondition(node.status?.conditions, 'Ready')?.status === 'True';
  return ready ? filtering : [NOT_READY_TAINT, ...filtering];
}

function matchesNodeSelector(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  return Object.entries(pod.spec.nodeSelector ?? {}).every(([key, value]) => labels[key] === value);
}

/** The pod capacity of a node: allocatable `pods`, else capacity, else the kubelet default 110. */
function podCapacity(node: Node): number {
  const pods = node.status?.allocatable?.pods ?? node.status?.capacity?.pods;
  return pods === undefined ? 110 : quantityValue(pods);
}

/**
 * Why `pod` cannot go to `node`, or undefined when it can; `podsOnNode` counts the pods the node
 * already runs (including ones the scheduler just bound).
 */
export function unfitReason(pod: Pod, node: Node, podsOnNode: number): string | undefined {
  if (node.spec.unschedulable && untolerated(pod, [UNSCHEDULABLE_TAINT])) return 'node(s) were unschedulable';
  const taint = untolerated(pod, effectiveTaints(node));
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (!matchesNodeSelector(pod, node)) return "node(s) didn't match Pod's node affinity/selector";
  if (podsOnNode + 1 > podCapacity(node)) return 'Too many pods';
  return undefined;
}

/** Upstream `FitError.Error()`: the per-reason histogram, sorted, then the preemption verdict. */
export function unschedulableMessage(totalNodes: number, reasons: readonly string[]): string {
  if (totalNodes === 0) return 'no nodes available to schedule pods';
  const histogram = new Map<string, number>();
  for (const reason of reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
  const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort();
  const head = `0/${totalNodes} nodes are available: ${parts.join(', ')}.`;
  return `${head} preemption: 0/${totalNodes} nodes are available: ${totalNodes} Preemption is not helpful for scheduling.`;
}
