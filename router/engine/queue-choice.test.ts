import { describe, expect, it } from "vitest";
import { createRouterEngine } from "./engine.js";
import { contact, ofType } from "./test-fixtures.js";

const engine = () =>
  createRouterEngine({
    routing: {
      queues: [{ id: "general" }, { id: "billing" }, { id: "vip" }],
      rules: [{ id: "voice-to-vip", queueId: "vip", when: { channels: ["VOICE"] } }],
      defaultQueueId: "general",
    },
  });

describe("the submitter's queue choice", () => {
  it("a configured queue_id is used instead of the rules, and the decision says so", () => {
    const e = engine();
    const fx = e.submitContact({
      nowMs: 0,
      contact: { ...contact("c", "VOICE", {}), queueId: "billing" },
    });
    expect(ofType(fx, "CONTACT_QUEUED")[0]).toMatchObject({ contactId: "c", queueId: "billing" });
    expect(e.getContact("c")).toMatchObject({ queueId: "billing", ruleId: "submitter" });
  });

  it("an unknown queue_id falls back to the rules (never dropped)", () => {
    const e = engine();
    e.submitContact({ nowMs: 0, contact: { ...contact("c", "VOICE", {}), queueId: "nope" } });
    expect(e.getContact("c")).toMatchObject({ queueId: "vip", ruleId: "voice-to-vip" });
    e.submitContact({ nowMs: 0, contact: { ...contact("d", "EMAIL", {}), queueId: "nope" } });
    expect(e.getContact("d")).toMatchObject({ queueId: "general", ruleId: "default" });
  });
});
