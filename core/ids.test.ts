import { describe, expect, it } from "vitest";
import { createManualClock } from "./clock.js";
import { createIdGenerator } from "./ids.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("createIdGenerator", () => {
  it("makes RFC 9562 version-7 ids carrying the clock's milliseconds", () => {
    const clock = createManualClock(1_700_000_000_123);
    const id = createIdGenerator(clock).next();
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBe(1_700_000_000_123);
  });

  it("is strictly increasing, also many times within one millisecond", () => {
    const clock = createManualClock(1_700_000_000_000);
    const ids = createIdGenerator(clock);
    let previous = ids.next();
    for (let i = 0; i < 10_000; i++) {
      if (i % 3000 === 0) clock.advance(1);
      const id = ids.next();
      expect(id > previous).toBe(true);
      previous = id;
    }
  });

  it("draws fresh random bits for every id, across refills of the random pool", () => {
    const clock = createManualClock(1_700_000_000_000);
    const a = createIdGenerator(clock);
    const b = createIdGenerator(clock);
    const tails = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      tails.add(a.next().slice(19));
      tails.add(b.next().slice(19));
    }
    expect(tails.size).toBe(6000);
  });
});
