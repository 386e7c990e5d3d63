import { describe, expect, it } from "vitest";
import type { RouterEffect } from "./decision.js";
import type { AgentProfile, ContactInput } from "./domain.js";
import { createRouterEngine } from "./engine.js";

// Two behaviours found by the fast-check properties (indexed ≠ naive scan; an offer left standing
// with an agent whose new profile no longer qualifies).
const routing = {
  queues: [{ id: "main" }, { id: "second" }],
  rules: [],
  defaultQueueId: "main",
};
const agent = (id: string, proficiency: number): AgentProfile => ({
  id,
  skills: [{ skill: "billing", proficiency }],
  channels: ["CHAT"],
});
const chat = (id: string, minProficiency: number): ContactInput => ({
  id,
  channel: "CHAT",
  requiredSkills: [{ skill: "billing", minProficiency }],
});
const types = (effects: RouterEffect[]) => effects.map((e) => e.type);

describe("transfer and profile changes", () => {
  it("a contact transferred to a queue is not offered straight back to the agent who transferred it", () => {
    for (const strategy of ["indexed", "naive-scan"] as const) {
      const e = createRouterEngine({ routing, strategy });
      e.upsertAgent({ nowMs: 0, agent: agent("a1", 3) });
      e.setAgentPresence({ nowMs: 0, agentId: "a1", presence: "AVAILABLE" });
      const [offered] = e
        .submitContact({ nowMs: 1, contact: chat("c1", 1) })
        .filter((x) => x.type === "OFFER_CREATED");
      if (offered?.type !== "OFFER_CREATED") throw new Error("expected an offer");
      e.acceptOffer({ nowMs: 2, offerId: offered.offer.offerId, version: offered.offer.version });
      const fx = e.transferContact({ nowMs: 3, contactId: "c1", target: { queueId: "second" } });
      expect(types(fx).slice(0, 2), strategy).toEqual(["CONTACT_TRANSFERRED", "CONTACT_QUEUED"]);
      expect(types(fx), strategy).not.toContain("OFFER_CREATED");
      expect(e.getContact("c1")?.state).toBe("WAITING");
    }
  });

  it("withdraws a ringing offer when the agent's new profile no longer qualifies, and re-routes", () => {
    const e = createRouterEngine({ routing });
    e.upsertAgent({ nowMs: 0, agent: agent("a1", 3) });
    e.upsertAgent({ nowMs: 0, agent: agent("a2", 2) });
    e.setAgentPresence({ nowMs: 0, agentId: "a1", presence: "AVAILABLE" });
    const [offered] = e
      .submitContact({ nowMs: 1, contact: chat("c1", 2) })
      .filter((x) => x.type === "OFFER_CREATED");
    if (offered?.type !== "OFFER_CREATED") throw new Error("expected an offer");
    expect(offered.offer.agentId).toBe("a1");
    e.setAgentPresence({ nowMs: 2, agentId: "a2", presence: "AVAILABLE" });
    const fx = e.upsertAgent({ nowMs: 3, agent: agent("a1", 1) });
    const cancelled = fx.find((x) => x.type === "OFFER_CANCELLED");
    expect(cancelled).toMatchObject({
      offerId: offered.offer.offerId,
      reason: "AGENT_PROFILE_CHANGED",
    });
    const again = fx.find((x) => x.type === "OFFER_CREATED");
    expect(again?.type === "OFFER_CREATED" && again.offer.agentId).toBe("a2");
  });
});
