import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { type Clock, systemClock } from "../../core/index.js";

/**
 * Stamps for ContactCommand/AgentCommand `time`. A standby router replays the contact and the
 * agent command streams merged by these stamps, so they need more than millisecond precision
 * and, from one gateway, a strict order: on the system clock they come from the monotonic
 * high-resolution timer (nanoseconds), bumped by 1 ns when two calls would tie. A test clock
 * is used as it is.
 */
export function createCommandClock(clock: Clock): () => Timestamp {
  let lastNs = 0n;
  return () => {
    let ns =
      clock === systemClock
        ? BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6))
        : BigInt(clock.nowMs()) * 1_000_000n;
    if (ns <= lastNs) ns = lastNs + 1n;
    lastNs = ns;
    return create(TimestampSchema, {
      seconds: ns / 1_000_000_000n,
      nanos: Number(ns % 1_000_000_000n),
    });
  };
}
