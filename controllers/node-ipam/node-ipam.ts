/**
 * The node IPAM controller (kube-controller-manager `nodeipam`, `range_allocator.go`;
 * docs/network-model.md#pod-addresses): gives every Node without one a `spec.podCIDR`/`spec.podCIDRs`
 * from the cluster CIDR.
 *
 * - At start the ranges of Nodes that already have a podCIDR are occupied (a preset fixture podCIDR
 *   such as 10.11.5.0/24 is kept), as is the service CIDR where it overlaps the cluster CIDR.
 * - A podCIDR outside the cluster CIDR is logged and left alone (upstream refuses to start).
 * - Exhaustion records an Event `CIDRNotAvailable` on the Node and retries later. Deviation: the
 *   event message is the allocator's error text (upstream: "Node <n> status is now:
 *   CIDRNotAvailable", the error only in the controller log), so the cause is visible in the API.
 * - A deleted Node's range is released (round robin reuses it last).
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { defineController, type ReconcileContext, type Reconciler, type Result } from '../../src/runtime/api.js';
import { EventRecorder } from '../../src/runtime/events.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import { cidrsOverlap, parseCIDR } from '../../src/net/ipv4.js';
import { CidrExhaustedError, CidrSet } from './cidr-set.js';

/** The server configuration node IPAM needs. */
export interface NodeIpamOptions {
  clusterCIDR: string;
  serviceCIDR: string;
  /** `--node-cidr-mask-size`, default 24. */
  nodeCIDRMaskSize?: number;
}

/** How long a Node waits before trying again after the cluster CIDR was exhausted. */
export const EXHAUSTED_RETRY_MS = 10_000;

/** The event source upstream's range allocator reports as. */
const COMPONENT = 'cidrAllocator';

/** Which range each Node holds, so it can be released once the Node is gone (or replaced by a new uid). */
interface Holding {
  uid: string;
  cidr: string;
}

/** The node IPAM controller (`nodeipam` in `--controllers`). */
export function nodeIpamController(opts: NodeIpamOptions): Reconciler<'Node'> {
  const set = new CidrSet(opts.clusterCIDR, opts.nodeCIDRMaskSize ?? 24);
  if (cidrsOverlap(parseCIDR(opts.clusterCIDR), parseCIDR(opts.serviceCIDR))) set.occupy(opts.serviceCIDR);
  const held = new Map<string, Holding>();
  const recorder = new EventRecorder(COMPONENT);

  /** Records `node`'s existing podCIDR as its range (logged and skipped when outside the cluster CIDR). */
  function adopt(ctx: Pick<ReconcileContext, 'log'>, node: Node, cidr: string): void {
    const name = node.metadata.name!;
    const mine = held.get(name);
    if (mine?.cidr === cidr) return;
    if (mine) set.release(mine.cidr);
    held.delete(name);
    try {
      set.occupy(cidr);
    } catch (err) {
      ctx.log.error('node podCIDR not occupied', { node: name, podCIDR: cidr, error: (err as Error).message });
      return;
    }
    held.set(name, { uid: node.metadata.uid ?? '', cidr });
  }

  function releaseStale(name: string, node: Node | undefined): void {
    const mine = held.get(name);
    if (!mine || (node && mine.uid === node.metadata.uid)) return;
    set.release(mine.cidr);
    held.delete(name);
  }

  async function allocate(ctx: ReconcileContext, node: Node): Promise<Result | void> {
    const name = node.metadata.name!;
    let cidr = held.get(name)?.cidr;
    if (!cidr) {
      try {
        cidr = set.allocateNext();
      } catch (err) {
        if (!(err instanceof CidrExhaustedError)) throw err;
        ctx.log.error('failed to allocate a podCIDR', { node: name, error: err.message });
        await recorder.record(
          ctx,
          { kind: 'Node', apiVersion: 'v1', object: node },
          { type: 'Normal', reason: 'CIDRNotAvailable', message: err.message },
        );
        return { requeueAfterMs: EXHAUSTED_RETRY_MS };
      }
      held.set(name, { uid: node.metadata.uid ?? '', cidr });
    }
    try {
      await ctx.client.patch('Node', { name }, { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    } catch (err) {
      // Someone else set a podCIDR or the Node is gone: give ours back; the next reconcile adopts theirs.
      set.release(cidr);
      held.delete(name);
      if (err instanceof StatusError && err.code === 404) return;
      throw err;
    }
  }

  return defineController({
    name: 'nodeipam',
    for: 'Node',
    async start(ctx) {
      for (const node of ctx.listers.Node.list()) if (node.spec.podCIDR) adopt(ctx, node, node.spec.podCIDR);
    },
    async reconcile(ctx, key) {
      const node = ctx.listers.Node.get(key);
      releaseStale(key.name, node);
      if (!node) return;
      if (node.spec.podCIDR) {
        adopt(ctx, node, node.spec.podCIDR);
        return;
      }
      return allocate(ctx, node);
    },
  });
}
