/**
 * Deadlines (offer expiry, escalation, phase release, wrap-up end) in one min-heap with lazy
 * deletion: a timer is never removed when it becomes moot; whoever pops it checks that the
 * thing it points at still has that deadline. Ties break by insertion sequence, so the
 * processing order is deterministic.
 *
 * Complexity: schedule O(log n), popDue O(log n) per popped timer, snapshot O(n log n).
 */
export type TimerKind = "OFFER_EXPIRY" | "ESCALATION" | "PHASE_END" | "WRAP_UP_END";

/** [dueMs, seq, kind, id] — a tuple so snapshots stay small and plain. */
export type Timer = readonly [dueMs: number, seq: number, kind: TimerKind, id: string];

function before(a: Timer, b: Timer): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

export class TimerHeap {
  private readonly heap: Timer[] = [];
  private seq = 0;

  get nextSeq(): number {
    return this.seq;
  }

  schedule(dueMs: number, kind: TimerKind, id: string): void {
    this.insert([dueMs, ++this.seq, kind, id]);
  }

  /** The earliest timer due at or before `nowMs`, removed; undefined when none is due. */
  popDue(nowMs: number): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined || top[0] > nowMs) return undefined;
    const last = heap.pop() as Timer;
    const n = heap.length;
    if (n > 0) {
      // Sift a hole down and drop `last` into it: one write per level, no swap tuples.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(heap[r] as Timer, heap[l] as Timer) ? r : l;
        const child = heap[c] as Timer;
        if (!before(child, last)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }

  toJSON(): { seq: number; timers: Timer[] } {
    return { seq: this.seq, timers: [...this.heap].sort((a, b) => (before(a, b) ? -1 : 1)) };
  }

  static from(data: { seq: number; timers: readonly Timer[] }): TimerHeap {
    const heap = new TimerHeap();
    for (const t of data.timers) heap.insert([t[0], t[1], t[2], t[3]]);
    heap.seq = data.seq;
    return heap;
  }

  private insert(timer: Timer): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as Timer;
      if (!before(timer, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = timer;
  }
}
