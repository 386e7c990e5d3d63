/**
 * Deadlines (offer expiry, escalation, phase release, wrap-up end) in one min-heap with lazy
 * deletion: a timer is never removed when it becomes moot; whoever pops it checks that the
 * thing it points at still has that deadline. Ties break by insertion sequence, so the
 * processing order is deterministic.
 *
 * Stored as parallel typed arrays (due, seq, kind) plus an id array, not as one tuple per
 * timer: moot timers pile up (most offers are answered before they expire), and comparing
 * tuples meant chasing a boxed number per side at every level; here a comparison reads two
 * doubles from one array. Scheduling and popping allocate nothing (the id array keeps its
 * length; slots past the heap's size are blank).
 *
 * Complexity: schedule O(log n), next O(log n) per popped timer, snapshot O(n log n).
 */
export type TimerKind = "OFFER_EXPIRY" | "ESCALATION" | "PHASE_END" | "WRAP_UP_END";

/** [dueMs, seq, kind, id] — a tuple so snapshots stay small and plain. */
export type Timer = readonly [dueMs: number, seq: number, kind: TimerKind, id: string];

const KINDS: readonly TimerKind[] = ["OFFER_EXPIRY", "ESCALATION", "PHASE_END", "WRAP_UP_END"];
const KIND_CODE: Readonly<Record<TimerKind, number>> = {
  OFFER_EXPIRY: 0,
  ESCALATION: 1,
  PHASE_END: 2,
  WRAP_UP_END: 3,
};

function before(a: Timer, b: Timer): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

export class TimerHeap {
  private due = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private kinds = new Uint8Array(1024);
  private ids: string[] = [];
  private n = 0;
  private seq = 0;

  get nextSeq(): number {
    return this.seq;
  }

  schedule(dueMs: number, kind: TimerKind, id: string): void {
    this.insert(dueMs, ++this.seq, KIND_CODE[kind], id);
  }

  /** Fields of the timer the last successful `next` removed (no tuple per pop). */
  dueMs = 0;
  kind: TimerKind = "OFFER_EXPIRY";
  id = "";

  /**
   * Removes the earliest timer due at or before `nowMs` into `dueMs`, `kind` and `id` and
   * returns true; false when none is due.
   */
  next(nowMs: number): boolean {
    if (this.n === 0 || (this.due[0] as number) > nowMs) return false;
    const due = this.due;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const ids = this.ids;
    this.dueMs = due[0] as number;
    this.kind = KINDS[kinds[0] as number] as TimerKind;
    this.id = ids[0] as string;
    const n = --this.n;
    if (n > 0) {
      // Sift a hole down from the root and drop the last timer into it.
      const lastDue = due[n] as number;
      const lastSeq = seqs[n] as number;
      const lastKind = kinds[n] as number;
      const lastId = ids[n] as string;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (
          r < n &&
          ((due[r] as number) < (due[l] as number) ||
            (due[r] === due[l] && (seqs[r] as number) < (seqs[l] as number)))
        ) {
          c = r;
        }
        const cd = due[c] as number;
        if (!(cd < lastDue || (cd === lastDue && (seqs[c] as number) < lastSeq))) break;
        due[i] = cd;
        seqs[i] = seqs[c] as number;
        kinds[i] = kinds[c] as number;
        ids[i] = ids[c] as string;
        i = c;
      }
      due[i] = lastDue;
      seqs[i] = lastSeq;
      kinds[i] = lastKind;
      ids[i] = lastId;
    }
    // Not `ids.length = n`: shrinking an array by its length setter is a runtime call (and may
    // trim its store, to be grown again by the next schedule). The slot is overwritten later.
    ids[n] = "";
    return true;
  }

  toJSON(): { seq: number; timers: Timer[] } {
    const timers: Timer[] = [];
    for (let i = 0; i < this.n; i++) {
      timers.push([
        this.due[i] as number,
        this.seqs[i] as number,
        KINDS[this.kinds[i] as number] as TimerKind,
        this.ids[i] as string,
      ]);
    }
    return { seq: this.seq, timers: timers.sort((a, b) => (before(a, b) ? -1 : 1)) };
  }

  static from(data: { seq: number; timers: readonly Timer[] }): TimerHeap {
    const heap = new TimerHeap();
    for (const t of data.timers) heap.insert(t[0], t[1], KIND_CODE[t[2]], t[3]);
    heap.seq = data.seq;
    return heap;
  }

  private insert(dueMs: number, seq: number, kind: number, id: string): void {
    if (this.n === this.due.length) this.grow();
    const due = this.due;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const ids = this.ids;
    let i = this.n++;
    if (i === ids.length) ids.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pd = due[p] as number;
      if (!(dueMs < pd || (dueMs === pd && seq < (seqs[p] as number)))) break;
      due[i] = pd;
      seqs[i] = seqs[p] as number;
      kinds[i] = kinds[p] as number;
      ids[i] = ids[p] as string;
      i = p;
    }
    due[i] = dueMs;
    seqs[i] = seq;
    kinds[i] = kind;
    ids[i] = id;
  }

  private grow(): void {
    const size = this.due.length * 2;
    const due = new Float64Array(size);
    due.set(this.due);
    const seqs = new Float64Array(size);
    seqs.set(this.seqs);
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    this.due = due;
    this.seqs = seqs;
    this.kinds = kinds;
  }
}
