/**
 * The simulated VMs' kubelets, as far as Nodes go. At start, when the cluster has no Node at all,
 * it registers `vm1 … vmN` (`--nodes`, src/config/config.ts): InternalIP from the VPC subnet starting at
 * `.2` (`.1` is the subnet gateway), ExternalIP (GCP 1:1 NAT) from the external pool starting at its
 * first address, and a Ready status (in the test fixture vm1 = 10.240.0.2 / 35.0.0.1 …, see
 * docs/network-model.md#the-reference-cluster).
 *
 * Afterwards every Node is treated as a VM whose kubelet registered: a Node created through the API
 * without status (e.g. `kubectl create -f node.yaml`) gets the missing parts of a kubelet's status
 * through the status subresource, addresses picked from the same ranges. Parts already present are
 * never overwritten, so a test can keep a node NotReady. There are no heartbeats or node leases.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { jsonEqual } from '../../src/apimachinery/equal.js';
import { nowTimestamp } from '../../src/apimachinery/object.js';
import { defineController, type ReconcileContext, type Reconciler } from '../../src/runtime/api.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import { addressAt, cidrSize, formatIPv4, parseCIDR, type Cidr } from '../../src/net/ipv4.js';
import { completeNodeStatus, newSimulatedNode, type VmAddresses } from './node-status.js';

/** The server configuration the nodes controller needs (ServerConfig's `nodes`, `vpcCIDR`, `externalIPPool`). */
export interface NodesOptions {
  /** How many VMs to register at first start. */
  nodes: number;
  vpcCIDR: string;
  externalIPPool: string;
}

/** A range of assignable addresses: offsets `first … size - 1 - reservedAtEnd` of `cidr`. */
interface AddressRange {
  cidr: Cidr;
  first: number;
  reservedAtEnd: number;
}

/** GCP reserves a subnet's network, gateway (.1), second-to-last and broadcast addresses. */
function vpcRange(vpcCIDR: string): AddressRange {
  return { cidr: parseCIDR(vpcCIDR), first: 2, reservedAtEnd: 2 };
}

/** A pool of public addresses: everything but the network and broadcast addresses. */
function externalRange(pool: string): AddressRange {
  return { cidr: parseCIDR(pool), first: 1, reservedAtEnd: 1 };
}

function firstFree(range: AddressRange, taken: ReadonlySet<string>): string | undefined {
  for (let offset = range.first; offset < cidrSize(range.cidr) - range.reservedAtEnd; offset++) {
    const ip = formatIPv4(addressAt(range.cidr, offset));
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

/** Hands out VM addresses, remembering its own picks so a stale cache cannot make it pick one twice. */
class VmAddressBook {
  private readonly picked = new Map<string, VmAddresses>();

  constructor(
    private readonly internal: AddressRange,
    private readonly external: AddressRange,
  ) {}

  /** Addresses for node `name`, avoiding those of `nodes` and earlier picks; undefined when the VPC range is full. */
  pick(name: string, nodes: readonly Node[]): VmAddresses | undefined {
    const earlier = this.picked.get(name);
    if (earlier) return earlier;
    const taken = new Set<string>();
    for (const vm of this.picked.values()) for (const ip of [vm.internalIP, vm.externalIP]) if (ip) taken.add(ip);
    for (const node of nodes) for (const a of node.status?.addresses ?? []) taken.add(a.address);
    const internalIP = firstFree(this.internal, taken);
    if (!internalIP) return undefined;
    const vm = { internalIP, externalIP: firstFree(this.external, taken) };
    this.picked.set(name, vm);
    return vm;
  }

  forget(name: string): void {
    this.picked.delete(name);
  }
}

async function createIgnoringConflict(
  ctx: Pick<ReconcileContext, 'client'>,
  node: Omit<Node, 'apiVersion' | 'kind'>,
): Promise<void> {
  try {
    await ctx.client.create('Node', node);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

/** The nodes controller (`nodes` in `--controllers`). */
export function nodesController(opts: NodesOptions): Reconciler<'Node'> {
  const book = new VmAddressBook(vpcRange(opts.vpcCIDR), externalRange(opts.externalIPPool));
  return defineController({
    name: 'nodes',
    for: 'Node',
    async start(ctx) {
      if (ctx.listers.Node.list().length > 0) return;
      for (let i = 1; i <= opts.nodes; i++) {
        const name = `vm${i}`;
        const vm = book.pick(name, []);
        if (!vm) throw new Error(`vpcCIDR ${opts.vpcCIDR} has no address left for node ${name}`);
        await createIgnoringConflict(ctx, newSimulatedNode(name, vm, nowTimestamp(ctx.now())));
      }
    },
    async reconcile(ctx, key) {
      const node = ctx.listers.Node.get(key);
      if (!node) {
        book.forget(key.name);
        return;
      }
      const vm = node.status?.addresses?.length ? undefined : book.pick(key.name, ctx.listers.Node.list());
      const status = completeNodeStatus(key.name, node.status, vm, nowTimestamp(ctx.now()));
      if (jsonEqual(status, node.status)) return;
      await ctx.client.updateStatus('Node', { ...node, status });
    },
  });
}
