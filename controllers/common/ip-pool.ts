/**
 * The simulated cloud's pool of load-balancer addresses (`loadBalancerIPPool`), shared by the
 * network-LB and Ingress controllers. The ForwardingRules in the API are the source of truth for
 * what is taken; the pool also remembers its own recent picks per owner, so two controllers (or
 * one with a stale cache) never hand out one address twice.
 */
import {
  addressAt,
  cidrContains,
  cidrSize,
  formatIPv4,
  parseCIDR,
  tryParseIPv4,
  type Cidr,
} from '../../src/net/ipv4.js';

export class LoadBalancerIPPool {
  private readonly cidr: Cidr;
  private readonly picked = new Map<string, string>();

  constructor(pool: string) {
    this.cidr = parseCIDR(pool);
  }

  /** Whether `ip` is an assignable address of the pool (not its network or broadcast address). */
  contains(ip: string): boolean {
    const addr = tryParseIPv4(ip);
    if (addr === undefined || !cidrContains(this.cidr, addr)) return false;
    const offset = addr - this.cidr.network;
    return offset > 0 && offset < cidrSize(this.cidr) - 1;
  }

  /**
   * An address for `owner` (a stable key, e.g. `svc/<uid>`): its earlier pick, else `requested`
   * when it is in the pool and free, else the first free address; undefined when the pool is full
   * or `requested` is taken or outside the pool. `inUse` = addresses ForwardingRules hold now
   * (the owner's own may be among them).
   */
  allocate(owner: string, inUse: ReadonlySet<string>, requested?: string): string | undefined {
    const mine = this.picked.get(owner);
    if (mine && (!requested || requested === mine)) return mine;
    const taken = new Set(inUse);
    for (const [other, ip] of this.picked) if (other !== owner) taken.add(ip);
    if (requested) {
      if (!this.contains(requested) || (taken.has(requested) && mine !== requested)) return undefined;
      this.picked.set(owner, requested);
      return requested;
    }
    for (let offset = 1; offset < cidrSize(this.cidr) - 1; offset++) {
      const ip = formatIPv4(addressAt(this.cidr, offset));
      if (taken.has(ip)) continue;
      this.picked.set(owner, ip);
      return ip;
    }
    return undefined;
  }

  /** Forgets `owner`'s pick (its ForwardingRule is gone). */
  release(owner: string): void {
    this.picked.delete(owner);
  }
}
