import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RankList } from "./rank-list.js";

describe("RankList", () => {
  it("ranks like a sorted array under random inserts and removes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 400 })), { maxLength: 600 }),
        (ops) => {
          const list = new RankList<number>(1, (v, out) => {
            out[0] = v;
          });
          const model: number[] = [];
          for (const [add, v] of ops) {
            if (add && !model.includes(v)) {
              list.insert(v);
              model.push(v);
            } else if (!add) {
              expect(list.remove(v)).toBe(model.includes(v));
              if (model.includes(v)) model.splice(model.indexOf(v), 1);
            }
            expect(list.size).toBe(model.length);
          }
          for (let v = 0; v <= 400; v += 7) {
            expect(list.rank(v)).toBe(model.filter((m) => m < v).length);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
