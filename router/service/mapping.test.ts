import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  AgentSchema,
  Channel,
  ContactSchema,
  IntermediaryKind,
  QueueSchema,
  RoutingRuleSchema,
} from "../../proto/index.js";
import { createRouterEngine } from "../engine/engine.js";
import { agentToProfile, buildRoutingConfig } from "./config-mapping.js";
import { contactToInput, historyToEngine } from "./contact-mapping.js";

describe("proto → engine mapping", () => {
  it("maps a contact with proto defaults turned into engine defaults", () => {
    const contact = create(ContactSchema, {
      id: "c1",
      channel: Channel.CHAT,
      requiredSkills: [{ skill: "billing", minProficiency: 0 }],
      complexity: 0,
      priority: 7,
      language: "fr",
      intermediary: { kind: IntermediaryKind.BROKER, id: "b1", present: true },
      account: { id: "acc", institutional: true },
      customer: { id: "crm-1" },
      channelMetadata: { "chat.page": "/pricing" },
    });
    expect(contactToInput(contact)).toEqual({
      id: "c1",
      channel: "CHAT",
      requiredSkills: [{ skill: "billing", minProficiency: 1 }],
      optionalSkills: [],
      complexity: 1,
      priority: 7,
      language: "fr",
      intermediary: { kind: "BROKER", id: "b1", present: true },
      account: { id: "acc", institutional: true },
      customerId: "crm-1",
      attributes: { "chat.page": "/pricing" },
    });
    expect(contactToInput(contact, "resolved").customerId).toBe("resolved");
  });

  it("maps stored history and the submitter's preferred agent", () => {
    const contact = create(ContactSchema, {
      id: "c1",
      channel: Channel.VOICE,
      preferredAgentId: "anna",
    });
    const history = historyToEngine(
      {
        customerId: "cu",
        contacts: [
          {
            contactId: "old",
            channel: "VOICE",
            queueId: "q",
            agentId: "bob",
            outcome: "ok",
            completedAtMs: 500,
          },
        ],
        lastAgents: [{ agentId: "bob", lastContactMs: 500 }],
      },
      contact,
    );
    expect(history).toEqual({
      lastAgents: [{ agentId: "bob", endedAtMs: 500 }],
      lastContactEndedAtMs: 500,
      openCaseOwnerAgentId: "anna",
    });
    expect(historyToEngine(undefined, create(ContactSchema, { id: "c2" }))).toBeUndefined();
  });

  it("maps an agent's capacities to engine weights", () => {
    const agent = create(AgentSchema, {
      id: "a1",
      skills: [{ skill: "billing", proficiency: 4 }],
      complexityTier: 0,
      channelCapacities: [
        { channel: Channel.CHAT, maxConcurrent: 3 },
        { channel: Channel.EMAIL, maxConcurrent: 5, loadWeight: 20 },
      ],
      team: "emea",
      authorizations: { intermediaryKinds: [IntermediaryKind.CARER], accountIds: ["acc"] },
    });
    const profile = agentToProfile(agent);
    expect(profile).toMatchObject({
      id: "a1",
      complexityTier: 1,
      channels: ["CHAT", "EMAIL"],
      channelWeights: { CHAT: 0.333, EMAIL: 0.2 },
      team: "emea",
      authorizations: { intermediaryKinds: ["CARER"], intermediaryIds: [], accountIds: ["acc"] },
    });
    // No capacities: every channel, so a new agent is usable at once.
    expect(agentToProfile(create(AgentSchema, { id: "a2" })).channels).toBeUndefined();
  });

  it("builds a routing config the engine accepts, skipping disabled and dangling rules", () => {
    const queues = [
      create(QueueSchema, {
        id: "vip",
        priority: 10,
        priorityAgingPerMinute: 6,
        offerTimeout: durationFromMs(15_000),
        escalationSteps: [
          { after: durationFromMs(30_000), overflowQueueId: "default" },
          { after: durationFromMs(10_000), lowerMinProficiencyBy: 1 },
        ],
      }),
    ];
    const rules = [
      create(RoutingRuleSchema, {
        id: "r2",
        order: 2,
        queueId: "vip",
        match: { channels: [Channel.VOICE], institutional: true },
      }),
      create(RoutingRuleSchema, { id: "r1", order: 1, queueId: "missing" }),
      create(RoutingRuleSchema, { id: "r0", order: 0, queueId: "vip", disabled: true }),
    ];
    const { routing, skippedRuleIds } = buildRoutingConfig(queues, rules);
    expect(skippedRuleIds).toEqual(["r1"]);
    expect(routing.rules).toEqual([
      { id: "r2", queueId: "vip", when: { channels: ["VOICE"], institutional: true } },
    ]);
    const vip = routing.queues.find((q) => q.id === "vip");
    expect(vip).toMatchObject({ agingIntervalMs: 10_000, offerTimeoutMs: 15_000, wrapUpMs: 0 });
    expect(vip?.escalation?.map((s) => s.afterMs)).toEqual([10_000, 30_000]);
    expect(routing.defaultQueueId).toBe("default");
    const engine = createRouterEngine();
    expect(() => engine.configure({ nowMs: 0, routing })).not.toThrow();
  });
});
