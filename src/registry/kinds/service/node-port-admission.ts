/**
 * NodePort allocation inside the Service write (service/storage/alloc.go: initNodePorts,
 * updateNodePorts, allocHealthCheckNodePort, updateHealthCheckNodePort). One bitmap for every
 * protocol, stored like the ClusterIP one; a Service's allocations are persisted in one
 * compare-and-swap when the hook runs, undone by the Txn's revert, and ports the Service stops
 * using are released on commit.
 */
import { errors, fieldError } from '../../../apimachinery/errors.js';
import type { Bitmap, RandomSource } from '../../../allocators/bitmap.js';
import { openNodePortStore, type NodePortRange } from '../../../allocators/node-port-range.js';
import type { RangeStore } from '../../../allocators/stored-range.js';
import type { AdmissionHook, Txn } from '../../admission.js';
import type { Backend } from '../../../storage/interface.js';
import { needsHealthCheck, needsNodePorts, type Service, type ServicePort, type ServiceSpec } from './schema.js';

export interface NodePortAllocatorOptions {
  backend: Backend;
  /** The NodePort range, e.g. `30000-32767`. */
  nodePortRange: string;
  /** Random source of dynamic allocation (default Math.random). */
  random?: RandomSource;
}

/** Upstream `shouldAllocateNodePorts`: whether ports without a nodePort get one. */
const allocatesNodePorts = (spec: ServiceSpec) =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

/** Every port a stored Service holds in the allocator: its nodePorts and healthCheckNodePort. */
function allocatedNodePorts(spec: ServiceSpec): number[] {
  const ports = new Set((spec.ports ?? []).map((p) => p.nodePort ?? 0));
  if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  ports.delete(0);
  return [...ports];
}

const nodePortsOf = (spec: ServiceSpec) =>
  new Set((spec.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p !== 0));

/** Upstream `patchAllocatedValues`: an update that omits allocated ports keeps them (matched by port name). */
function keepAllocatedPorts(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsNodePorts(old) && needsNodePorts(spec)) {
    const kept = nodePortsOf(spec);
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const port of spec.ports ?? []) {
      const previous = byName.get(port.name ?? '') ?? 0;
      // A value the new object already uses elsewhere cannot be patched in twice.
      if (!port.nodePort && previous && !kept.has(previous)) port.nodePort = previous;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort)
    spec.healthCheckNodePort = old.healthCheckNodePort;
}

/** What one allocation pass decided, applied to the Service once it is stored in the bitmap. */
interface PortAssignment {
  nodePorts: (number | undefined)[];
  healthCheckNodePort?: number;
  allocated: number[];
  /** Ports to free once the write commits. */
  released: number[];
}

/**
 * One pass over a bitmap (it may be re-run on a newer bitmap after a lost compare-and-swap, so it
 * only touches the bitmap and its own copy of the ports).
 */
class PortOperation {
  readonly allocated: number[] = [];
  readonly ports: ServicePort[];

  constructor(
    private readonly bitmap: Bitmap,
    private readonly range: NodePortRange,
    private readonly random: RandomSource | undefined,
    private readonly svc: Service,
  ) {
    this.ports = (svc.spec.ports ?? []).map((p) => ({ ...p }));
  }

  /** Takes the requested `port` for `spec.ports[i]`; one already taken by this Service is shared. */
  request(port: number, i: number): void {
    if (this.allocated.includes(port)) return;
    const why = this.take(port);
    if (why)
      throw errors.invalid('Service', '', this.svc.metadata.name ?? '', [
        fieldError.invalid(`spec.ports[${i}].nodePort`, port, why),
      ]);
    this.allocated.push(port);
  }

