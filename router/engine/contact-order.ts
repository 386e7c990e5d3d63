/**
 * The one order in which waiting contacts are served, inside a queue and across queues:
 *
 * 1. contacts returned after a reject or expiry ("back to the head") before the others;
 * 2. higher effective priority = contact priority (with repeat/loyalty boosts) + queue
 *    priority + waited ms / agingIntervalMs (continuous aging; 0 = no aging);
 * 3. earlier first enqueue time; 4. earlier arrival sequence.
 *
 * Inside one queue every contact ages at the same rate, so step 2 reduces to a key that never
 * changes while it waits: priority × agingIntervalMs − firstEnqueuedAtMs (exact integers).
 * That is what lets the per-queue heaps age without ever being rescanned.
 */
import type { ContactRecord } from "./records.js";

export function staticKey(priority: number, agingIntervalMs: number, firstEnqueuedAtMs: number) {
  return agingIntervalMs > 0 ? priority * agingIntervalMs - firstEnqueuedAtMs : priority;
}

export function effectivePriority(c: ContactRecord, nowMs: number): number {
  return c.agingIntervalMs > 0
    ? c.effBase + (nowMs - c.firstEnqueuedAtMs) / c.agingIntervalMs
    : c.effBase;
}

/** Same queue only: time-invariant. */
export function servedBeforeInQueue(a: ContactRecord, b: ContactRecord): boolean {
  if (a.atHead !== b.atHead) return a.atHead;
  if (a.staticKey !== b.staticKey) return a.staticKey > b.staticKey;
  if (a.firstEnqueuedAtMs !== b.firstEnqueuedAtMs) return a.firstEnqueuedAtMs < b.firstEnqueuedAtMs;
  return a.seq < b.seq;
}

/** Any two waiting contacts, at `nowMs`. */
export function servedBefore(a: ContactRecord, b: ContactRecord, nowMs: number): boolean {
  if (a.queueId === b.queueId) return servedBeforeInQueue(a, b);
  if (a.atHead !== b.atHead) return a.atHead;
  const ea = effectivePriority(a, nowMs);
  const eb = effectivePriority(b, nowMs);
  if (ea !== eb) return ea > eb;
  if (a.firstEnqueuedAtMs !== b.firstEnqueuedAtMs) return a.firstEnqueuedAtMs < b.firstEnqueuedAtMs;
  return a.seq < b.seq;
}
