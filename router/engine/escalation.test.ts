import { describe, expect, it } from "vitest";
import type { QueueConfig } from "./config-types.js";
import { createRouterEngine } from "./engine.js";
import { agent, contact, offered, ofType, online } from "./test-fixtures.js";

function withQueue(q: QueueConfig, extra: QueueConfig[] = []) {
  return createRouterEngine({
    routing: { queues: [q, ...extra], rules: [], defaultQueueId: q.id },
  });
}

describe("escalation (bullseye), driven by tick", () => {
  it("lowers the minimum proficiency after the step's wait", () => {
    const e = withQueue({ id: "q", escalation: [{ afterMs: 30_000, lowerMinProficiencyBy: 2 }] });
    online(e, 0, agent("junior", { s: 2 }));
    e.submitContact({ nowMs: 0, contact: contact("c", "VOICE", { s: 4 }) });
    expect(offered(e.tick(29_999))).toEqual({});
    const fx = e.tick(30_000);
    expect(ofType(fx, "CONTACT_ESCALATED")[0]).toMatchObject({ contactId: "c", step: 1 });
    expect(offered(fx)).toEqual({ c: "junior" });
    expect(ofType(fx, "OFFER_CREATED")[0]?.decision.escalationStep).toBe(1);
  });

  it("drops optional skills", () => {
    const e = withQueue({ id: "q", escalation: [{ afterMs: 10_000, dropOptionalSkills: true }] });
    online(e, 0, agent("a", { s: 3 }));
    e.submitContact({
      nowMs: 0,
      contact: contact(
        "c",
        "CHAT",
        { s: 1 },
        { optionalSkills: [{ skill: "french", minProficiency: 1 }] },
      ),
    });
    expect(offered(e.tick(10_000))).toEqual({ c: "a" });
  });

  it("an optional skill that is also required raises the minimum until it is dropped", () => {
    const e = withQueue({ id: "q", escalation: [{ afterMs: 10_000, dropOptionalSkills: true }] });
    online(e, 0, agent("a", { s: 1 }));
    e.submitContact({
      nowMs: 0,
      contact: contact(
        "c",
        "CHAT",
        { s: 1 },
        { optionalSkills: [{ skill: "s", minProficiency: 3 }] },
      ),
    });
    expect(offered(e.tick(9_999))).toEqual({});
    expect(offered(e.tick(10_000))).toEqual({ c: "a" });
  });

  it("widens to more teams, then to any team", () => {
    const e = withQueue({
      id: "q",
      teams: ["core"],
      escalation: [
        { afterMs: 10_000, addTeams: ["backup"] },
        { afterMs: 20_000, anyTeam: true },
      ],
    });
    online(e, 0, agent("far", { s: 3 }, { team: "elsewhere" }));
    e.submitContact({ nowMs: 0, contact: contact("c1", "VOICE", { s: 1 }) });
    online(e, 1, agent("backup", { s: 3 }, { team: "backup" }));
    expect(offered(e.tick(9_999))).toEqual({});
    expect(offered(e.tick(10_000))).toEqual({ c1: "backup" });
    e.submitContact({ nowMs: 10_001, contact: contact("c2", "VOICE", { s: 1 }) });
    expect(offered(e.tick(30_001))).toEqual({ c2: "far" });
  });

  it("overflows to another queue, keeping the waiting time for aging", () => {
    const e = withQueue(
      { id: "q", teams: ["t1"], escalation: [{ afterMs: 5_000, overflowToQueueId: "spill" }] },
      [{ id: "spill", teams: ["t2"] }],
    );
    online(e, 0, agent("t2", { s: 3 }, { team: "t2" }));
    e.submitContact({ nowMs: 100, contact: contact("c", "EMAIL", { s: 1 }) });
    const fx = e.tick(5_100);
    expect(ofType(fx, "CONTACT_OVERFLOWED")[0]).toMatchObject({
      fromQueueId: "q",
      toQueueId: "spill",
    });
    const offer = ofType(fx, "OFFER_CREATED")[0];
    expect(offer?.decision.queueId).toBe("spill");
    expect(offer?.decision.escalationStep).toBe(0);
  });
});

describe("ordering and aging", () => {
  it("serves higher priority first, and aging lets an old low-priority contact overtake", () => {
    const e = withQueue({ id: "q", agingIntervalMs: 10_000 });
    e.submitContact({ nowMs: 0, contact: contact("old-low", "VOICE", { s: 1 }, { priority: 0 }) });
    e.submitContact({
      nowMs: 20_000,
      contact: contact("new-high", "VOICE", { s: 1 }, { priority: 1 }),
    });
    // At 20 s old-low has aged by 2 > 1: it goes first.
    expect(offered(online(e, 20_000, agent("a", { s: 1 })))).toEqual({ "old-low": "a" });
    const e2 = withQueue({ id: "q", agingIntervalMs: 0 });
    e2.submitContact({ nowMs: 0, contact: contact("old-low", "VOICE", { s: 1 }, { priority: 0 }) });
    e2.submitContact({
      nowMs: 20_000,
      contact: contact("new-high", "VOICE", { s: 1 }, { priority: 1 }),
    });
    expect(offered(online(e2, 20_000, agent("a", { s: 1 })))).toEqual({ "new-high": "a" });
  });

  it("reports position and expected wait", () => {
    const e = withQueue({ id: "q" });
    e.upsertAgent({ nowMs: 0, agent: agent("a", { s: 1 }, { channels: ["EMAIL"] }) });
    e.setAgentPresence({ nowMs: 0, agentId: "a", presence: "AVAILABLE" });
    const q1 = ofType(
      e.submitContact({ nowMs: 1, contact: contact("c1", "VOICE", { s: 1 }) }),
      "CONTACT_QUEUED",
    )[0];
    const q2 = ofType(
      e.submitContact({ nowMs: 2, contact: contact("c2", "VOICE", { s: 1 }) }),
      "CONTACT_QUEUED",
    )[0];
    expect(q1?.position).toBe(1);
    expect(q2?.position).toBe(2);
    // 2 × default handle time (180 s) ÷ 1 logged-in agent with skill s.
    expect(q2?.expectedWaitMs).toBe(360_000);
    e.cancelContact({ nowMs: 3, contactId: "c1" });
    expect(e.getContact("c2")?.position).toBe(1);
  });
});
