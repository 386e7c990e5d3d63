import { describe, expect, it } from "vitest";
import { createRouterEngine } from "./engine.js";
import { agent, contact, offered, ofType, online, onlyOffer } from "./test-fixtures.js";

describe("contact → agent", () => {
  it("offers to the longest idle agent when proficiency margins are equal", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a1", { billing: 3 }));
    online(e, 1000, agent("a2", { billing: 3 }));
    const fx = e.submitContact({ nowMs: 5000, contact: contact("c1", "VOICE", { billing: 2 }) });
    expect(onlyOffer(fx).offer.agentId).toBe("a1");
  });

  it("prefers proficiency above the minimum over a little more idle time", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a1", { billing: 2 }));
    online(e, 1000, agent("a2", { billing: 5 }));
    const fx = e.submitContact({ nowMs: 2000, contact: contact("c1", "VOICE", { billing: 2 }) });
    const offer = onlyOffer(fx);
    expect(offer.offer.agentId).toBe("a2");
    const prof = offer.decision.scoreTerms.find((t) => t.name === "proficiency");
    expect(prof).toEqual({ name: "proficiency", value: 3, weight: 10 });
  });

  it("applies every hard constraint", () => {
    const e = createRouterEngine();
    online(
      e,
      0,
      agent("low", { billing: 1 }),
      agent("noskill", { sales: 5 }),
      agent("tier", { billing: 5 }, { complexityTier: 2 }),
      agent("french", { billing: 5 }, { languages: ["fr"] }),
      agent("ok", { billing: 3 }, { complexityTier: 4 }),
    );
    const fx = e.submitContact({
      nowMs: 10,
      contact: contact("c1", "EMAIL", { billing: 2 }, { complexity: 4, language: "en" }),
    });
    expect(onlyOffer(fx).offer.agentId).toBe("ok");
  });

  it("routes a contact with a present intermediary only to authorized agents", () => {
    const e = createRouterEngine();
    online(
      e,
      0,
      agent("plain", { claims: 5 }),
      agent("brokers", { claims: 1 }, { authorizations: { intermediaryKinds: ["BROKER"] } }),
      agent("acme", { claims: 1 }, { authorizations: { intermediaryIds: ["acme-re"] } }),
    );
    const broker = { kind: "BROKER", id: "b-9", present: true } as const;
    expect(
      onlyOffer(
        e.submitContact({
          nowMs: 1,
          contact: contact("c1", "VOICE", { claims: 1 }, { intermediary: broker }),
        }),
      ).offer.agentId,
    ).toBe("brokers");
    const partner = { kind: "RESELLER", id: "acme-re", present: true } as const;
    expect(
      onlyOffer(
        e.submitContact({
          nowMs: 2,
          contact: contact("c2", "VOICE", { claims: 1 }, { intermediary: partner }),
        }),
      ).offer.agentId,
    ).toBe("acme");
    const absent = { kind: "CARER", id: "x", present: false } as const;
    expect(
      onlyOffer(
        e.submitContact({
          nowMs: 3,
          contact: contact("c3", "VOICE", { claims: 1 }, { intermediary: absent }),
        }),
      ).offer.agentId,
    ).toBe("plain");
  });

  it("only offers to AVAILABLE agents", () => {
    const e = createRouterEngine();
    e.upsertAgent({ nowMs: 0, agent: agent("off", { s: 5 }) });
    online(e, 0, agent("away", { s: 5 }));
    e.setAgentPresence({ nowMs: 1, agentId: "away", presence: "AWAY" });
    const fx = e.submitContact({ nowMs: 2, contact: contact("c1", "CHAT", { s: 1 }) });
    expect(ofType(fx, "OFFER_CREATED")).toHaveLength(0);
    expect(ofType(fx, "CONTACT_QUEUED")).toHaveLength(1);
    const back = e.setAgentPresence({ nowMs: 3, agentId: "away", presence: "AVAILABLE" });
    expect(onlyOffer(back).decision.direction).toBe("AGENT_TO_CONTACT");
  });
});

describe("capacity", () => {
  it("fills an agent with three chats (0.34 each) and no more", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a", { chat: 3 }));
    const got: Record<string, string> = {};
    for (let i = 1; i <= 4; i++) {
      Object.assign(
        got,
        offered(e.submitContact({ nowMs: i, contact: contact(`c${i}`, "CHAT", { chat: 1 }) })),
      );
    }
    expect(got).toEqual({ c1: "a", c2: "a", c3: "a" });
    expect(e.getAgent("a")?.state).toBe("BUSY");
  });

  it("never mixes a voice call with other work, even with a lowered voice weight", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a", { s: 3 }, { channelWeights: { VOICE: 0.3 } }));
    expect(
      offered(e.submitContact({ nowMs: 1, contact: contact("v1", "VOICE", { s: 1 }) })),
    ).toEqual({ v1: "a" });
    expect(
      offered(e.submitContact({ nowMs: 2, contact: contact("v2", "VOICE", { s: 1 }) })),
    ).toEqual({});
    expect(
      offered(e.submitContact({ nowMs: 3, contact: contact("e1", "EMAIL", { s: 1 }) })),
    ).toEqual({ e1: "a" });
  });

  it("honours per-agent channel lists and weight overrides", () => {
    const e = createRouterEngine();
    online(e, 0, agent("mail", { s: 3 }, { channels: ["EMAIL"], channelWeights: { EMAIL: 0.5 } }));
    expect(
      offered(e.submitContact({ nowMs: 1, contact: contact("v", "VOICE", { s: 1 }) })),
    ).toEqual({});
    for (let i = 0; i < 3; i++)
      e.submitContact({ nowMs: 2 + i, contact: contact(`e${i}`, "EMAIL", { s: 1 }) });
    expect(e.getAgent("mail")?.contactIds).toEqual(["e0", "e1"]);
  });
});

