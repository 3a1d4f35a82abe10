/**
 * The pod network of every simulated node: one host-local range per node podCIDR, and which pod
 * holds which address. Ranges are built lazily, the first time a pod on the node needs an address,
 * from the pods the node already runs (so a restart keeps every pod's IP).
 */
import { keyString, type ObjectKey, type ReconcileContext } from '../../src/runtime/api.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import { HostLocalRange } from './host-local.js';

/** Annotation asking for a specific pod IP (a fixture's 10.11.0.9); it must be free and inside the node's podCIDR. */
export const POD_IP_ANNOTATION = 'kplane.io/pod-ip';

/** Thrown when a pod's requested IP cannot be given to it (host-local's wording). */
export class RequestedIPUnavailableError extends Error {
  override name = 'RequestedIPUnavailableError';
}

interface Holding {
  uid: string;
  ip: string;
  range: HostLocalRange;
}

function ownerOf(pod: Pod): string {
  return pod.metadata.uid ?? '';
}

/** Pod IP bookkeeping for all nodes. */
export class PodNetwork {
  private readonly ranges = new Map<string, { podCIDR: string; range: HostLocalRange }>();
  private readonly held = new Map<string, Holding>();

  /**
   * The range of `node`, built on first use from the IPs its pods (`podsOnNode()`) report; undefined
   * while the node has no podCIDR or when it is too small to allocate from (logged).
   */
  rangeFor(
    ctx: Pick<ReconcileContext, 'log'>,
    node: Node,
    podsOnNode: () => readonly Pod[],
  ): HostLocalRange | undefined {
    const name = node.metadata.name!;
    const podCIDR = node.spec.podCIDR;
    if (!podCIDR) return undefined;
    const known = this.ranges.get(name);
    if (known?.podCIDR === podCIDR) return known.range;
    let range: HostLocalRange;
    try {
      range = new HostLocalRange(podCIDR);
    } catch (err) {
      ctx.log.error('node podCIDR unusable for pods', { node: name, podCIDR, error: (err as Error).message });
      return undefined;
    }
    this.ranges.set(name, { podCIDR, range });
    for (const pod of podsOnNode()) this.adopt(pod, range);
    return range;
  }

  private adopt(pod: Pod, range: HostLocalRange): void {
    const ip = pod.status?.podIP;
    if (!ip || pod.spec.hostNetwork || !range.reserve(ip, ownerOf(pod))) return;
    this.held.set(keyString({ namespace: pod.metadata.namespace, name: pod.metadata.name! }), {
      uid: ownerOf(pod),
      ip,
      range,
    });
  }

  /**
   * The pod's address in `range`: the one it holds, else the one it asks for (annotation, then an IP
   * it already reports), else the next free one. Throws {@link RequestedIPUnavailableError} when the
   * annotation's IP is not available, or the range's exhaustion error.
   */
  acquire(key: ObjectKey, pod: Pod, range: HostLocalRange): string {
    const holding = this.held.get(keyString(key));
    if (holding?.uid === ownerOf(pod) && holding.range === range) return holding.ip;
    this.release(key);
    const requested = pod.metadata.annotations?.[POD_IP_ANNOTATION];
    if (requested && !range.reserve(requested, ownerOf(pod))) {
      throw new RequestedIPUnavailableError(
        `requested IP address ${requested} is not available in range set ${range.rangeSet}`,
      );
    }
    const reported = pod.status?.podIP;
    const ip =
      requested ?? (reported && range.reserve(reported, ownerOf(pod)) ? reported : range.allocate(ownerOf(pod)));
    this.held.set(keyString(key), { uid: ownerOf(pod), ip, range });
    return ip;
  }

  /** Gives back whatever address the pod at `key` holds (pod deleted, or its sandbox gone). */
  release(key: ObjectKey): void {
    const id = keyString(key);
    const holding = this.held.get(id);
    if (!holding) return;
    holding.range.release(holding.ip, holding.uid);
    this.held.delete(id);
  }
}
