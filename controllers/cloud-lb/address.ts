/**
 * Which address a Service's load balancer gets from the shared `loadBalancerIPPool`. The
 * ForwardingRules are the durable record (a restarted controller, whose pool remembers nothing,
 * keeps every Service's address); the pool keeps two controllers from handing one address out twice.
 */
import type { LoadBalancerIPPool } from '../common/ip-pool.js';

/** The address to use, and why the Service did not get what it asked for (a Warning Event), if so. */
export interface AddressChoice {
  ip?: string;
  problem?: string;
}

/** The Service's wishes and the cloud's state. */
export interface AddressRequest {
  /** The pool owner key of the Service. */
  owner: string;
  /** `spec.loadBalancerIP`, if set. */
  requested?: string;
  /** The address this process gave the Service last, if any. */
  remembered?: string;
  /** The address of the Service's existing ForwardingRule, if any. */
  current?: string;
  /** Addresses other ForwardingRules (other Services', Ingresses') hold. */
  inUse: ReadonlySet<string>;
}

/**
 * - `requested` set: that address when it is in the pool and free. Otherwise a problem, and the
 *   current address is kept when there is one (a load balancer is not torn down because its
 *   Service asked to move to a taken address).
 * - else the first of the remembered address (so a rule whose address was edited by hand gets
 *   it back) and the current one (restart safety) that is in the pool and free, else the pool's
 *   first free address; a problem when the pool is full.
 */
export function chooseAddress(pool: LoadBalancerIPPool, req: AddressRequest): AddressChoice {
  const { owner, requested, remembered, current, inUse } = req;
  if (requested) {
    const ip = pool.allocate(owner, inUse, requested);
    if (ip) return { ip };
    const why = pool.contains(requested) ? 'is already in use' : 'is not in loadBalancerIPPool';
    const problem = `requested load balancer IP ${requested} ${why}`;
    return current ? { ip: current, problem } : { problem };
  }
  for (const candidate of [remembered, current]) {
    const ip = candidate && pool.allocate(owner, inUse, candidate);
    if (ip) return { ip };
  }
  const ip = pool.allocate(owner, inUse);
  return ip ? { ip } : { problem: 'no free address left in loadBalancerIPPool' };
}
