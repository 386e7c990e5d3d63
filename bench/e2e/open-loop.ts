import { setTimeout as delay } from "node:timers/promises";

/**
 * Calls `send(i)` for i = 0 … rate×seconds−1, each at its scheduled time (start + i/rate),
 * never waiting for an earlier send to finish: an open loop, so a slow system sees the
 * queue build up instead of a politely slowing client (coordinated omission). When the
 * event loop falls behind, the late sends go out at once and keep their scheduled time as
 * their start, so the delay counts against the system.
 */
export async function runOpenLoop(
  ratePerSec: number,
  seconds: number,
  send: (i: number, scheduledAtMs: number) => void,
): Promise<void> {
  const total = Math.round(ratePerSec * seconds);
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * ratePerSec) / 1000) + 1);
    for (; next < due; next++) send(next, start + (next * 1000) / ratePerSec);
    // setTimeout(0) is ~1 ms: at 5 000/s about five sends leave per tick.
    await delay(0);
  }
}

/** p-th percentile of `samples` (ms), nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = Float64Array.from(samples).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round3(sorted[i]!);
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Waits until `count()` stops growing for `quietMs` or reaches `target`, at most `maxMs`. */
export async function settle(
  count: () => number,
  target: number,
  quietMs: number,
  maxMs: number,
): Promise<void> {
  const deadline = performance.now() + maxMs;
  let last = -1;
  let since = performance.now();
  while (count() < target && performance.now() < deadline) {
    const now = count();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since > quietMs) return;
    await delay(50);
  }
}
