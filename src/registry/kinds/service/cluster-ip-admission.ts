/**
 * ClusterIP allocation inside the Service write (service/storage/alloc.go: allocateCreate,
 * allocateUpdate, releaseAllocatedResources). The bitmap lives in storage ({@link openServiceIPStore}),
 * so an allocation is persisted when the hook runs; the returned Txn undoes it when the write fails,
 * and releases of the old IP wait for the commit.
 */
import { errors, type StatusCause } from '../../../apimachinery/errors.js';
import { isValidIPv4 } from '../../../apimachinery/validation.js';
import type { Bitmap, RandomSource } from '../../../allocators/bitmap.js';
import { openServiceIPStore, type ServiceIPRange } from '../../../allocators/service-ip-range.js';
import type { RangeStore } from '../../../allocators/stored-range.js';
import type { AdmissionHook, Txn } from '../../admission.js';
import { normalizeClusterIPs } from './index.js';
import type { Backend } from '../../../storage/interface.js';
import { isHeadless, type Service, type ServiceSpec } from './schema.js';
import { goStringSlice, initIPFamilyFields } from './ip-families.js';

/**
 * How a requested IP outside the range is refused: `current` is newest upstream
 * (`provided IP 10.0.0.10 is not in the valid range`), `legacy` is 1.20–1.32
 * (`the provided IP (10.0.0.10) is not in the valid range. The range of valid IPs is 10.9.0.0/16`).
 */
type NotInRangeWording = 'current' | 'legacy';

export interface ClusterIPAllocatorOptions {
  backend: Backend;
  /** The service CIDR, e.g. `10.0.0.0/16`. */
  serviceCIDR: string;
  /** Random source of dynamic allocation (default Math.random). */
  random?: RandomSource;
  /** Default `current`. */
  notInRangeWording?: NotInRangeWording;
}

/** The IPs a stored Service holds in the allocator. */
export function allocatedClusterIPs(spec: ServiceSpec): string[] {
  if (spec.type === 'ExternalName' || isHeadless(spec)) return [];
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP ?? ''];
  return ips.filter(isValidIPv4);
}

/** Upstream `patchAllocatedValues`: an update that omits the ClusterIP keeps the allocated one. */
function keepAllocatedIP(spec: ServiceSpec, old: ServiceSpec): void {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return;
  if (!spec.clusterIP) spec.clusterIP = old.clusterIP;
  if (!spec.clusterIPs?.length && old.clusterIPs?.length) spec.clusterIPs = [...old.clusterIPs];
}

/** The allocator's core: picks and releases IPs in the stored bitmap. */
class ClusterIPAllocator {
  private readonly range: ServiceIPRange;

  constructor(
    private readonly store: RangeStore<string, ServiceIPRange>,
    private readonly opts: ClusterIPAllocatorOptions,
  ) {
    this.range = store.range;
  }

  /** Gives a Service that needs one its ClusterIP (the requested one or a random one); the Txn's revert frees it. */
  async allocate(svc: Service, dryRun: boolean): Promise<Txn | undefined> {
    const spec = svc.spec;
    if (spec.type === 'ExternalName' || isHeadless(spec)) return undefined;
    const requested = spec.clusterIPs?.[0] ?? '';
    // A malformed request, or clusterIP disagreeing with clusterIPs, is left to validation.
    if (requested && (!isValidIPv4(requested) || (spec.clusterIP && spec.clusterIP !== requested))) return undefined;
    const take = (bitmap: Bitmap) => (requested ? this.takeRequested(bitmap, requested, svc) : this.takeNext(bitmap));
    const ip = dryRun ? take(await this.store.snapshot()) : await this.store.transact(take);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip, ...(spec.clusterIPs?.slice(1) ?? [])];
    if (dryRun) return undefined;
    return { commit: () => {}, revert: () => this.release([ip]) };
  }

  /** Frees `ips` (those outside the range are ignored); failures are left to the repair loop. */
  async release(ips: readonly string[]): Promise<void> {
    if (ips.length === 0) return;
    try {
      await this.store.transact((bitmap) => {
        for (const ip of ips) {
          const index = this.range.indexOf(ip);
          if (index !== undefined) bitmap.release(index);
        }
      });
    } catch {
      // The write this belongs to is already decided; a missed release is a leak the repair loop reclaims.
    }
  }

  private takeRequested(bitmap: Bitmap, ip: string, svc: Service): string {
    const index = this.range.indexOf(ip);
    if (index === undefined) throw this.refuse(svc, ip, this.notInRange(ip));
    if (!bitmap.allocate(index)) throw this.refuse(svc, ip, 'provided IP is already allocated');
    return ip;
  }

  private takeNext(bitmap: Bitmap): string {
    const index = bitmap.allocateNext(this.opts.random);
    if (index === undefined) throw errors.internal('failed to allocate a serviceIP: range is full');
    return this.range.itemAt(index);
  }

  private notInRange(ip: string): string {
    return this.opts.notInRangeWording === 'legacy'
      ? `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.range.text}`
      : `provided IP ${ip} is not in the valid range`;
  }

  private refuse(svc: Service, ip: string, why: string) {
    const cause: StatusCause = {
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goStringSlice(svc.spec.clusterIPs ?? [ip])}: failed to allocate IP ${ip}: ${why}`,
      field: 'spec.clusterIPs',
    };
    return errors.invalid('Service', '', svc.metadata.name ?? '', [cause]);
  }
}

/** Releases `ips` once the write is committed; a dry run or a failed write keeps them. */
function releaseOnCommit(allocator: ClusterIPAllocator, ips: readonly string[], dryRun: boolean): Txn | undefined {
  if (dryRun || ips.length === 0) return undefined;
  return { commit: () => allocator.release(ips), revert: () => {} };
}

/**
 * The ClusterIP admission hook: on create, a requested IP is honoured when it is in the range and
 * free (else 422 on `spec.clusterIPs`), otherwise one is picked at random from the dynamic band first;
 * `None` and ExternalName get nothing. It also fills `ipFamilies`/`ipFamilyPolicy`. On update the IP
 * is kept, released (on commit) when the type becomes ExternalName, allocated when it stops being
 * one. On delete the IP is freed. A dry run computes the same answer and changes no state.
 */
export function clusterIPAdmission(opts: ClusterIPAllocatorOptions): AdmissionHook<Service> {
  const allocator = new ClusterIPAllocator(openServiceIPStore(opts.backend, opts.serviceCIDR), opts);
  return {
    name: 'clusterip-allocator',
    kind: 'Service',
    async beginCreate(svc, { dryRun }) {
      normalizeClusterIPs(svc.spec);
      initIPFamilyFields(svc);
      return allocator.allocate(svc, dryRun);
    },
    async beginUpdate(svc, old, { dryRun }) {
      keepAllocatedIP(svc.spec, old.spec);
      normalizeClusterIPs(svc.spec, old.spec);
      initIPFamilyFields(svc, old);
      const [was, is] = [old.spec.type === 'ExternalName', svc.spec.type === 'ExternalName'];
      if (was && !is) return allocator.allocate(svc, dryRun);
      if (!was && is) return releaseOnCommit(allocator, allocatedClusterIPs(old.spec), dryRun);
      return undefined;
    },
    async afterDelete(svc) {
      await allocator.release(allocatedClusterIPs(svc.spec));
    },
  };
}
