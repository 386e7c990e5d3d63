import { describe, expect, it } from "vitest";
import type { RoutingConfig } from "./config-types.js";
import { createRouterEngine, restoreRouterEngine } from "./engine.js";
import { agent, contact, offered, online } from "./test-fixtures.js";

const routing: RoutingConfig = {
  queues: [{ id: "billing" }, { id: "general" }],
  rules: [{ id: "r1", queueId: "billing", when: { skillsAll: ["billing"] } }],
  defaultQueueId: "general",
};

function busyEngine() {
  const e = createRouterEngine({ routing });
  online(e, 0, agent("anna", { billing: 3 }), agent("bob", { billing: 2, sales: 4 }));
  e.submitContact({
    nowMs: 10,
    contact: contact("c1", "CHAT", { billing: 2 }, { language: "en" }),
    history: { lastAgents: [{ agentId: "bob", endedAtMs: 5 }], repeat: true },
  });
  e.submitContact({ nowMs: 20, contact: contact("c2", "VOICE", { sales: 3 }) });
  e.submitContact({ nowMs: 30, contact: contact("c3", "EMAIL", { billing: 5 }) });
  return e;
}

describe("snapshotJson", () => {
  it("is the text of the snapshot, and restoring it continues as the engine does", () => {
    const e = busyEngine();
    const text = e.snapshotJson();
    expect(text).toBe(JSON.stringify(e.snapshot()));
    const restored = restoreRouterEngine(JSON.parse(text));
    const next = contact("c4", "CHAT", { billing: 1 });
    const a = e.submitContact({ nowMs: 40, contact: next });
    const b = restored.submitContact({ nowMs: 40, contact: next });
    expect(b).toEqual(a);
    expect(offered(e.tick(60_000))).toEqual(offered(restored.tick(60_000)));
    expect(restored.snapshotJson()).toBe(e.snapshotJson());
  });

  it("snapshot() stays a copy: changing it does not change the engine", () => {
    const e = busyEngine();
    const before = e.snapshotJson();
    const s = e.snapshot() as unknown as {
      contacts: { input: { requiredSkills: { skill: string }[] } }[];
      agents: { profile: { id: string } }[];
    };
    (s.contacts[0] as { input: { requiredSkills: { skill: string }[] } }).input.requiredSkills[0] =
      {
        skill: "changed",
      };
    (s.agents[0] as { profile: { id: string } }).profile.id = "changed";
    expect(e.snapshotJson()).toBe(before);
  });

  it("agentIds and routing() answer without a snapshot, as copies", () => {
    const e = busyEngine();
    expect(e.agentIds()).toEqual(e.snapshot().agents.map((a) => a.profile.id));
    const r = e.routing();
    expect(r).toEqual(e.snapshot().routing);
    (r.queues as { id: string }[]).push({ id: "extra" });
    expect(e.routing().queues).toHaveLength(2);
  });
});
