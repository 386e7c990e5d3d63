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
 *
 * Complexity: every comparison and key O(1).
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

/** Numbers in a contact's queue key. */
export const QUEUE_KEY_WIDTH = 4;

/**
 * servedBeforeInQueue as a key for rank-list.ts (smallest first): the same order, so a binary
 * search compares numbers kept beside the queue instead of reading each contact it passes.
 * Negating staticKey is exact, and ±0 compare equal in both.
 */
export function queueKey(c: ContactRecord, out: Float64Array): void {
  out[0] = c.atHead ? 0 : 1;
  out[1] = -c.staticKey;
  out[2] = c.firstEnqueuedAtMs;
  out[3] = c.seq;
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
