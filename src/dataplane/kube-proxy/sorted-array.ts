/** An array kept sorted under a total order, edited by binary search (cheap for a few edits between reads). */
export class SortedArray<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** The items in order; valid until the next edit. */
  values(): readonly T[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item not less than `item`. */
  private lowerBound(item: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid], item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `item` unless an equal one is present. */
  insert(item: T): void {
    const i = this.lowerBound(item);
    if (i < this.items.length && this.compare(this.items[i], item) === 0) return;
    this.items.splice(i, 0, item);
  }

  /** Removes the item equal to `item`, if any. */
  remove(item: T): void {
    const i = this.lowerBound(item);
    if (i < this.items.length && this.compare(this.items[i], item) === 0) this.items.splice(i, 1);
  }
}
