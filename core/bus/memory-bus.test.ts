import { describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import type { BusMessage } from "./bus.js";
import { createMemoryBus } from "./memory-bus.js";
import { createManualTimers } from "./timers.js";

/** What only the memory bus can show exactly: time is ours, so backoff is checked to the ms. */
const logger = createLogger({ level: "silent" });
const enc = new TextEncoder();

// Lets handlers, acks and microtask deliveries settle without moving the manual clock.
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function setup(duplicateWindowMs = 1000) {
  const timers = createManualTimers(1_000_000);
  const bus = createMemoryBus({ logger, timers, duplicateWindowMs });
  await bus.ensureStreams();
  return { bus, timers, subject: bus.subjects.contact("acme", "chat", "created") };
}

describe("memory bus with manual timers", () => {
  it("redelivers a nak'd message exactly after the backoff for its attempt", async () => {
    const { bus, timers, subject } = await setup();
    const seen: number[] = [];
    await bus.consume(
      { filterSubjects: [subject], backoffMs: [100, 500], maxDeliver: 4 },
      async (m) => {
        seen.push(m.deliveryCount);
        throw new Error("nope");
      },
    );
    await bus.publish(subject, enc.encode("x"), { msgId: "1" });
    await settle();
    expect(seen).toEqual([1]);
    timers.advance(99);
    await settle();
    expect(seen).toEqual([1]);
    timers.advance(1);
    await settle();
    expect(seen).toEqual([1, 2]);
    timers.advance(499);
    await settle();
    expect(seen).toEqual([1, 2]);
    timers.advance(1);
    await settle();
    expect(seen).toEqual([1, 2, 3]);
    await bus.close();
  });

  it("redelivers a message whose handler outlives ackWait", async () => {
    const { bus, timers, subject } = await setup();
    const seen: BusMessage[] = [];
    let release: () => void = () => {};
    await bus.consume(
      {
        filterSubjects: [subject],
        ackWaitMs: 1000,
        concurrency: 2,
        partitionKey: (m) => String(m.deliveryCount),
      },
      async (m) => {
        seen.push(m);
        if (m.deliveryCount === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    );
    await bus.publish(subject, enc.encode("x"), { msgId: "1" });
    await settle();
    timers.advance(1000);
    await settle();
    expect(seen.map((m) => [m.seq, m.deliveryCount, m.redelivered])).toEqual([
      [1, 1, false],
      [1, 2, true],
    ]);
    release();
    await bus.close();
  });

  it("forgets a msgId after the duplicate window", async () => {
    const { bus, timers, subject } = await setup(1000);
    await bus.publish(subject, enc.encode("x"), { msgId: "k" });
    timers.advance(999);
    expect((await bus.publish(subject, enc.encode("x"), { msgId: "k" })).duplicate).toBe(true);
    timers.advance(1);
    expect(await bus.publish(subject, enc.encode("x"), { msgId: "k" })).toMatchObject({
      seq: 2,
      duplicate: false,
    });
    await bus.close();
  });

  it("hands unstarted messages back on stop so the durable gets them first next time", async () => {
    const { bus, subject } = await setup();
    for (let i = 1; i <= 3; i++) await bus.publish(subject, enc.encode(""), { msgId: `${i}` });
    let release: () => void = () => {};
    const first: number[] = [];
    const c = await bus.consume({ durable: "d", filterSubjects: [subject] }, async (m) => {
      first.push(m.seq);
      await new Promise<void>((resolve) => (release = resolve));
    });
    await settle();
    const stopped = c.stop();
    release();
    await stopped;
    expect(first).toEqual([1]);
    const next: BusMessage[] = [];
    await bus.consume({ durable: "d", filterSubjects: [subject] }, async (m) => {
      next.push(m);
    });
    await settle();
    expect(next.map((m) => [m.seq, m.deliveryCount])).toEqual([
      [2, 1],
      [3, 1],
    ]);
    await bus.close();
  });

  it("refuses a second live consumer on the same durable", async () => {
    const { bus, subject } = await setup();
    await bus.consume({ durable: "d", filterSubjects: [subject] }, async () => {});
    await expect(
      bus.consume({ durable: "d", filterSubjects: [subject] }, async () => {}),
    ).rejects.toMatchObject({ code: "FAILED_PRECONDITION" });
    await bus.close();
  });
});
