import { describe, expect, it } from "vitest";
import { createRouterEngine } from "./engine.js";
import { RouterError } from "./errors.js";
import { agent, contact, offered, ofType, online, onlyOffer } from "./test-fixtures.js";

function twoAgents() {
  const e = createRouterEngine({
    routing: {
      queues: [{ id: "q", offerTimeoutMs: 10_000, wrapUpMs: 5000 }],
      rules: [],
      defaultQueueId: "q",
    },
  });
  online(e, 0, agent("a1", { s: 2 }), agent("a2", { s: 2 }));
  return e;
}

describe("offers", () => {
  it("accept connects the contact", () => {
    const e = twoAgents();
    const o = onlyOffer(e.submitContact({ nowMs: 1, contact: contact("c", "VOICE", { s: 1 }) }));
    expect(o.offer.expiresAtMs).toBe(10_001);
    const fx = e.acceptOffer({ nowMs: 2, offerId: o.offer.offerId, version: o.offer.version });
    expect(fx).toContainEqual({
      type: "CONTACT_CONNECTED",
      atMs: 2,
      contactId: "c",
      agentId: "a1",
      offerId: o.offer.offerId,
    });
    expect(e.getContact("c")?.state).toBe("CONNECTED");
  });

  it("reject sends the contact to another agent, never back to the rejecting one", () => {
    const e = twoAgents();
    const o = onlyOffer(e.submitContact({ nowMs: 1, contact: contact("c", "VOICE", { s: 1 }) }));
    const fx = e.rejectOffer({ nowMs: 2, offerId: o.offer.offerId, version: o.offer.version });
    expect(ofType(fx, "OFFER_REJECTED")).toHaveLength(1);
    expect(offered(fx)).toEqual({ c: "a2" });
    const o2 = onlyOffer(fx);
    const fx2 = e.rejectOffer({ nowMs: 3, offerId: o2.offer.offerId, version: o2.offer.version });
    expect(offered(fx2)).toEqual({});
    expect(e.getContact("c")?.state).toBe("WAITING");
  });

  it("a rejected contact goes back to the head of its queue", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a1", { s: 2 }));
    const o = onlyOffer(
      e.submitContact({ nowMs: 1, contact: contact("first", "VOICE", { s: 1 }) }),
    );
    e.submitContact({ nowMs: 2, contact: contact("second", "VOICE", { s: 1 }, { priority: 10 }) });
    e.rejectOffer({ nowMs: 3, offerId: o.offer.offerId, version: o.offer.version });
    // a1 took "second"; the returned contact is now ahead of anything new.
    e.submitContact({ nowMs: 4, contact: contact("third", "VOICE", { s: 1 }, { priority: 100 }) });
    expect(e.getContact("first")?.position).toBe(1);
    expect(e.getContact("third")?.position).toBe(2);
    const fx = online(e, 5, agent("a2", { s: 2 }));
    expect(offered(fx)).toEqual({ first: "a2" });
  });

  it("expiry re-routes, and N missed offers in a row set the agent AWAY", () => {
    const e = createRouterEngine({
      maxConsecutiveMisses: 2,
      routing: { queues: [{ id: "q", offerTimeoutMs: 100 }], rules: [], defaultQueueId: "q" },
    });
    online(e, 0, agent("sleepy", { s: 2 }));
    e.submitContact({ nowMs: 1, contact: contact("c1", "VOICE", { s: 1 }) });
    const fx1 = e.tick(101);
    expect(ofType(fx1, "OFFER_EXPIRED")).toHaveLength(1);
    e.submitContact({ nowMs: 102, contact: contact("c2", "VOICE", { s: 1 }) });
    const fx2 = e.tick(300);
    expect(ofType(fx2, "AGENT_STATE_CHANGED").at(-1)).toMatchObject({
      agentId: "sleepy",
      to: "AWAY",
      reason: "MISSED_OFFERS",
    });
    expect(e.getAgent("sleepy")?.presence).toBe("AWAY");
  });

  it("rejects stale versions and unknown offers without changing anything", () => {
    const e = twoAgents();
    const o = onlyOffer(e.submitContact({ nowMs: 1, contact: contact("c", "VOICE", { s: 1 }) }));
    const before = JSON.stringify(e.snapshot());
    expect(() => e.acceptOffer({ nowMs: 2, offerId: o.offer.offerId, version: 99 })).toThrow(
      expect.objectContaining({ code: "FAILED_PRECONDITION" }),
    );
    expect(() => e.rejectOffer({ nowMs: 2, offerId: "nope", version: 1 })).toThrow(
      expect.objectContaining({ code: "NOT_FOUND" }),
    );
    expect(JSON.stringify(e.snapshot())).toBe(before);
  });

  it("accepting after expiry fails: the deadline runs first", () => {
    const e = twoAgents();
    const o = onlyOffer(e.submitContact({ nowMs: 1, contact: contact("c", "VOICE", { s: 1 }) }));
    let error: unknown;
    try {
      e.acceptOffer({ nowMs: 20_000, offerId: o.offer.offerId, version: o.offer.version });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).code).toBe("NOT_FOUND");
    // The expiry's effects are not lost: the next call returns them.
    const fx = e.tick(20_000);
    expect(ofType(fx, "OFFER_EXPIRED")).toHaveLength(1);
    expect(offered(fx)).toEqual({ c: "a2" });
  });
});

