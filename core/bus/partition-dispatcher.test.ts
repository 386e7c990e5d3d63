import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPartitionDispatcher } from "./partition-dispatcher.js";

describe("partition dispatcher", () => {
  it("keeps per-key order, never runs a key twice at once and respects the limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 4 }),
        async (items, concurrency) => {
          const done = new Map<number, number[]>();
          const busy = new Set<number>();
          let running = 0;
          let violations = 0;
          const d = createPartitionDispatcher<{ key: number; index: number; ticks: number }>({
            concurrency,
            keyOf: (i) => String(i.key),
            run: async (i) => {
              if (busy.has(i.key) || running >= concurrency) violations++;
              busy.add(i.key);
              running++;
              for (let t = 0; t < i.ticks; t++) await Promise.resolve();
              busy.delete(i.key);
              running--;
              done.set(i.key, [...(done.get(i.key) ?? []), i.index]);
            },
            onError: () => violations++,
          });
          items.forEach(([key, ticks], index) => {
            d.push({ key, index, ticks });
          });
          while (d.running + d.queued > 0) await new Promise((resolve) => setImmediate(resolve));
          expect(await d.drain()).toEqual([]);
          expect(violations).toBe(0);
          expect([...done.values()].flat()).toHaveLength(items.length);
          for (const [key, order] of done) {
            const expected = items
              .flatMap(([k], i) => (k === key ? [i] : []))
              .slice(0, order.length);
            expect(order).toEqual(expected);
          }
        },
      ),
    );
  });

  it("runs everything when not drained early, and a throwing run does not stop its partition", async () => {
    const errors: unknown[] = [];
    const ran: number[] = [];
    const d = createPartitionDispatcher<number>({
      concurrency: 2,
      keyOf: () => "same",
      run: async (n) => {
        ran.push(n);
        if (n === 1) throw new Error("boom");
      },
      onError: (e) => errors.push(e),
    });
    for (let n = 0; n < 4; n++) d.push(n);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual([0, 1, 2, 3]);
    expect(errors).toHaveLength(1);
    expect(await d.drain()).toEqual([]);
    expect(d.push(9)).toBe(false);
  });
});
