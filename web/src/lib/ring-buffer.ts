/**
 * A fixed-capacity FIFO: pushing into a full buffer evicts the oldest item. Every live series in the
 * browser sits in one of these, so a dashboard left open on a wall screen for a month uses the same
 * memory as on its first minute (the idea of Grafana's `CircularDataFrame({capacity})`).
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private readonly items: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `item`; returns the item it evicted when the buffer was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count += 1;
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  /** The i-th item, oldest first (0 = oldest); undefined outside [0, length). */
  at(index: number): T | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    return this.items[(this.head + index) % this.capacity];
  }

  first(): T | undefined {
    return this.at(0);
  }

  last(): T | undefined {
    return this.at(this.count - 1);
  }

  clear(): void {
    // Drop references so evicted points can be collected.
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  /**
   * Copies the items, oldest first, into `out` (resized to fit) and returns it. Passing the same
   * array every time lets a chart keep one data array instead of allocating one per frame.
   */
  toArray(out: T[] = []): T[] {
    out.length = this.count;
    for (let i = 0; i < this.count; i += 1) {
      out[i] = this.items[(this.head + i) % this.capacity] as T;
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i += 1) {
      yield this.items[(this.head + i) % this.capacity] as T;
    }
  }
}