describe("wrap-up, completion, transfer, cancel", () => {
  it("wrap-up holds the agent, then frees it when the queue's wrap-up time elapses", () => {
    const e = createRouterEngine({
      routing: { queues: [{ id: "q", wrapUpMs: 5000 }], rules: [], defaultQueueId: "q" },
    });
    online(e, 0, agent("a", { s: 2 }));
    const o = onlyOffer(e.submitContact({ nowMs: 1, contact: contact("c1", "VOICE", { s: 1 }) }));
    e.acceptOffer({ nowMs: 2, offerId: o.offer.offerId, version: o.offer.version });
    e.submitContact({ nowMs: 3, contact: contact("c2", "VOICE", { s: 1 }) });
    const wrap = e.startWrapUp({ nowMs: 10, contactId: "c1" });
    expect(ofType(wrap, "CONTACT_WRAP_UP")[0]?.wrapUpEndsAtMs).toBe(5010);
    expect(e.getAgent("a")?.state).toBe("WRAP_UP");
    expect(offered(e.tick(5009))).toEqual({});
    const fx = e.tick(5010);
    expect(ofType(fx, "CONTACT_COMPLETED")[0]?.reason).toBe("WRAP_UP_ELAPSED");
    expect(offered(fx)).toEqual({ c2: "a" });
  });

  it("transfer to a queue keeps waiting time and history", () => {
    const e = createRouterEngine({
      routing: { queues: [{ id: "q1" }, { id: "q2" }], rules: [], defaultQueueId: "q1" },
    });
    online(e, 0, agent("a", { s: 2 }));
    const o = onlyOffer(
      e.submitContact({
        nowMs: 1000,
        contact: contact("c", "VOICE", { s: 1 }, { customerId: "cust" }),
      }),
    );
    e.acceptOffer({ nowMs: 2000, offerId: o.offer.offerId, version: o.offer.version });
    const fx = e.transferContact({ nowMs: 3000, contactId: "c", target: { queueId: "q2" } });
    expect(ofType(fx, "CONTACT_TRANSFERRED")[0]).toMatchObject({
      fromAgentId: "a",
      toQueueId: "q2",
    });
    // the freed agent gets it straight back unless someone better exists; waiting time is kept:
    const view = e.getContact("c");
    expect(view?.firstEnqueuedAtMs).toBe(1000);
    expect(view?.queueId).toBe("q2");
  });

  it("transfer to an agent waits for that agent only", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a", { s: 2 }), agent("b", { s: 2 }));
    const o = onlyOffer(e.submitContact({ nowMs: 1, contact: contact("c", "VOICE", { s: 1 }) }));
    e.acceptOffer({ nowMs: 2, offerId: o.offer.offerId, version: o.offer.version });
    e.setAgentPresence({ nowMs: 3, agentId: "b", presence: "AWAY" });
    const fx = e.transferContact({ nowMs: 4, contactId: "c", target: { agentId: "b" } });
    expect(offered(fx)).toEqual({});
    expect(e.getContact("c")?.phase).toBe("TARGETED");
    expect(offered(e.setAgentPresence({ nowMs: 5, agentId: "b", presence: "AVAILABLE" }))).toEqual({
      c: "b",
    });
    expect(() => e.transferContact({ nowMs: 6, contactId: "c", target: { agentId: "a" } })).toThrow(
      expect.objectContaining({ code: "FAILED_PRECONDITION" }),
    );
  });

  it("cancel withdraws a live offer and frees the agent", () => {
    const e = createRouterEngine();
    online(e, 0, agent("a", { s: 2 }));
    e.submitContact({ nowMs: 1, contact: contact("c1", "VOICE", { s: 1 }) });
    e.submitContact({ nowMs: 2, contact: contact("c2", "VOICE", { s: 1 }) });
    const fx = e.cancelContact({ nowMs: 3, contactId: "c1", reason: "ABANDONED" });
    expect(fx.map((x) => x.type).filter((t) => t !== "AGENT_STATE_CHANGED")).toEqual([
      "OFFER_CANCELLED",
      "CONTACT_ENDED",
      "OFFER_CREATED",
    ]);
    expect(e.getContact("c1")).toBeUndefined();
  });
});

