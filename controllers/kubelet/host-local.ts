/**
 * Pod IPs inside one node's podCIDR, the way the CNI `host-local` IPAM plugin hands them out for
 * kubenet (containernetworking/plugins, `ipam/host-local/backend/allocator/range.go`): the range
 * runs from N+1 to broadcast−1, the gateway N+1 (the `cbr0` address) is skipped, so a /24 yields
 * N+2 … N+254 (253 pod IPs); allocation is round robin, continuing after the last reserved address
 * and wrapping. Not persisted: host-local keeps `last_reserved_ip` on disk, we rebuild from the
 * pods' status after a restart.
 */
import {
  addressAt,
  cidrContains,
  formatCIDR,
  formatIPv4,
  isIPv4,
  lastAddress,
  parseCIDR,
  parseIPv4,
  type Cidr,
} from '../../src/net/ipv4.js';

/** Upstream's exhaustion message prefix; the range set (`start-end`) follows. */
const NO_ADDRESSES_AVAILABLE = 'no IP addresses available in range set';

/** Thrown by {@link HostLocalRange.allocate} when every address of the range is in use. */
export class RangeExhaustedError extends Error {
  override name = 'RangeExhaustedError';
}

/** The addresses of one node podCIDR and who holds each. */
export class HostLocalRange {
  private readonly subnet: Cidr;
  /** The `cbr0` address (N+1), never handed to a pod. */
  readonly gateway: string;
  /** host-local's default rangeStart is the gateway itself; its iterator skips it. */
  private readonly start: number;
  private readonly end: number;
  private readonly owners = new Map<number, string>();
  private lastReserved: number | undefined;

  /** Throws for a malformed subnet or one smaller than a /30 ("too small to allocate from"). */
  constructor(subnet: string) {
    this.subnet = parseCIDR(subnet);
    if (this.subnet.prefix > 30) throw new Error(`Network ${formatCIDR(this.subnet)} too small to allocate from`);
    this.start = addressAt(this.subnet, 1);
    this.gateway = formatIPv4(this.start);
    this.end = lastAddress(this.subnet) - 1;
  }

  /** `start-end` as host-local prints its range set, e.g. `10.11.0.1-10.11.0.254`. */
  get rangeSet(): string {
    return `${formatIPv4(this.start)}-${formatIPv4(this.end)}`;
  }

  /** The next free address after the last one handed out, for `owner`; throws {@link RangeExhaustedError}. */
  allocate(owner: string): string {
    const span = this.end - this.start + 1;
    const first = this.lastReserved === undefined || this.lastReserved >= this.end ? this.start : this.lastReserved + 1;
    for (let i = 0; i < span; i++) {
      const ip = this.start + ((first - this.start + i) % span);
      if (this.isGateway(ip) || this.owners.has(ip)) continue;
      this.owners.set(ip, owner);
      this.lastReserved = ip;
      return formatIPv4(ip);
    }
    throw new RangeExhaustedError(`${NO_ADDRESSES_AVAILABLE}: ${this.rangeSet}`);
  }

  /**
   * Claims a specific address for `owner` (a requested IP, or one a pod already reports): true when
   * it is now `owner`'s, false when it is outside the range, the gateway, or held by someone else.
   */
  reserve(ip: string, owner: string): boolean {
    if (!isIPv4(ip)) return false;
    const n = parseIPv4(ip);
    if (!cidrContains(this.subnet, n) || this.isGateway(n) || n < this.start || n > this.end) return false;
    const holder = this.owners.get(n);
    if (holder !== undefined) return holder === owner;
    this.owners.set(n, owner);
    return true;
  }

  private isGateway(ip: number): boolean {
    return ip === this.start;
  }

  /** Frees `ip` if `owner` holds it (a stale release never frees someone else's address). */
  release(ip: string, owner: string): void {
    if (!isIPv4(ip)) return;
    const n = parseIPv4(ip);
    if (this.owners.get(n) === owner) this.owners.delete(n);
  }
}
