import { type Clock, systemClock } from "../clock.js";

/**
 * Time for the in-memory bus (dedupe window, backoff, ack wait), injectable so tests can step
 * through redeliveries without sleeping.
 */
export interface BusTimers extends Clock {
  /** Runs `fn` after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const systemTimers: BusTimers = {
  nowMs: () => systemClock.nowMs(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, delayMs);
    // Pending redeliveries must not keep a finished process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface ManualTimers extends BusTimers {
  /** Moves time forward, running everything that falls due, in due order. */
  advance(byMs: number): void;
  /** Scheduled and not yet run or cancelled. */
  readonly pending: number;
}

export function createManualTimers(startMs = 0): ManualTimers {
  let now = startMs;
  let nextId = 0;
  const due = new Map<number, { atMs: number; fn: () => void }>();
  return {
    nowMs: () => now,
    schedule(delayMs, fn) {
      const id = nextId++;
      due.set(id, { atMs: now + Math.max(0, delayMs), fn });
      return () => due.delete(id);
    },
    advance(byMs) {
      if (byMs < 0) throw new RangeError(`cannot go backwards (advance by ${byMs} ms)`);
      const target = now + byMs;
      for (;;) {
        // Earliest first; ties in scheduling order (Map keeps insertion order).
        let next: [number, { atMs: number; fn: () => void }] | undefined;
        for (const entry of due)
          if (next === undefined || entry[1].atMs < next[1].atMs) next = entry;
        if (next === undefined || next[1].atMs > target) break;
        due.delete(next[0]);
        now = next[1].atMs;
        next[1].fn();
      }
      now = target;
    },
    get pending() {
      return due.size;
    },
  };
}
