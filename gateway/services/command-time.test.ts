import { timestampMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { createManualClock, systemClock } from "../../core/index.js";
import { createCommandClock } from "./command-time.js";

const ns = (t: { seconds: bigint; nanos: number }) => t.seconds * 1_000_000_000n + BigInt(t.nanos);

describe("createCommandClock", () => {
  it("is strictly increasing with sub-millisecond stamps on the system clock", () => {
    const next = createCommandClock(systemClock);
    const stamps = Array.from({ length: 1000 }, next);
    for (let i = 1; i < stamps.length; i++) expect(ns(stamps[i]!) > ns(stamps[i - 1]!)).toBe(true);
    expect(Math.abs(timestampMs(stamps[0]!) - Date.now())).toBeLessThan(5000);
    expect(stamps.every((s) => Number.isInteger(s.nanos) && s.nanos >= 0 && s.nanos < 1e9)).toBe(
      true,
    );
  });

  it("follows a test clock, still never repeating a stamp", () => {
    const clock = createManualClock(1_700_000_000_000);
    const next = createCommandClock(clock);
    const a = next();
    const b = next();
    expect(timestampMs(a)).toBe(1_700_000_000_000);
    expect(ns(b) - ns(a)).toBe(1n);
    clock.advance(5);
    expect(timestampMs(next())).toBe(1_700_000_000_005);
  });
});
