/**
 * The NodePort repair loop (portallocator/controller/repair.go): every few minutes, rebuild the
 * stored bitmap from the Services' nodePorts and healthCheckNodePorts, warn about ports that were
 * not allocated, are used twice or lie outside the range, and free leaked ports after three passes.
 */
import type { Bitmap } from '../../src/allocators/bitmap.js';
import { openNodePortStore, type NodePortRange } from '../../src/allocators/node-port-range.js';
import {
  DEFAULT_REPAIR_INTERVAL_MS,
  planRangeRepair,
  rangeRepairController,
  type RepairFinding,
  type RepairPlan,
} from '../common/range-repair.js';
import type { Reconciler } from '../../src/runtime/api.js';
import type { Service, ServiceSpec } from '../../src/registry/kinds/service/schema.js';
import type { NodePortAllocatorOptions } from '../../src/registry/kinds/service/node-port-admission.js';

/**
 * Upstream `collectServiceNodePorts`: a nodePort shared by ports of different protocols counts once,
 * one repeated with the same protocol counts twice (and so shows up as a double allocation); the
 * health-check port (TCP) counts unless a TCP port already uses it.
 */
export function collectServiceNodePorts(spec: ServiceSpec): number[] {
  const ports: number[] = [];
  const protocolsByPort = new Map<number, Set<string>>();
  for (const { nodePort, protocol } of spec.ports ?? []) {
    if (!nodePort) continue;
    const protocols = protocolsByPort.get(nodePort);
    if (!protocols || protocols.has(protocol)) ports.push(nodePort);
    protocolsByPort.set(nodePort, (protocols ?? new Set()).add(protocol));
  }
  const health = spec.healthCheckNodePort;
  if (health && (!protocolsByPort.has(health) || protocolsByPort.get(health)!.has('TCP'))) ports.push(health);
  return ports;
}

function describe(finding: RepairFinding<number>, range: NodePortRange): { reason: string; message: string } {
  const port = finding.item;
  switch (finding.problem) {
    case 'NotAllocated':
      return { reason: 'PortNotAllocated', message: `Port ${port} is not allocated; repairing` };
    case 'AlreadyAllocated':
      return {
        reason: 'PortAlreadyAllocated',
        message: `Port ${port} was assigned to multiple services; please recreate service`,
      };
    case 'OutOfRange':
      return {
        reason: 'PortOutOfRange',
        message: `Port ${port} is not within the port range ${range.text}; please recreate service`,
      };
  }
}

/**
 * One repair pass, pure: the bitmap to store (ports in use plus suspected leaks still in their grace
 * passes), the Events to record, and the leak counts (port → passes left) for the next pass.
 */
export function planNodePortRepair(
  services: readonly Service[],
  stored: Bitmap,
  leakCounts: ReadonlyMap<number, number>,
  range: NodePortRange,
): RepairPlan<number> {
  const owners = services.map((service) => ({ service, items: collectServiceNodePorts(service.spec) }));
  const { bitmap, findings, leaks } = planRangeRepair(range, owners, stored, leakCounts);
  return { bitmap, leaks, events: findings.map((f) => ({ service: f.service, ...describe(f, range) })) };
}

/** The NodePort repair controller (`nodeport-repair`); runs every `intervalMs` (default 3 minutes). */
export function nodePortRepairController(
  opts: NodePortAllocatorOptions & { intervalMs?: number },
): Reconciler<'Service'> {
  const store = openNodePortStore(opts.backend, opts.nodePortRange);
  return rangeRepairController({
    name: 'nodeport-repair',
    component: 'portallocator-repair-controller',
    store,
    intervalMs: opts.intervalMs ?? DEFAULT_REPAIR_INTERVAL_MS,
    plan: (services, stored, leaks) => planNodePortRepair(services, stored, leaks, store.range),
  });
}
