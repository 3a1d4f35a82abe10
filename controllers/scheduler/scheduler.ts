/**
 * The scheduler (`scheduler` in `--controllers`): binds every pending Pod of `default-scheduler`
 * that has no `spec.nodeName` to a feasible node (see feasibility.ts), spreading evenly: the node
 * with the fewest pods wins, ties broken by node name. Pods created with a nodeName, with scheduling
 * gates, or of another scheduler are left alone.
 *
 * Binding: the SDK's `Client` has no subresource calls, so this scheduler sets `spec.nodeName` with
 * a merge patch of the Pod ({@link bindPod}), which the Pod strategy accepts from empty to a value,
 * and then reports `PodScheduled=True` through the status subresource (upstream's binding does both
 * in one write). Schedulers outside the process use `POST pods/<name>/binding` or `bindings`.
 *
 * A pod no node fits gets `PodScheduled=False`, reason `Unschedulable`, upstream's "0/N nodes are
 * available: …" message and a `FailedScheduling` Warning event; it is retried whenever a Node
 * changes. Like upstream's scheduler cache, pods bound here count for their node until the
 * informer shows the binding, so a burst of pods still spreads evenly.
 *
 * Needs the Pod informer's `spec.nodeName` index.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { nowTimestamp } from '../../src/apimachinery/object.js';
import {
  defineController,
  keyOf,
  keyString,
  parseKey,
  watchKind,
  type Lister,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
} from '../../src/runtime/api.js';
import { EventRecorder } from '../../src/runtime/events.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Pod, PodCondition } from '../../src/registry/kinds/pod/schema.js';
import { findCondition, mergeConditions } from '../common/conditions.js';
import { unfitReason, unschedulableMessage } from './feasibility.js';

/** The `spec.schedulerName` this scheduler serves. */
const SCHEDULER_NAME = 'default-scheduler';

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

/** Whether the scheduler should place `pod` now. */
function wantsScheduling(pod: Pod): boolean {
  return (
    !pod.spec.nodeName &&
    !pod.metadata.deletionTimestamp &&
    pod.spec.schedulerName === SCHEDULER_NAME &&
    !pod.spec.schedulingGates?.length &&
    !TERMINAL_PHASES.has(pod.status?.phase ?? '')
  );
}

/** Sets `spec.nodeName` (the scheduler's stand-in for `POST pods/<name>/binding`). */
async function bindPod(ctx: Pick<ReconcileContext, 'client'>, key: ObjectKey, nodeName: string): Promise<Pod> {
  return ctx.client.patch('Pod', key, { spec: { nodeName } });
}

/** Pods bound by this scheduler that the informer may not show as bound yet (upstream "assumed pods"). */
class AssumedPods {
  private readonly nodeOf = new Map<string, string>();

  assume(pod: ObjectKey, nodeName: string): void {
    this.nodeOf.set(keyString(pod), nodeName);
  }

  forget(pod: ObjectKey): void {
    this.nodeOf.delete(keyString(pod));
  }

  /** Per node, how many assumed pods the informer does not show on that node yet; forgets the others. */
  pendingCounts(pods: Lister<Pod>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [key, nodeName] of this.nodeOf) {
      const pod = pods.get(parseKey(key));
      if (!pod || pod.spec.nodeName) {
        this.nodeOf.delete(key);
        continue;
      }
      counts.set(nodeName, (counts.get(nodeName) ?? 0) + 1);
    }
    return counts;
  }
}

function podsOn(pods: Lister<Pod>, nodeName: string): number {
  return pods.byIndex('spec.nodeName', nodeName).filter((p) => !TERMINAL_PHASES.has(p.status?.phase ?? '')).length;
}

type Placement = { node: Node } | { reasons: string[]; total: number };

/** The least loaded feasible node (ties by name), or why none fits. */
function place(pod: Pod, nodes: readonly Node[], pods: Lister<Pod>, assumed: AssumedPods): Placement {
  const pending = assumed.pendingCounts(pods);
  const reasons: string[] = [];
  let best: { node: Node; load: number } | undefined;
  for (const node of nodes) {
    const name = node.metadata.name!;
    const load = podsOn(pods, name) + (pending.get(name) ?? 0);
    const reason = unfitReason(pod, node, load);
    if (reason) reasons.push(reason);
    else if (!best || load < best.load || (load === best.load && name < best.node.metadata.name!))
      best = { node, load };
  }
  return best ? { node: best.node } : { reasons, total: nodes.length };
}

function scheduledCondition(status: 'True' | 'False', message?: string): PodCondition {
  return status === 'True'
    ? { type: 'PodScheduled', status }
    : { type: 'PodScheduled', status, reason: 'Unschedulable', message };
}

/** Writes the PodScheduled condition unless it already says the same. A 409 means someone (the kubelet) wrote first: fine. */
async function reportScheduled(ctx: ReconcileContext, pod: Pod, condition: PodCondition): Promise<void> {
  const current = findCondition(pod.status?.conditions, 'PodScheduled');
  if (
    current &&
    current.status === condition.status &&
    current.reason === condition.reason &&
    current.message === condition.message
  )
    return;
  const conditions = mergeConditions(pod.status?.conditions, [condition], nowTimestamp(ctx.now()));
  try {
    await ctx.client.updateStatus('Pod', { ...pod, status: { ...pod.status, conditions } });
  } catch (err) {
    if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
  }
}

/** The scheduler controller. */
export function schedulerController(): Reconciler<'Pod'> {
  const assumed = new AssumedPods();
  const recorder = new EventRecorder(SCHEDULER_NAME);
  return defineController({
    name: 'scheduler',
    for: 'Pod',
    workers: 4,
    watches: [watchKind('Node', (_node, { listers }) => listers.Pod.list().filter(wantsScheduling).map(keyOf))],
    async reconcile(ctx, key) {
      const pod = ctx.listers.Pod.get(key);
      if (!pod || !wantsScheduling(pod)) return;
      const placement = place(pod, ctx.listers.Node.list(), ctx.listers.Pod, assumed);
      if ('node' in placement) {
        const nodeName = placement.node.metadata.name!;
        // Assumed before the write so that concurrent workers already count it.
        assumed.assume(key, nodeName);
        let bound: Pod;
        try {
          bound = await bindPod(ctx, key, nodeName);
        } catch (err) {
          assumed.forget(key);
          throw err;
        }
        await reportScheduled(ctx, bound, scheduledCondition('True'));
        return;
      }
      const message = unschedulableMessage(placement.total, placement.reasons);
      await reportScheduled(ctx, pod, scheduledCondition('False', message));
      await recorder.record(
        ctx,
        { kind: 'Pod', apiVersion: 'v1', object: pod },
        { type: 'Warning', reason: 'FailedScheduling', message },
      );
    },
  });
}