describe("agent → contact", () => {
  it("a freed agent takes the best waiting contact across the queues it serves", () => {
    const e = createRouterEngine({
      routing: {
        queues: [{ id: "std" }, { id: "vip", priority: 5 }],
        rules: [{ id: "vip", queueId: "vip", when: { attributes: { tier: "vip" } } }],
        defaultQueueId: "std",
      },
    });
    e.submitContact({ nowMs: 0, contact: contact("old", "VOICE", { s: 1 }) });
    e.submitContact({
      nowMs: 1000,
      contact: contact("vip", "VOICE", { s: 1 }, { attributes: { tier: "vip" } }),
    });
    e.submitContact({ nowMs: 2000, contact: contact("other-skill", "VOICE", { t: 1 }) });
    const fx = online(e, 3000, agent("a", { s: 2 }));
    const offer = onlyOffer(fx);
    expect(offer.offer.contactId).toBe("vip");
    expect(offer.decision.queueId).toBe("vip");
    expect(offer.decision.ruleId).toBe("vip");
  });

  it("after completion the agent takes the next waiting contact", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a", { s: 2 }));
    const o1 = onlyOffer(e.submitContact({ nowMs: 1, contact: contact("c1", "VOICE", { s: 1 }) }));
    e.submitContact({ nowMs: 2, contact: contact("c2", "VOICE", { s: 1 }) });
    e.acceptOffer({ nowMs: 3, offerId: o1.offer.offerId, version: o1.offer.version });
    const fx = e.completeContact({
      nowMs: 100,
      contactId: "c1",
      outcome: { resolved: true, csat: 5 },
    });
    expect(ofType(fx, "CONTACT_COMPLETED")[0]?.outcome).toEqual({ resolved: true, csat: 5 });
    expect(offered(fx)).toEqual({ c2: "a" });
  });

  it("a new skill makes the agent take a contact it could not before", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a", { s: 2 }));
    e.submitContact({ nowMs: 1, contact: contact("c1", "CHAT", { t: 1 }) });
    const fx = e.upsertAgent({ nowMs: 2, agent: agent("a", { s: 2, t: 1 }) });
    expect(offered(fx)).toEqual({ c1: "a" });
  });
});

describe("agents rejected from their ready-list tag", () => {
  it("are counted as considered, and a no-match names each one's first failed constraint", () => {
    const e = createRouterEngine();
    online(e, 0, agent("noB", { a: 3 }));
    online(e, 1, agent("lowTier", { a: 3, b: 2 }, { complexityTier: 2 }));
    online(e, 2, agent("french", { a: 3, b: 2 }, { languages: ["fr"] }));
    online(e, 3, agent("lowA", { a: 1, b: 2 }));
    online(e, 4, agent("ok", { a: 3, b: 2 }));
    // Enough holders of b that skill a (levels >= 2: four agents) is the smaller source.
    online(e, 5, agent("b1", { b: 5 }), agent("b2", { b: 5 }), agent("b3", { b: 5 }));
    const need = { a: 2, b: 1 };
    const first = onlyOffer(
      e.submitContact({
        nowMs: 10,
        contact: contact("c1", "VOICE", need, { complexity: 3, language: "en" }),
      }),
    );
    expect(first.offer.agentId).toBe("ok");
    // noB, lowTier and french (idler, same margins) come first; lowA is not in a's lists >= 2.
    expect(first.decision.candidatesConsidered).toBe(4);
    const fx = e.submitContact({
      nowMs: 11,
      contact: contact("c2", "VOICE", need, { complexity: 3, language: "en" }),
    });
    const d = ofType(fx, "CONTACT_QUEUED")[0]?.decision;
    expect(d?.candidatesConsidered).toBe(3);
    expect(d?.exclusions).toEqual([
      { constraint: "skill", agentsExcluded: 1 },
      { constraint: "complexity", agentsExcluded: 1 },
      { constraint: "language", agentsExcluded: 1 },
      { constraint: "not ready on VOICE with skill a>=2", agentsExcluded: 5 },
    ]);
  });
});
