/**
 * The ClusterIP repair loop (ipallocator/controller/repair.go): every few minutes, rebuild the
 * stored bitmap from the Services' ClusterIPs, warn about IPs that were not allocated, are used
 * twice or lie outside the service CIDR, and free leaked IPs after three passes.
 */
import type { Bitmap } from '../../src/allocators/bitmap.js';
import {
  DEFAULT_REPAIR_INTERVAL_MS,
  planRangeRepair,
  rangeRepairController,
  type RepairFinding,
  type RepairPlan,
} from '../common/range-repair.js';
import { openServiceIPStore, type ServiceIPRange } from '../../src/allocators/service-ip-range.js';
import type { Reconciler } from '../../src/runtime/api.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import {
  allocatedClusterIPs,
  type ClusterIPAllocatorOptions,
} from '../../src/registry/kinds/service/cluster-ip-admission.js';

function describe(finding: RepairFinding<string>, range: ServiceIPRange): { reason: string; message: string } {
  const ip = finding.item;
  switch (finding.problem) {
    case 'NotAllocated':
      return { reason: 'ClusterIPNotAllocated', message: `Cluster IP ${ip} is not allocated; repairing` };
    case 'AlreadyAllocated':
      return {
        reason: 'ClusterIPAlreadyAllocated',
        message: `Cluster IP ${ip} was assigned to multiple services; please recreate service`,
      };
    case 'OutOfRange':
      return {
        reason: 'ClusterIPOutOfRange',
        message: `Cluster IP ${ip} is not within the service CIDR ${range.text}; please recreate service`,
      };
  }
}

/**
 * One repair pass, pure: the bitmap to store (IPs in use plus suspected leaks still in their grace
 * passes), the Events to record, and the leak counts (IP → passes left) for the next pass.
 */
export function planIPRepair(
  services: readonly Service[],
  stored: Bitmap,
  leakCounts: ReadonlyMap<string, number>,
  range: ServiceIPRange,
): RepairPlan<string> {
  const owners = services.map((service) => ({ service, items: allocatedClusterIPs(service.spec) }));
  const { bitmap, findings, leaks } = planRangeRepair(range, owners, stored, leakCounts);
  return { bitmap, leaks, events: findings.map((f) => ({ service: f.service, ...describe(f, range) })) };
}

/** The ClusterIP repair controller (`clusterip-repair`); runs every `intervalMs` (default 3 minutes). */
export function clusterIPRepairController(
  opts: ClusterIPAllocatorOptions & { intervalMs?: number },
): Reconciler<'Service'> {
  const store = openServiceIPStore(opts.backend, opts.serviceCIDR);
  return rangeRepairController({
    name: 'clusterip-repair',
    component: 'ipallocator-repair-controller',
    store,
    intervalMs: opts.intervalMs ?? DEFAULT_REPAIR_INTERVAL_MS,
    plan: (services, stored, leaks) => planIPRepair(services, stored, leaks, store.range),
  });
}