describe("bad input", () => {
  it("throws stable codes and leaves the state alone", () => {
    const e = twoAgents();
    e.submitContact({ nowMs: 10, contact: contact("c", "VOICE", { s: 1 }) });
    const before = JSON.stringify(e.snapshot());
    const bad: [() => unknown, string][] = [
      [
        () => e.submitContact({ nowMs: 11, contact: contact("c", "VOICE", { s: 1 }) }),
        "ALREADY_EXISTS",
      ],
      [
        () => e.submitContact({ nowMs: 11, contact: contact("d", "FAX" as "VOICE", {}) }),
        "INVALID_ARGUMENT",
      ],
      [
        () => e.submitContact({ nowMs: 11, contact: contact("d", "VOICE", { s: 9 }) }),
        "INVALID_ARGUMENT",
      ],
      [
        () => e.submitContact({ nowMs: 11, contact: contact("d", "VOICE", {}, { complexity: 0 }) }),
        "INVALID_ARGUMENT",
      ],
      [() => e.upsertAgent({ nowMs: 11, agent: agent("x", { s: 6 }) }), "INVALID_ARGUMENT"],
      [
        () => e.setAgentPresence({ nowMs: 11, agentId: "ghost", presence: "AVAILABLE" }),
        "NOT_FOUND",
      ],
      [
        () => e.setAgentPresence({ nowMs: 11, agentId: "a1", presence: "BUSY" as "AWAY" }),
        "INVALID_ARGUMENT",
      ],
      [() => e.completeContact({ nowMs: 11, contactId: "c" }), "FAILED_PRECONDITION"],
      [() => e.startWrapUp({ nowMs: 11, contactId: "nope" }), "NOT_FOUND"],
      [() => e.removeAgent({ nowMs: 11, agentId: "ghost" }), "NOT_FOUND"],
      [() => e.tick(5), "INVALID_ARGUMENT"],
      [() => e.tick(Number.NaN), "INVALID_ARGUMENT"],
      [
        () => e.configure({ nowMs: 11, routing: { queues: [], rules: [], defaultQueueId: "q" } }),
        "INVALID_ARGUMENT",
      ],
      [
        () =>
          e.configure({
            nowMs: 11,
            routing: { queues: [{ id: "other" }], rules: [], defaultQueueId: "other" },
          }),
        "FAILED_PRECONDITION",
      ],
    ];
    for (const [call, code] of bad) {
      expect(call).toThrow(expect.objectContaining({ code }));
      expect(JSON.stringify(e.snapshot())).toBe(before);
    }
  });
});
