/**
 * The Service ClusterIP range (kube-apiserver `--service-cluster-ip-range`, ipallocator/bitmap.go):
 * an IPv4 CIDR whose network and broadcast addresses are never handed out, so bitmap item k is
 * the address `network + 1 + k`.
 */
import { formatIPv4, tryParseIPv4 } from '../net/ipv4.js';
import type { Backend } from '../storage/interface.js';
import { RangeStore, SERVICE_IPS_KEY, type AllocationRange } from './stored-range.js';

/**
 * KEP-3070's static band for a CIDR of `cidrSize` addresses: `min(max(16, size/16), 256)`, and none
 * for ranges of 16 addresses or fewer (a /28 has only 14 usable ones).
 */
export function ipRangeOffset(cidrSize: number): number {
  if (cidrSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(cidrSize / 16)), 256);
}

/** An IPv4 service CIDR as an allocation range of its usable addresses. */
export class ServiceIPRange implements AllocationRange<string> {
  /** The canonical CIDR text, e.g. `10.0.0.0/16`. */
  readonly text: string;
  /** Usable addresses: the CIDR size minus network and broadcast. */
  readonly size: number;
  /** Size of the static band at the bottom of the range. */
  readonly offset: number;

  private constructor(
    readonly network: number,
    readonly prefix: number,
  ) {
    const cidrSize = 2 ** (32 - prefix);
    this.text = `${formatIPv4(network)}/${prefix}`;
    this.size = Math.max(0, cidrSize - 2);
    this.offset = ipRangeOffset(cidrSize);
  }

  /** Parses `a.b.c.d/n` with n >= 12 (host bits are masked off, as Go's ParseCIDR does); throws on anything else. */
  static parse(cidr: string): ServiceIPRange {
    const [ip, prefixText, ...rest] = cidr.split('/');
    const address = tryParseIPv4(ip ?? '');
    const prefix = Number(prefixText);
    if (address === undefined || rest.length > 0 || !/^\d{1,2}$/.test(prefixText ?? '') || prefix > 32) {
      throw new Error(`invalid service CIDR "${cidr}": expected an IPv4 CIDR like 10.0.0.0/16`);
    }
    // kube-apiserver's limit (maxCIDRBits = 20): the bitmap is rewritten on every allocation.
    if (prefix < 12)
      throw new Error(`specified service CIDR "${cidr}" is too large; for 32-bit addresses, the mask must be >= 12`);
    const mask = (0xffffffff << (32 - prefix)) >>> 0;
    return new ServiceIPRange((address & mask) >>> 0, prefix);
  }

  /** Whether `ip` lies inside the CIDR at all (network and broadcast included). */
  contains(ip: string): boolean {
    const n = tryParseIPv4(ip);
    return n !== undefined && n - this.network >= 0 && n - this.network < 2 ** (32 - this.prefix);
  }

  /** The bitmap item of an allocatable `ip`; undefined for anything else. */
  indexOf(ip: string): number | undefined {
    const n = tryParseIPv4(ip);
    if (n === undefined) return undefined;
    const index = n - this.network - 1;
    return index >= 0 && index < this.size ? index : undefined;
  }

  /** The address of bitmap item `index`. */
  itemAt(index: number): string {
    return formatIPv4(this.network + 1 + index);
  }
}

/**
 * Upstream `GetIndexedIP(cidr, n)`: the n-th address of the CIDR counting the network address as 0.
 * `indexedIP(range, 1)` is the `default/kubernetes` Service's ClusterIP; throws when n is outside the CIDR.
 */
export function indexedIP(range: ServiceIPRange | string, n: number): string {
  const r = typeof range === 'string' ? ServiceIPRange.parse(range) : range;
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** (32 - r.prefix))
    throw new RangeError(`address ${n} is outside ${r.text}`);
  return formatIPv4(r.network + n);
}

/** The ClusterIP bitmap of `serviceCIDR`, stored at {@link SERVICE_IPS_KEY}. */
export function openServiceIPStore(backend: Backend, serviceCIDR: string): RangeStore<string, ServiceIPRange> {
  return new RangeStore({
    backend,
    key: SERVICE_IPS_KEY,
    range: ServiceIPRange.parse(serviceCIDR),
    parseRange: ServiceIPRange.parse,
  });
}
