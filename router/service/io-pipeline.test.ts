import { describe, expect, it } from "vitest";
import { IoPipeline } from "./io-pipeline.js";

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("IoPipeline", () => {
  it("runs one key's tasks in turn, other keys at once", async () => {
    const pipe = new IoPipeline();
    const log: string[] = [];
    void pipe.chain("a", async () => {
      await later(20);
      log.push("a1");
    });
    void pipe.chain("a", async () => log.push("a2"));
    void pipe.chain("b", async () => log.push("b1"));
    await pipe.takeBatch();
    expect(log).toEqual(["b1", "a1", "a2"]);
  });

  it("an offer waits for the withdrawals to its agent issued before it, not for later ones or other agents'", async () => {
    const pipe = new IoPipeline();
    const log: string[] = [];
    // A slow withdrawal to anna (contact x), then an offer to anna (contact y) and one to bob.
    const withdrawal = pipe.chain("offer:x", async () => {
      await later(30);
      log.push("withdraw x from anna");
    });
    pipe.join("withdrawals:anna", withdrawal);
    const offer = (contact: string, agent: string) => {
      const before = pipe.tail(`withdrawals:${agent}`);
      void pipe.chain(`offer:${contact}`, async () => {
        await before;
        log.push(`offer ${contact} to ${agent}`);
      });
    };
    offer("y", "anna");
    offer("z", "bob");
    // Issued after the offer: the offer does not wait for it.
    pipe.join(
      "withdrawals:anna",
      pipe.chain("offer:w", async () => {
        await later(60);
        log.push("withdraw w from anna");
      }),
    );
    await pipe.takeBatch();
    expect(log).toEqual([
      "offer z to bob",
      "withdraw x from anna",
      "offer y to anna",
      "withdraw w from anna",
    ]);
    expect(pipe.tail("withdrawals:anna")).toBeUndefined();
  });

  it("a failed withdrawal still lets the offer go (its failure is the batch's)", async () => {
    const pipe = new IoPipeline();
    const failed = pipe.chain("offer:x", async () => {
      throw new Error("nats down");
    });
    pipe.join("withdrawals:anna", failed);
    const before = pipe.tail("withdrawals:anna");
    let offered = false;
    void pipe.chain("offer:y", async () => {
      await before;
      offered = true;
    });
    await expect(pipe.takeBatch()).rejects.toThrow("nats down");
    await later(0);
    expect(offered).toBe(true);
  });
});
