import { describe, expect, it } from "vitest";
import { createRouterEngine } from "./engine.js";
import { agent, contact, offered, ofType, online, onlyOffer } from "./test-fixtures.js";

const HOUR = 3_600_000;

describe("customer history", () => {
  it("waits for the preferred (last) agent up to T, then releases to all", () => {
    const e = createRouterEngine({
      routing: {
        queues: [{ id: "q", preferredAgentWaitMs: 15_000 }],
        rules: [],
        defaultQueueId: "q",
      },
    });
    online(e, 0, agent("previous", { s: 3 }), agent("other", { s: 3 }));
    e.setAgentPresence({ nowMs: 1, agentId: "previous", presence: "AWAY" });
    const t0 = 10 * HOUR;
    const fx = e.submitContact({
      nowMs: t0,
      contact: contact("c", "VOICE", { s: 1 }),
      history: { lastAgents: [{ agentId: "previous", endedAtMs: t0 - 2 * HOUR }] },
    });
    const queued = ofType(fx, "CONTACT_QUEUED")[0];
    expect(queued?.decision.phase).toBe("PREFERRED_AGENT");
    expect(e.getContact("c")?.repeat).toBe(true);
    const released = e.tick(t0 + 15_000);
    expect(ofType(released, "CONTACT_RELEASED")[0]?.from).toBe("PREFERRED_AGENT");
    expect(offered(released)).toEqual({ c: "other" });
  });

  it("a contact waiting for its preferred agent is released to all when that agent is removed", () => {
    const e = createRouterEngine({
      routing: {
        queues: [{ id: "q", preferredAgentWaitMs: 60_000 }],
        rules: [],
        defaultQueueId: "q",
      },
    });
    online(e, 0, agent("previous", { s: 3 }), agent("other", { s: 3 }));
    e.setAgentPresence({ nowMs: 1, agentId: "previous", presence: "AWAY" });
    e.setAgentPresence({ nowMs: 1, agentId: "other", presence: "AWAY" });
    const t0 = 10 * HOUR;
    const history = { lastAgents: [{ agentId: "previous", endedAtMs: t0 - HOUR }] };
    for (const id of ["c1", "c2"]) {
      const fx = e.submitContact({ nowMs: t0, contact: contact(id, "CHAT", { s: 1 }), history });
      expect(ofType(fx, "CONTACT_QUEUED")[0]?.decision.phase).toBe("PREFERRED_AGENT");
    }
    const fx = e.removeAgent({ nowMs: t0 + 1000, agentId: "previous" });
    expect(ofType(fx, "CONTACT_RELEASED").map((r) => [r.contactId, r.from])).toEqual([
      ["c1", "PREFERRED_AGENT"],
      ["c2", "PREFERRED_AGENT"],
    ]);
    expect(e.getContact("c1")?.phase).toBe("OPEN");
    expect(
      offered(e.setAgentPresence({ nowMs: t0 + 2000, agentId: "other", presence: "AVAILABLE" })),
    ).toEqual({
      c1: "other",
      c2: "other",
    });
  });

  it("offers to the preferred agent as soon as they are free", () => {
    const e = createRouterEngine();
    online(e, 0, agent("other", { s: 5 }), agent("previous", { s: 1 }));
    const o = onlyOffer(
      e.submitContact({
        nowMs: 1000,
        contact: contact("c", "VOICE", { s: 1 }),
        history: { openCaseOwnerAgentId: "previous" },
      }),
    );
    expect(o.offer.agentId).toBe("previous");
    expect(o.decision.scoreTerms.find((t) => t.name === "preferredAgent")?.value).toBe(1);
  });

  it("remembers its own completions: a repeat within 72 h is boosted and preferred", () => {
    const e = createRouterEngine({ repeatPriorityBoost: 3 });
    online(e, 0, agent("a", { s: 3 }), agent("b", { s: 3 }));
    const o = onlyOffer(
      e.submitContact({
        nowMs: 10,
        contact: contact("c1", "CHAT", { s: 1 }, { customerId: "cust" }),
      }),
    );
    e.acceptOffer({ nowMs: 11, offerId: o.offer.offerId, version: o.offer.version });
    e.completeContact({ nowMs: 100, contactId: "c1" });
    const again = onlyOffer(
      e.submitContact({
        nowMs: 70 * HOUR,
        contact: contact("c2", "VOICE", { s: 1 }, { customerId: "cust" }),
      }),
    );
    expect(again.offer.agentId).toBe(o.offer.agentId);
    expect(e.getContact("c2")?.priority).toBe(3);
    const later = e.submitContact({
      nowMs: 100 * HOUR,
      contact: contact("c3", "VOICE", { s: 1 }, { customerId: "cust" }),
    });
    expect(e.getContact("c3")?.repeat).toBe(false);
    expect(offered(later).c3).toBeDefined();
  });

  it("maps loyalty tiers to priority", () => {
    const e = createRouterEngine({ loyaltyPriority: { VIP: 7 } });
    e.submitContact({
      nowMs: 0,
      contact: contact("c", "VOICE", { s: 1 }, { priority: 1 }),
      history: { loyaltyTier: "VIP" },
    });
    expect(e.getContact("c")?.priority).toBe(8);
  });
});

