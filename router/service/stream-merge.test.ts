import { describe, expect, it } from "vitest";
import { systemClock } from "../../core/index.js";
import { StreamMerge } from "./stream-merge.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("StreamMerge", () => {
  it("lets live commands through at once", async () => {
    const merge = new StreamMerge(systemClock, 1000, 200, 1000);
    const started = Date.now();
    await merge.admit("contacts", Date.now());
    expect(Date.now() - started).toBeLessThan(50);
    expect(merge.replaying()).toBe(false);
  });

  it("in a replay, applies the older head of the two streams first", async () => {
    const merge = new StreamMerge(systemClock, 1000, 200, 1000);
    const t0 = Date.now() - 5000;
    const order: string[] = [];
    const agent = merge.admit("agents", t0 + 10).then(async () => {
      order.push("agent@10");
      await sleep(5);
      merge.done("agents");
    });
    await sleep(5);
    const contact = merge.admit("contacts", t0 + 5).then(() => {
      order.push("contact@5");
      merge.done("contacts");
    });
    await Promise.all([agent, contact]);
    expect(order).toEqual(["contact@5", "agent@10"]);
    expect(merge.replaying()).toBe(true);
  });

  it("stops waiting for a stream that has been silent for the idle wait", async () => {
    const merge = new StreamMerge(systemClock, 1000, 50, 50);
    await sleep(60);
    const started = Date.now();
    await merge.admit("contacts", Date.now() - 5000);
    expect(Date.now() - started).toBeLessThan(40);
  });
});
