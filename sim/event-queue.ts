/**
 * The simulator's future event list: a binary min-heap on (time, insertion sequence), so
 * events at the same millisecond run in the order they were scheduled and every run is
 * reproducible. push and pop are O(log n).
 */

export interface SimEvent {
  readonly atMs: number;
  readonly kind: number;
  /** Kind-specific reference (contact, agent or stream index). */
  readonly ref: number;
  /** Kind-specific check value, e.g. the offer version a response answers. */
  readonly version: number;
}

export interface EventQueue {
  readonly size: number;
  push(atMs: number, kind: number, ref: number, version?: number): void;
  /** The earliest event, removed; undefined when empty. */
  pop(): SimEvent | undefined;
  peekMs(): number;
}

interface Entry extends SimEvent {
  readonly seq: number;
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

class BinaryHeap implements EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(atMs: number, kind: number, ref: number, version = 0): void {
    const heap = this.heap;
    const entry: Entry = { atMs, kind, ref, version, seq: this.seq++ };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as Entry;
      if (!before(entry, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = entry;
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as Entry;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && before(heap[r] as Entry, heap[l] as Entry)) c = r;
        const child = heap[c] as Entry;
        if (!before(child, last)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }

  peekMs(): number {
    return this.heap[0]?.atMs ?? Number.POSITIVE_INFINITY;
  }
}

export function createEventQueue(): EventQueue {
  return new BinaryHeap();
}
