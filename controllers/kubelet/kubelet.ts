/**
 * The simulated kubelet of every node (`kubelet` in `--controllers`). There are no processes: a pod
 * bound to an existing Node "runs" as soon as it is seen.
 *
 * - IP: from the node's podCIDR as CNI host-local gives them (`host-local.ts`: round robin, never the network,
 *   `.1` gateway or broadcast address); `hostNetwork` pods use the node's InternalIP. Released when
 *   the pod is deleted. Pods whose node has no podCIDR yet wait for it (node IPAM sets it).
 * - Status (through the status subresource): hostIP(s), podIP(s), phase Running, startTime,
 *   containerStatuses (running, ready, image, restartCount 0) and the conditions
 *   PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled, all True.
 * - No free IP: the pod stays Pending (containers ContainerCreating), a `FailedCreatePodSandBox`
 *   Warning event carries host-local's error, and the kubelet tries again after a while.
 * - Deletion: a pod with a deletionTimestamp and no finalizers is deleted at once, whatever its
 *   terminationGracePeriodSeconds (there is nothing to stop). The registry currently removes such
 *   pods itself on delete, so usually the kubelet only releases the IP.
 *
 * Knobs (annotations on the Pod, read on every reconcile):
 * - `kplane.io/ready: "false"` — containers run but are not ready: Ready and ContainersReady are
 *   False (reason ContainersNotReady), as with a failing readiness probe. Endpoints lists the pod
 *   under notReadyAddresses.
 * - `kplane.io/phase: Pending | Succeeded | Failed` — forces that phase. Pending: no sandbox yet,
 *   so no pod IP. Succeeded / Failed: containers terminated with exit code 0 / 1; the IP stays
 *   allocated until the pod is deleted. Any other value means Running.
 * - `kplane.io/pod-ip: <ip>` — asks for that pod IP; it must be free and inside the node's podCIDR,
 *   otherwise sandbox creation fails as above ("requested IP address … is not available …").
 *
 * - Logs: each container's log tells its start and exit (`container-log.ts`), served by
 *   `pods/<name>/log`; they live in the server's memory, not in storage.
 *
 * Not simulated: restarts, probes, init container ordering, image pulls, node heartbeats.
 * Needs the Pod informer's `spec.nodeName` index.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { jsonEqual } from '../../src/apimachinery/equal.js';
import { nowTimestamp } from '../../src/apimachinery/object.js';
import {
  defineController,
  keyOf,
  watchKind,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
} from '../../src/runtime/api.js';
import { EventRecorder } from '../../src/runtime/events.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import { nodeAddress } from '../nodes/node-status.js';
import { RangeExhaustedError } from './host-local.js';
import { PodNetwork, RequestedIPUnavailableError } from './pod-network.js';
import type { PodLogWriter } from '../../src/podlogs/store.js';
import { ContainerLogs, discardPodLogs } from './container-log.js';
import { desiredPodStatus, simulatedPhase, type Sandbox } from './pod-status.js';

/** How long a pod whose sandbox could not get an IP waits before the kubelet tries again. */
export const SANDBOX_RETRY_MS = 5_000;

const COMPONENT = 'kubelet';

/** Deletes a terminating pod once nothing holds it; its IP is released when the informer reports it gone. */
async function finishDeletion(ctx: ReconcileContext, pod: Pod, key: ObjectKey): Promise<void> {
  if (pod.metadata.finalizers?.length) return;
  await ctx.client.delete('Pod', key);
}

async function writeStatus(ctx: ReconcileContext, pod: Pod, status: Pod['status']): Promise<void> {
  if (jsonEqual(status, pod.status)) return;
  try {
    await ctx.client.updateStatus('Pod', { ...pod, status });
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}

/** The kubelet controller; it writes the containers' logs (`container-log.ts`) to `podLogs`. */
export function kubeletController(podLogs: PodLogWriter = discardPodLogs): Reconciler<'Pod'> {
  const network = new PodNetwork();
  const containerLogs = new ContainerLogs(podLogs);
  const recorder = new EventRecorder(COMPONENT);

  /** The pod's sandbox, or undefined while its node has no usable podCIDR. Throws when no IP can be had. */
  function sandboxFor(
    ctx: ReconcileContext,
    key: ObjectKey,
    pod: Pod,
    node: Node,
    hostIP: string,
  ): Sandbox | undefined {
    if (simulatedPhase(pod) === 'Pending') {
      network.release(key);
      return { hostIP };
    }
    if (pod.spec.hostNetwork) return { hostIP, podIP: hostIP };
    const range = network.rangeFor(ctx, node, () => ctx.listers.Pod.byIndex('spec.nodeName', node.metadata.name!));
    return range && { hostIP, podIP: network.acquire(key, pod, range) };
  }

  async function sandboxFailed(ctx: ReconcileContext, pod: Pod, hostIP: string, err: Error): Promise<Result> {
    const message = `Failed to create pod sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: ${err.message}`;
    await recorder.record(
      ctx,
      { kind: 'Pod', apiVersion: 'v1', object: pod },
      { type: 'Warning', reason: 'FailedCreatePodSandBox', message },
    );
    await writeStatus(ctx, pod, desiredPodStatus(pod, 'Pending', { hostIP }, nowTimestamp(ctx.now())));
    return { requeueAfterMs: SANDBOX_RETRY_MS };
  }

  return defineController({
    name: 'kubelet',
    for: 'Pod',
    workers: 4,
    watches: [
      watchKind('Node', (node, { listers }) => listers.Pod.byIndex('spec.nodeName', node.metadata.name!).map(keyOf)),
    ],
    async reconcile(ctx, key) {
      const pod = ctx.listers.Pod.get(key);
      if (!pod) {
        network.release(key);
        containerLogs.forget(key);
        return;
      }
      if (pod.metadata.deletionTimestamp) return finishDeletion(ctx, pod, key);
      const node = pod.spec.nodeName ? ctx.listers.Node.get({ name: pod.spec.nodeName }) : undefined;
      const hostIP = node && nodeAddress(node, 'InternalIP');
      if (!node || !hostIP) return;
      let sandbox: Sandbox | undefined;
      try {
        sandbox = sandboxFor(ctx, key, pod, node, hostIP);
      } catch (err) {
        if (err instanceof RangeExhaustedError || err instanceof RequestedIPUnavailableError)
          return sandboxFailed(ctx, pod, hostIP, err);
        throw err;
      }
      if (!sandbox) return;
      const status = desiredPodStatus(pod, simulatedPhase(pod), sandbox, nowTimestamp(ctx.now()));
      await writeStatus(ctx, pod, status);
      containerLogs.record(pod, status, new Date(ctx.now()));
    },
  });
}
