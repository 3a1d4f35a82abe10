/**
 * A bitmap over `size` items with a static/dynamic band split (kube-apiserver's
 * `pkg/registry/core/service/allocator/bitmap.go`, AllocationBitmap with randomScanStrategyWithOffset).
 *
 * Items `[0, offset)` form the static band: dynamic allocation takes them only once the upper band
 * `[offset, size)` is full, so users can request addresses there with little risk of collision (KEP-3070).
 */

/** A source of uniform random numbers in [0, 1), like `Math.random` (injectable for tests). */
export type RandomSource = () => number;

/** A random integer in [0, n). */
function randomIndex(random: RandomSource, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

export class Bitmap {
  private readonly bits: Uint8Array;
  private count = 0;

  /** `size` items; the first `offset` of them are the static band (0 = no band). */
  constructor(
    readonly size: number,
    readonly offset = 0,
  ) {
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`bitmap size must be a non-negative integer, got ${size}`);
    if (!Number.isInteger(offset) || offset < 0 || offset > size)
      throw new RangeError(`bitmap offset ${offset} is outside [0, ${size}]`);
    this.bits = new Uint8Array(Math.ceil(size / 8));
  }

  /** Whether item `i` is allocated (false for anything outside the bitmap). */
  has(i: number): boolean {
    return this.inBounds(i) && (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
  }

  /** Marks item `i` allocated; false when it already was. Throws RangeError outside `[0, size)`. */
  allocate(i: number): boolean {
    if (!this.inBounds(i)) throw new RangeError(`item ${i} is outside the bitmap [0, ${this.size})`);
    if (this.has(i)) return false;
    this.bits[i >> 3] |= 1 << (i & 7);
    this.count++;
    return true;
  }

  /**
   * Allocates a free item, or returns undefined when the bitmap is full: scans the dynamic band from
   * a random start (wrapping), then the static band the same way.
   */
  allocateNext(random: RandomSource = Math.random): number | undefined {
    const found = this.scan(this.offset, this.size - this.offset, random) ?? this.scan(0, this.offset, random);
    if (found !== undefined) this.allocate(found);
    return found;
  }

  /** Frees item `i`; a no-op when it is free or outside the bitmap. */
  release(i: number): void {
    if (!this.has(i)) return;
    this.bits[i >> 3] &= ~(1 << (i & 7));
    this.count--;
  }

  free(): number {
    return this.size - this.count;
  }

  used(): number {
    return this.count;
  }

  /** The allocated items, ascending. */
  allocated(): number[] {
    const items: number[] = [];
    for (let byte = 0; byte < this.bits.length; byte++) {
      if (this.bits[byte] === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (this.bits[byte] & (1 << bit)) items.push(byte * 8 + bit);
    }
    return items;
  }

  /** Makes this bitmap a copy of `source`, which must have the same size and band. */
  assign(source: Bitmap): void {
    if (source.size !== this.size || source.offset !== this.offset)
      throw new RangeError('cannot assign a bitmap of another shape');
    this.bits.set(source.bits);
    this.count = source.count;
  }

  clone(): Bitmap {
    const copy = new Bitmap(this.size, this.offset);
    copy.bits.set(this.bits);
    copy.count = this.count;
    return copy;
  }

  /**
   * Base64 of the bitmap as a big-endian integer whose bit i is item i, without leading zero bytes:
   * the `data` of upstream's RangeAllocation (Go's `big.Int.Bytes()`), so snapshots stay compatible.
   */
  encode(): string {
    let last = this.bits.length - 1;
    while (last >= 0 && this.bits[last] === 0) last--;
    return Buffer.from(this.bits.subarray(0, last + 1))
      .reverse()
      .toString('base64');
  }

  /** The inverse of {@link encode}; bits beyond `size` are dropped. */
  static decode(size: number, offset: number, data: string): Bitmap {
    const bitmap = new Bitmap(size, offset);
    const bigEndian = Buffer.from(data, 'base64');
    for (let k = 0; k < bigEndian.length; k++) {
      const byte = bigEndian[bigEndian.length - 1 - k];
      for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit) && k * 8 + bit < size) bitmap.allocate(k * 8 + bit);
    }
    return bitmap;
  }

  /** The first free item of `[start, start+length)` counting from a random point, wrapping around. */
  private scan(start: number, length: number, random: RandomSource): number | undefined {
    if (length <= 0 || this.count >= this.size) return undefined;
    const from = randomIndex(random, length);
    for (let k = 0; k < length; k++) {
      const i = start + ((from + k) % length);
      if (!this.has(i)) return i;
    }
    return undefined;
  }

  private inBounds(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.size;
  }
}
