import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QUEUE_KEY_WIDTH, queueKey, servedBeforeInQueue } from "./contact-order.js";
import type { ContactRecord } from "./records.js";

/** The fields servedBeforeInQueue reads; the rest of a record does not matter here. */
const contact = fc
  .record({
    atHead: fc.boolean(),
    staticKey: fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
      fc.constant(-0),
    ),
    firstEnqueuedAtMs: fc.integer({ min: 0, max: 3 }),
    seq: fc.integer({ min: 1, max: 2 ** 40 }),
  })
  .map((c) => c as unknown as ContactRecord);

function keyBefore(a: ContactRecord, b: ContactRecord): boolean {
  const ka = new Float64Array(QUEUE_KEY_WIDTH);
  const kb = new Float64Array(QUEUE_KEY_WIDTH);
  queueKey(a, ka);
  queueKey(b, kb);
  for (let i = 0; i < QUEUE_KEY_WIDTH; i++) {
    if (ka[i] !== kb[i]) return (ka[i] as number) < (kb[i] as number);
  }
  return false;
}

describe("queueKey", () => {
  it("orders contacts exactly as servedBeforeInQueue", () => {
    fc.assert(
      fc.property(contact, contact, (a, b) => {
        expect(keyBefore(a, b)).toBe(servedBeforeInQueue(a, b));
      }),
      { numRuns: 2000 },
    );
  });
});