  next(): number {
    const index = this.bitmap.allocateNext(this.random);
    if (index === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
    const port = this.range.itemAt(index);
    this.allocated.push(port);
    return port;
  }

  /** The health-check port: the requested one or any; failures are internal errors, as upstream. */
  healthCheck(requested: number | undefined): number {
    if (!requested) {
      const index = this.bitmap.allocateNext(this.random);
      if (index === undefined) throw errors.internal('failed to allocate a HealthCheck NodePort: range is full');
      requested = this.range.itemAt(index);
    } else {
      const why = this.take(requested);
      if (why) throw errors.internal(`failed to allocate requested HealthCheck NodePort ${requested}: ${why}`);
    }
    this.allocated.push(requested);
    return requested;
  }

  assignment(healthCheckNodePort: number | undefined, released: number[] = []): PortAssignment {
    return { nodePorts: this.ports.map((p) => p.nodePort), healthCheckNodePort, allocated: this.allocated, released };
  }

  /** Allocates `port`, or says why not. */
  private take(port: number): string | undefined {
    const index = this.range.indexOf(port);
    if (index === undefined)
      return `provided port is not in the valid range. The range of valid ports is ${this.range.text}`;
    return this.bitmap.allocate(index) ? undefined : 'provided port is already allocated';
  }
}

/** Upstream `initNodePorts`: ports with the same `port` number share one nodePort; explicit ones win. */
function assignOnCreate(op: PortOperation, spec: ServiceSpec): void {
  const byServicePort = new Map<number, number>();
  op.ports.forEach((port, i) => {
    if (!port.nodePort && !allocatesNodePorts(spec)) return;
    const shared = byServicePort.get(port.port);
    if (shared === undefined) {
      const requested = op.ports.find((p) => p.port === port.port && p.nodePort)?.nodePort;
      if (requested) op.request(requested, i);
      port.nodePort = requested || op.next();
      byServicePort.set(port.port, port.nodePort);
    } else if (!port.nodePort) {
      port.nodePort = shared;
    } else if (port.nodePort !== shared) {
      op.request(port.nodePort, i);
    }
  });
}

function planCreate(op: PortOperation, spec: ServiceSpec): PortAssignment {
  if (needsNodePorts(spec)) assignOnCreate(op, spec);
  const healthCheckNodePort = needsHealthCheck(spec)
    ? op.healthCheck(spec.healthCheckNodePort)
    : spec.healthCheckNodePort;
  return op.assignment(healthCheckNodePort);
}

/** Upstream `updateNodePorts`: new explicit ports are taken, missing ones allocated, dropped ones released. */
function assignOnUpdate(op: PortOperation, spec: ServiceSpec, old: ServiceSpec): void {
  const held = nodePortsOf(old);
  op.ports.forEach((port, i) => {
    if (!port.nodePort && !allocatesNodePorts(spec)) return;
    if (!port.nodePort) port.nodePort = op.next();
    else if (!held.has(port.nodePort)) op.request(port.nodePort, i);
  });
}

/** Upstream `updateHealthCheckNodePort`, plus moving to a different requested port while one is needed. */
function updateHealthCheck(
  op: PortOperation,
  spec: ServiceSpec,
  old: ServiceSpec,
  released: number[],
): number | undefined {
  const [needed, needs] = [needsHealthCheck(old), needsHealthCheck(spec)];
  const previous = old.healthCheckNodePort;
  if (needs && (!needed || (spec.healthCheckNodePort && spec.healthCheckNodePort !== previous))) {
    if (needed && previous) released.push(previous);
    return op.healthCheck(spec.healthCheckNodePort);
  }
  if (needed && !needs && previous) released.push(previous);
  return spec.healthCheckNodePort;
}

function planUpdate(op: PortOperation, spec: ServiceSpec, old: ServiceSpec): PortAssignment {
  if (needsNodePorts(spec)) assignOnUpdate(op, spec, old);
  const released: number[] = [];
  const healthCheckNodePort = updateHealthCheck(op, spec, old, released);
  // Fields the new type does not use are cleared by the Service strategy, so they hold nothing.
  const stillUsed = new Set<number | undefined>(needsNodePorts(spec) ? op.ports.map((p) => p.nodePort) : []);
  if (needsHealthCheck(spec)) stillUsed.add(healthCheckNodePort);
  for (const port of nodePortsOf(old)) if (!stillUsed.has(port)) released.push(port);
  return op.assignment(
    healthCheckNodePort,
    released.filter((p) => !stillUsed.has(p)),
  );
}

function apply(svc: Service, result: PortAssignment): void {
  (svc.spec.ports ?? []).forEach((port, i) => {
    if (result.nodePorts[i] !== undefined) port.nodePort = result.nodePorts[i];
  });
  if (result.healthCheckNodePort !== undefined) svc.spec.healthCheckNodePort = result.healthCheckNodePort;
}

/**
 * The NodePort admission hook (docs/network-model.md#nodeport): NodePort Services, and LoadBalancers unless
 * `allocateLoadBalancerNodePorts: false`, get a nodePort per port (ports sharing a `port` number
 * share it); requested ones are honoured if in range and free, else 422 on `spec.ports[i].nodePort`;
 * a LoadBalancer with `externalTrafficPolicy: Local` gets a `healthCheckNodePort`. Updates keep
 * allocated ports, allocate new ones and release, after commit, those no longer used (all of them
 * when the type stops needing them). Deletes free everything. A dry run changes no state.
 */
export function nodePortAdmission(opts: NodePortAllocatorOptions): AdmissionHook<Service> {
  const store: RangeStore<number, NodePortRange> = openNodePortStore(opts.backend, opts.nodePortRange);

  async function release(ports: readonly number[]): Promise<void> {
    if (ports.length === 0) return;
    try {
      await store.transact((bitmap) => {
        for (const port of ports) {
          const index = store.range.indexOf(port);
          if (index !== undefined) bitmap.release(index);
        }
      });
    } catch {
      // The write this belongs to is already decided; a missed release is a leak the repair loop reclaims.
    }
  }

  async function run(
    svc: Service,
    dryRun: boolean,
    plan: (op: PortOperation) => PortAssignment,
  ): Promise<Txn | undefined> {
    const pass = (bitmap: Bitmap) => plan(new PortOperation(bitmap, store.range, opts.random, svc));
    const result = dryRun ? pass(await store.snapshot()) : await store.transact(pass);
    apply(svc, result);
    if (dryRun) return undefined;
    return { commit: () => release(result.released), revert: () => release(result.allocated) };
  }

  return {
    name: 'nodeport-allocator',
    kind: 'Service',
    async beginCreate(svc, { dryRun }) {
      return run(svc, dryRun, (op) => planCreate(op, svc.spec));
    },
    async beginUpdate(svc, old, { dryRun }) {
      keepAllocatedPorts(svc.spec, old.spec);
      return run(svc, dryRun, (op) => planUpdate(op, svc.spec, old.spec));
    },
    async afterDelete(svc) {
      await release(allocatedNodePorts(svc.spec));
    },
  };
}
