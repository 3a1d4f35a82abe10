/**
 * The node podCIDR allocator: kube-controller-manager's `cidrset.CidrSet`
 * (`pkg/controller/nodeipam/ipam/cidrset/cidr_set.go`).
 * The cluster CIDR is cut into `2^(nodeMask - clusterMask)` node ranges, one bit each; allocation
 * is round robin from `nextCandidate`, so a released range is reused only after the others.
 */
import { cidrContains, cidrsOverlap, formatCIDR, lastAddress, parseCIDR, type Cidr } from '../../src/net/ipv4.js';

/** Upstream `ErrCIDRRangeNoCIDRsRemaining`, word for word. */
export const NO_CIDRS_REMAINING =
  'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';

/** Thrown by {@link CidrSet.allocateNext} when every node range is taken. */
export class CidrExhaustedError extends Error {
  override name = 'CidrExhaustedError';
  constructor() {
    super(NO_CIDRS_REMAINING);
  }
}

/** A bitmap of the node-sized ranges of one cluster CIDR. Not persisted: rebuilt from Nodes at start. */
export class CidrSet {
  private readonly cluster: Cidr;
  private readonly nodeMask: number;
  private readonly used: Uint8Array;
  private nextCandidate = 0;
  private allocated = 0;

  /** Throws when `clusterCIDR` is malformed or `nodeMask` is smaller than the cluster's prefix. */
  constructor(clusterCIDR: string, nodeMask: number) {
    this.cluster = parseCIDR(clusterCIDR);
    if (!Number.isInteger(nodeMask) || nodeMask < this.cluster.prefix || nodeMask > 32) {
      throw new Error(`node CIDR mask /${nodeMask} does not fit cluster CIDR ${clusterCIDR}`);
    }
    this.nodeMask = nodeMask;
    this.used = new Uint8Array(2 ** (nodeMask - this.cluster.prefix));
  }

  /** How many node ranges the cluster CIDR holds. */
  get capacity(): number {
    return this.used.length;
  }

  /** How many node ranges are still free. */
  get free(): number {
    return this.capacity - this.allocated;
  }

  /** Takes the next free range after the last one handed out (wrapping); throws {@link CidrExhaustedError}. */
  allocateNext(): string {
    if (this.allocated === this.capacity) throw new CidrExhaustedError();
    let candidate = this.nextCandidate;
    while (this.used[candidate]) candidate = (candidate + 1) % this.capacity;
    this.nextCandidate = (candidate + 1) % this.capacity;
    this.mark(candidate, candidate, 1);
    return formatCIDR(this.rangeAt(candidate));
  }

  /**
   * Marks every node range overlapping `cidr` as used (idempotent): a node's existing podCIDR, or
   * the service CIDR when it overlaps the cluster CIDR. Throws when `cidr` lies outside the cluster CIDR.
   */
  occupy(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    this.mark(begin, end, 1);
  }

  /** Frees every node range overlapping `cidr` (idempotent); throws when `cidr` lies outside the cluster CIDR. */
  release(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    this.mark(begin, end, 0);
  }

  private mark(begin: number, end: number, bit: 0 | 1): void {
    for (let i = begin; i <= end; i++) {
      if (this.used[i] === bit) continue;
      this.used[i] = bit;
      this.allocated += bit ? 1 : -1;
    }
  }

  private rangeAt(index: number): Cidr {
    return { network: (this.cluster.network + index * 2 ** (32 - this.nodeMask)) >>> 0, prefix: this.nodeMask };
  }

  private indexOf(ip: number): number {
    return Math.floor((ip - this.cluster.network) / 2 ** (32 - this.nodeMask));
  }

  /** First and last bitmap index covered by `text` (upstream `getBeginningAndEndIndices`). */
  private indices(text: string): [number, number] {
    const cidr = parseCIDR(text);
    if (!cidrsOverlap(this.cluster, cidr)) {
      throw new Error(`cidr ${text} is out the range of cluster cidr ${formatCIDR(this.cluster)}`);
    }
    if (cidr.prefix <= this.cluster.prefix) return [0, this.capacity - 1];
    const last = lastAddress(cidr);
    if (!cidrContains(this.cluster, last))
      throw new Error(`cidr ${text} is out the range of cluster cidr ${formatCIDR(this.cluster)}`);
    return [this.indexOf(cidr.network), this.indexOf(last)];
  }
}
