/**
 * The repair loop shared by the ClusterIP and NodePort allocators (ipallocator/controller/repair.go,
 * portallocator/controller/repair.go): rebuild the bitmap from what Services actually use, report
 * inconsistencies as Events on the Services, and free an allocated-but-unused item only after it
 * looked leaked for {@link NUM_REPAIRS_BEFORE_LEAK_CLEANUP} passes, so an allocation whose Service
 * is not stored yet survives the race.
 */
import { Bitmap } from '../../src/allocators/bitmap.js';
import type { AllocationRange, RangeStore } from '../../src/allocators/stored-range.js';
import { defineController, watchKind, type ObjectKey, type Reconciler } from '../../src/runtime/api.js';
import { EventRecorder } from '../../src/runtime/events.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';

/** Passes a suspected leak survives before it is freed (upstream numRepairsBeforeLeakCleanup). */
const NUM_REPAIRS_BEFORE_LEAK_CLEANUP = 3;

/** How often the repair runs (upstream RepairServicesInterval). */
export const DEFAULT_REPAIR_INTERVAL_MS = 3 * 60_000;

/** The one queue key the repair controllers reconcile. */
export const REPAIR_KEY: ObjectKey = { name: 'repair' };

/** Something wrong with one Service's use of the range. */
export interface RepairFinding<T> {
  problem: 'NotAllocated' | 'AlreadyAllocated' | 'OutOfRange';
  item: T;
  service: Service;
}

/** A Warning Event to record on a Service. */
interface RepairEvent {
  service: Service;
  reason: string;
  message: string;
}

/** The outcome of one pass: what to store, what to report, and the leak counts for the next pass. */
export interface RepairPlan<T> {
  bitmap: Bitmap;
  events: RepairEvent[];
  /** Suspected leaks → passes left before they are freed. */
  leaks: Map<T, number>;
}

/**
 * One pass over `owners` (each Service with the items it uses, in the order to check them) against
 * the `stored` bitmap. Pure: returns a new bitmap and leak map, touches neither input.
 */
export function planRangeRepair<T>(
  range: AllocationRange<T>,
  owners: readonly { service: Service; items: readonly T[] }[],
  stored: Bitmap,
  leaks: ReadonlyMap<T, number>,
): { bitmap: Bitmap; findings: RepairFinding<T>[]; leaks: Map<T, number> } {
  const rebuilt = new Bitmap(range.size, range.offset);
  const unclaimed = stored.clone();
  const findings: RepairFinding<T>[] = [];
  for (const { service, items } of owners) {
    for (const item of items) {
      const index = range.indexOf(item);
      if (index === undefined) findings.push({ problem: 'OutOfRange', item, service });
      else if (!rebuilt.allocate(index)) findings.push({ problem: 'AlreadyAllocated', item, service });
      else if (unclaimed.has(index)) unclaimed.release(index);
      else findings.push({ problem: 'NotAllocated', item, service });
    }
  }
  const nextLeaks = new Map<T, number>();
  for (const index of unclaimed.allocated()) {
    const item = range.itemAt(index);
    const passesLeft = leaks.get(item) ?? NUM_REPAIRS_BEFORE_LEAK_CLEANUP - 1;
    if (passesLeft <= 0) continue;
    nextLeaks.set(item, passesLeft - 1);
    rebuilt.allocate(index);
  }
  return { bitmap: rebuilt, findings, leaks: nextLeaks };
}

/** What a concrete repair controller (ClusterIP, NodePort) plugs into {@link rangeRepairController}. */
export interface RangeRepairSpec<T> {
  /** Controller name, e.g. `clusterip-repair`. */
  name: string;
  /** The Events' source and reporting component, e.g. `ipallocator-repair-controller`. */
  component: string;
  store: RangeStore<T>;
  intervalMs: number;
  plan(services: readonly Service[], stored: Bitmap, leaks: ReadonlyMap<T, number>): RepairPlan<T>;
}

/**
 * A controller running the repair at most every `intervalMs`: any Service change queues the single
 * {@link REPAIR_KEY} (Service keys themselves are ignored), and each run asks to be requeued after
 * the interval. The rebuilt bitmap replaces the stored one with compare-and-swap; leak counts live
 * in the controller, as in upstream.
 */
export function rangeRepairController<T>(spec: RangeRepairSpec<T>): Reconciler<'Service'> {
  const recorder = new EventRecorder(spec.component);
  let leaks: ReadonlyMap<T, number> = new Map();
  let lastRun: number | undefined;
  return defineController({
    name: spec.name,
    for: 'Service',
    watches: [watchKind('Service', () => [REPAIR_KEY])],
    async reconcile(ctx, key) {
      if (key.namespace !== undefined || key.name !== REPAIR_KEY.name) return;
      const now = ctx.now();
      // Service events queue the key far more often than the interval; counting those as passes would free young allocations.
      if (lastRun !== undefined && now - lastRun < spec.intervalMs)
        return { requeueAfterMs: spec.intervalMs - (now - lastRun) };
      const services = ctx.listers.Service.list();
      const plan = await spec.store.transact((bitmap) => {
        const planned = spec.plan(services, bitmap, leaks);
        bitmap.assign(planned.bitmap);
        return planned;
      });
      lastRun = now;
      leaks = plan.leaks;
      for (const { service, reason, message } of plan.events)
        await recorder.record(
          ctx,
          { kind: 'Service', apiVersion: 'v1', object: service },
          { type: 'Warning', reason, message },
        );
      return { requeueAfterMs: spec.intervalMs };
    },
  });
}