describe("institutional accounts", () => {
  it("go to their account team first, to others only after the configured wait", () => {
    const e = createRouterEngine({
      routing: { queues: [{ id: "q", accountTeamWaitMs: 60_000 }], rules: [], defaultQueueId: "q" },
    });
    online(
      e,
      0,
      agent("team", { s: 3 }, { authorizations: { accountIds: ["acme"] } }),
      agent("other", { s: 5 }),
    );
    const account = { id: "acme", institutional: true } as const;
    const first = onlyOffer(
      e.submitContact({ nowMs: 1, contact: contact("c1", "VOICE", { s: 1 }, { account }) }),
    );
    expect(first.offer.agentId).toBe("team");
    expect(first.decision.phase).toBe("ACCOUNT_TEAM");
    e.acceptOffer({ nowMs: 1, offerId: first.offer.offerId, version: first.offer.version });
    const second = e.submitContact({
      nowMs: 2,
      contact: contact("c2", "VOICE", { s: 1 }, { account }),
    });
    expect(ofType(second, "CONTACT_QUEUED")[0]?.decision.exclusions).toContainEqual({
      constraint: "not ready on VOICE with account team acme",
      agentsExcluded: 2,
    });
    expect(offered(e.tick(60_001))).toEqual({});
    expect(offered(e.tick(60_002))).toEqual({ c2: "other" });
  });

  it("a non-institutional account prefers its owner by score only", () => {
    const e = createRouterEngine();
    online(
      e,
      0,
      agent("owner", { s: 1 }, { authorizations: { accountIds: ["shop"] } }),
      agent("other", { s: 5 }),
    );
    const o = onlyOffer(
      e.submitContact({
        nowMs: 1,
        contact: contact("c", "VOICE", { s: 1 }, { account: { id: "shop", institutional: false } }),
      }),
    );
    expect(o.offer.agentId).toBe("owner");
  });
});

describe("explanations", () => {
  it("a no-match names the constraints that excluded agents", () => {
    const e = createRouterEngine();
    online(
      e,
      0,
      agent("fr", { s: 5 }, { languages: ["fr"] }),
      agent("low", { s: 1 }),
      agent("simple", { s: 5 }, { complexityTier: 1 }),
    );
    const fx = e.submitContact({
      nowMs: 1,
      contact: contact("c", "VOICE", { s: 2 }, { complexity: 3, language: "en" }),
    });
    const d = ofType(fx, "CONTACT_QUEUED")[0]?.decision;
    expect(d?.winnerAgentId).toBeNull();
    expect(d?.exclusions).toEqual([
      { constraint: "language", agentsExcluded: 1 },
      { constraint: "complexity", agentsExcluded: 1 },
      { constraint: "not ready on VOICE with skill s>=2", agentsExcluded: 1 },
    ]);
    // The same signature again is answered from the no-match cache, with the same explanation.
    const again = ofType(
      e.submitContact({
        nowMs: 2,
        contact: contact("c2", "VOICE", { s: 2 }, { complexity: 3, language: "en" }),
      }),
      "CONTACT_QUEUED",
    )[0];
    expect(again?.decision.exclusions).toEqual(d?.exclusions);
    expect(again?.decision.reason).toContain("unchanged since last check");
  });
});
