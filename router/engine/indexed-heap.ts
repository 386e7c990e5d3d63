/**
 * Binary max-heap (by `before`) whose items remember their slot, so any item can be removed
 * or re-keyed eagerly instead of being left behind as a tombstone.
 *
 * Complexity: push O(log n), peek O(1), pop O(log n), remove O(log n), size O(1).
 */
export interface HeapSlot {
  heapIndex: number;
}

export class IndexedHeap<T extends HeapSlot> {
  readonly items: T[] = [];

  /** `before(a, b)` is true when a must come out before b. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.items[i] !== item) return;
    const last = this.items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  private up(start: number): void {
    const items = this.items;
    let i = start;
    const item = items[i] as T;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.before(item, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    const item = items[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && this.before(items[r] as T, items[l] as T)) child = r;
      const c = items[child] as T;
      if (!this.before(c, item)) break;
      items[i] = c;
      c.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
